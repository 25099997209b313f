"""The packaged templates: shipped, reproducible from code, and free of split tags."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from lxml import etree

from sos_reports.documents.builders import TEMPLATES, build_template
from sos_reports.documents.render import packaged_template
from tests.helpers.docx_xml import W
from tests.helpers.examples import ROOT


def canonical_parts(data: bytes) -> dict[str, bytes]:
    """Every part of a .docx, its XML in the standard library's C14N 2.0 form: the test's
    own reading, not the builders' `docx_parts`, so that a fault there cannot hide here."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            if name.endswith((".xml", ".rels")):
                out[name] = ElementTree.canonicalize(raw.decode("utf-8")).encode("utf-8")
            else:
                out[name] = raw
    return out


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_the_committed_template_is_what_the_code_builds(name: str) -> None:
    buffer = io.BytesIO()
    build_template(name).save(buffer)
    committed = (ROOT / "templates" / name).read_bytes()
    assert canonical_parts(committed) == canonical_parts(buffer.getvalue()), (
        f"templates/{name} is out of date: run `python -m sos_reports.documents.builders`"
    )


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_packaged_template_resolves_from_the_installed_package(name: str) -> None:
    path = packaged_template(name)
    assert path.is_file()
    assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_no_template_tag_is_split_across_runs(name: str) -> None:
    with zipfile.ZipFile(ROOT / "templates" / name) as archive:
        parts = [
            n
            for n in archive.namelist()
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)
        ]
        for part in parts:
            root = etree.fromstring(archive.read(part))
            for text in root.iter(f"{{{W}}}t"):
                value = text.text or ""
                # Each run holds whole tags: every opener is closed in the same run.
                assert value.count("{{") == value.count("}}"), (part, value)
                assert value.count("{%") == value.count("%}"), (part, value)
