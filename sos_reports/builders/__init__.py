"""Builds the packaged Word templates from code, so that they are reproducible.

`python -m sos_reports.builders [FOLDER]` regenerates them (by default into the project's
`templates/`); a test proves the committed files equal what this code builds.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from docx.document import Document as DocxDocument

from sos_reports.builders.kit import header_and_footer, new_document

REPORT_HEADER = "{{ marking }}"
ANNEX_HEADER = "{{ marking }}: CONFIDENTIAL, NOT FOR SHARING WITH THE FAMILY"

# template name -> (builder module, document title, header, footer)
TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "icpc/report.docx": (
        "icpc",
        "Agency report to an Initial Child Protection Conference",
        REPORT_HEADER,
        "Agency report: initial conference, {{ conference.date }}",
    ),
    "rcpc/report.docx": (
        "rcpc",
        "Agency report to a Review Child Protection Conference",
        REPORT_HEADER,
        "Agency report: review conference, {{ conference.date }}",
    ),
    "medical/report.docx": (
        "medical",
        "Conference report for medical practitioners",
        REPORT_HEADER,
        "GP report: child protection conference, {{ conference.date }}",
    ),
    "annex/confidential-annex.docx": (
        "annex",
        "Confidential annex: not for sharing with the family",
        ANNEX_HEADER,
        "Confidential annex: {{ conference.date }}",
    ),
}


def build_template(name: str) -> DocxDocument:
    module, title, header, footer = TEMPLATES[name]
    doc = new_document(title)
    header_and_footer(doc, header, footer)
    builder = importlib.import_module(f"sos_reports.builders.{module}")
    builder.build(doc)
    return doc


def write_templates(folder: Path) -> list[Path]:
    written = []
    for name in TEMPLATES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        build_template(name).save(str(target))
        written.append(target)
    return written
