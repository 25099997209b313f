"""Builds the packaged Word templates from code, so that they are reproducible.

`python -m sos_reports.documents.builders [FOLDER]` regenerates them (by default into the project's
`templates/`); a test proves the committed files equal what this code builds.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path

from docx.document import Document as DocxDocument

from sos_reports.documents.builders.kit import finish, header_and_footer, landscape, new_document
from sos_reports.kinds import KINDS

REPORT_HEADER = "{{ marking }}"
ANNEX_HEADER = "{{ marking }}: CONFIDENTIAL, NOT FOR SHARING WITH THE FAMILY"

# template name -> (builder module, document title, header, footer): each kind's report, as
# its registry entry says, then the annex and the conference map that every kind shares.
TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    **{
        kind.template: (kind.builder, kind.title, REPORT_HEADER, kind.footer)
        for kind in KINDS.values()
    },
    "annex/confidential-annex.docx": (
        "sos_reports.documents.builders.annex",
        "Confidential annex: not for sharing with the family",
        ANNEX_HEADER,
        "Confidential annex: {{ conference.date }}",
    ),
    "map/map.docx": (
        "sos_reports.documents.builders.map",
        "Conference map",
        REPORT_HEADER,
        "Conference map: {{ conference.type }}, {{ conference.date }}",
    ),
}


def build_template(name: str) -> DocxDocument:
    module, title, header, footer = TEMPLATES[name]
    doc = new_document(title)
    builder = importlib.import_module(module)
    if getattr(builder, "LANDSCAPE", False):
        landscape(doc)  # before the footer, whose right tab stop is at the text's width
    header_and_footer(doc, header, footer)
    builder.build(doc)
    finish(doc)
    return doc


def docx_parts(data: bytes) -> dict[str, bytes]:
    """Every part of a .docx, XML canonicalised: a saved document's bytes differ on every
    save (zip timestamps), its parts do not."""
    from lxml import etree

    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            is_xml = name.endswith((".xml", ".rels"))
            out[name] = etree.tostring(etree.fromstring(raw), method="c14n") if is_xml else raw
    return out


def write_templates(folder: Path) -> list[Path]:
    """Write the templates whose content changed (so unchanged files stay as committed)."""
    written = []
    for name in TEMPLATES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        build_template(name).save(buffer)
        if target.exists() and docx_parts(target.read_bytes()) == docx_parts(buffer.getvalue()):
            continue
        target.write_bytes(buffer.getvalue())
        written.append(target)
    return written
