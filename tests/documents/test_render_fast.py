"""The compiled fill writes the report docxtpl's own path writes: same parts, XML, properties."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from sos_reports.commands.reports import validate
from sos_reports.documents import render
from sos_reports.documents.context import annex_context, report_context
from sos_reports.errors import TemplateError
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT, example_path
from tests.helpers.kinds import KINDS

PROPERTIES = {
    "title": "Agency report, 12 March 2025 & <after>",
    "author": "Sam O'Neill",
    "subject": "Northgate Primary: report for the child protection conference",
}


def _both(template: Path, context: dict[str, object], tmp_path: Path, family: bool = True):
    fast, slow = tmp_path / "fast.docx", tmp_path / "slow.docx"
    for path, fill in ((fast, render.render), (slow, render.render_docxtpl)):
        buffer = io.BytesIO()
        fill(template, context, buffer, properties=PROPERTIES, family_copy=family)
        path.write_bytes(buffer.getvalue())
    return fast, slow


def _normalised(path: Path) -> list[tuple[str, bytes]]:
    """Each part in order: XML parsed without blank text and canonicalised; the times of
    creation and change (which differ from second to second) left out."""
    parser = etree.XMLParser(remove_blank_text=True)
    parts = []
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.endswith((".xml", ".rels")):
                root = etree.fromstring(data, parser)
                for stamp in root.iter(
                    "{http://purl.org/dc/terms/}created", "{http://purl.org/dc/terms/}modified"
                ):
                    stamp.text = "TIME"
                data = etree.tostring(root, method="c14n")
            parts.append((info.filename, data))
    return parts


def _audit(path: Path) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "openxml-audit"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return re.sub(re.escape(str(path)), "FILE", done.stdout + done.stderr)


def _assert_same(fast: Path, slow: Path) -> None:
    assert _normalised(fast) == _normalised(slow)
    assert docx_text(fast) == docx_text(slow)
    assert _audit(fast) == _audit(slow)


@pytest.mark.parametrize("kind", KINDS)
def test_the_compiled_report_of_every_kind_is_the_docxtpl_report(kind: str, tmp_path: Path) -> None:
    model = validate(example_path(kind)).valid_model()
    template = render.packaged_template(f"{kind}/report.docx")
    fast, slow = _both(template, report_context(model), tmp_path)
    _assert_same(fast, slow)
    # The properties are the ones asked for, escaped once.
    with zipfile.ZipFile(fast) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert "Agency report, 12 March 2025 &amp; &lt;after&gt;" in core
    assert "Sam O'Neill" in core


def test_the_compiled_annex_is_the_docxtpl_annex(tmp_path: Path) -> None:
    model = validate(example_path("medical")).valid_model()
    template = render.packaged_template("annex/confidential-annex.docx")
    fast, slow = _both(template, annex_context(model), tmp_path, family=False)
    _assert_same(fast, slow)


def _own_template(tmp_path: Path) -> Path:
    """The packaged template as a user's Word might save it: its own XML declarations and
    line breaks, a value split across runs, Jinja in a heading, in the footer and in the
    document properties, and a part nothing refers to."""
    source = render.packaged_template("icpc/report.docx")
    target = tmp_path / "local.docx"
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    styles = etree.fromstring(parts["word/styles.xml"])
    parts["word/styles.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        + etree.tostring(styles, pretty_print=True)
    )
    document = parts["word/document.xml"].decode()
    extra = (
        "<w:p><w:r><w:t>Written by {{ author.</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
        "<w:t>name }} for {{ conference.date }}</w:t></w:r></w:p>"
    )
    document = document.replace("<w:body>", f"<w:body>{extra}", 1)
    parts["word/document.xml"] = document.encode()
    footer = parts["word/footer1.xml"].decode()
    parts["word/footer1.xml"] = re.sub(
        r"(<w:p[ >])", r"<w:p><w:r><w:t>{{ author.agency }}</w:t></w:r></w:p>\1", footer, count=1
    ).encode()
    core = parts["docProps/core.xml"].decode()
    core = re.sub(r"<dc:title>.*?</dc:title>|<dc:title/>", "", core)
    core = core.replace(
        "</cp:coreProperties>",
        "<dc:title>{{ author.agency }}</dc:title>"
        "<dc:identifier>Ref {{ author.agency }}</dc:identifier></cp:coreProperties>",
    )
    parts["docProps/core.xml"] = core.encode()
    parts["customXml/unreferenced.xml"] = b"<x/>"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def test_a_users_own_template_fills_the_same_both_ways(tmp_path: Path) -> None:
    model = validate(example_path("icpc")).valid_model()
    template = _own_template(tmp_path)
    fast, slow = _both(template, report_context(model), tmp_path)
    _assert_same(fast, slow)
    text = docx_text(fast)
    assert f"Written by {model.author.name} for" in text
    with zipfile.ZipFile(fast) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert f"Ref {model.author.agency}" in core
        assert "customXml/unreferenced.xml" not in archive.namelist()


def test_a_template_changed_between_two_reports_is_compiled_again(tmp_path: Path) -> None:
    model = validate(example_path("icpc")).valid_model()
    template = _own_template(tmp_path)
    context = report_context(model)
    first = io.BytesIO()
    render.render(template, context, first, properties=PROPERTIES, family_copy=True)
    with zipfile.ZipFile(template) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"Written by", b"Signed by")
    with zipfile.ZipFile(template, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    second = tmp_path / "second.docx"
    with second.open("wb") as handle:
        render.render(template, context, handle, properties=PROPERTIES, family_copy=True)
    assert "Signed by" in docx_text(second)


def test_a_syntax_error_and_a_confidential_name_are_still_refused(tmp_path: Path) -> None:
    model = validate(example_path("icpc")).valid_model()
    broken = _own_template(tmp_path)
    with zipfile.ZipFile(broken) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for text, message in (
        (b"{{ confidential.details }}", "which is confidential"),
        (b"{% if %}", "template syntax error"),
    ):
        changed = dict(parts)
        changed["word/document.xml"] = parts["word/document.xml"].replace(
            b"Written by", b"Written " + text, 1
        )
        path = tmp_path / f"t{len(message)}.docx"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in changed.items():
                archive.writestr(name, data)
        for fill in (render.render, render.render_docxtpl):
            with pytest.raises(TemplateError, match=message):
                fill(
                    path,
                    report_context(model),
                    io.BytesIO(),
                    properties=PROPERTIES,
                    family_copy=True,
                )


def test_one_report_does_not_use_up_the_next_ones_allowance_of_loops(tmp_path: Path) -> None:
    """The sandbox's cap on `range()` counts one document, not every report a worker fills."""
    model = validate(example_path("icpc")).valid_model()
    template = _own_template(tmp_path)
    with zipfile.ZipFile(template) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"Written by", b"Written {% for i in range(600000) %}{% endfor %}by", 1
    )
    with zipfile.ZipFile(template, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    for _ in range(3):
        render.render(
            template, report_context(model), io.BytesIO(), properties=PROPERTIES, family_copy=True
        )


def test_a_kept_plan_that_is_damaged_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = validate(example_path("icpc")).valid_model()
    template = render.packaged_template("icpc/report.docx")
    monkeypatch.setenv("SOS_REPORTS_CACHE", str(tmp_path / "cache"))
    first = tmp_path / "first.docx"
    with first.open("wb") as handle:
        render.render(
            template, report_context(model), handle, properties=PROPERTIES, family_copy=True
        )
    kept = list((tmp_path / "cache").glob("plans-*/*.json"))
    assert len(kept) == 1
    for damage in ("{ not json", '{"format": 1}', kept[0].read_text()[:-40]):
        kept[0].write_text(damage)
        render._local.plans = {}  # as in a new run: only the cache folder is left
        again = tmp_path / "again.docx"
        with again.open("wb") as handle:
            render.render(
                template, report_context(model), handle, properties=PROPERTIES, family_copy=True
            )
        assert _normalised(again) == _normalised(first)


def test_a_property_xml_cannot_hold_is_refused_not_written(tmp_path: Path) -> None:
    model = validate(example_path("icpc")).valid_model()
    template = render.packaged_template("icpc/report.docx")
    bad = {**PROPERTIES, "author": "Sam\x01 O'Neill"}
    for fill in (render.render, render.render_docxtpl):
        target = io.BytesIO()
        with pytest.raises((TemplateError, ValueError)):
            fill(template, report_context(model), target, properties=bad, family_copy=True)
        assert target.getvalue() == b""
