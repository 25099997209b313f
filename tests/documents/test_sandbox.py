"""A user's own template is filled in the sandbox: it cannot run code or see confidential data."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from sos_reports.cli import cli
from sos_reports.commands.reports import fill
from sos_reports.documents.render import packaged_template
from sos_reports.errors import TemplateError
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path, example_tree, write_yaml


def user_template(tmp_path: Path, *lines: str) -> Path:
    """The packaged ICPC template with `lines` added at its end: a template without the
    report's required sections is refused before it is filled (see test_check_template.py)."""
    doc = Document(str(packaged_template("icpc/report.docx")))
    for line in lines:
        doc.add_paragraph(line)
    path = tmp_path / "local-template.docx"
    doc.save(str(path))
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    target = tmp_path / "in.yaml"
    shutil.copy(example_path("icpc"), target)
    return target


def test_a_simple_user_template_is_filled(tmp_path: Path, source: Path) -> None:
    template = user_template(tmp_path, "Report for {{ conference.date }} by {{ author.name }}")
    report = Path(fill(source, template=template).written[0])
    assert "Report for 12 March 2025 by Ms Joanna Pryce" in docx_text(report)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{{ cycler.__init__.__globals__ }}", "may not do"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "may not do"),
        ("{{ author.name.__class__ }}", "may not do"),
        ("{{ 'a' * 2000000000 }}", "may not do"),
        ('{{ "%900000000s"|format("x") }}', "No filter named 'format'"),
        ('{{ "%900000000s" % "x" }}', "may not do"),
        ('{{ "{:>900000000}".format("x") }}', "may not do"),
        ("{{ 'x'.rjust(900000000) }}", "may not do"),
        ('{{ ("a" * 1000000)|replace("a", "a" * 34) }}', "may not do"),
        ('{{ ("a" * 1000000).replace("a", "a" * 34) }}', "may not do"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "may not do",
        ),
        ("{{ no_such_field }}", "does not have"),
        ("{{ conference.no_such_key }}", "does not have"),
        ("{{ confidential.details }}", "confidential"),
        ("{% for h in withheld_household %}{{ h.name }}{% endfor %}", "confidential"),
        ("{% if x %}", "syntax error"),
    ],
    ids=[
        "globals",
        "subclasses",
        "dunder",
        "huge-string",
        "format-filter",
        "percent",
        "str-format",
        "rjust",
        "replace-filter",
        "replace-method",
        "nested-ranges",
        "unknown",
        "unknown-key",
        "details",
        "withheld",
        "syntax",
    ],
)
def test_a_user_template_that_oversteps_is_refused_and_writes_nothing(
    tmp_path: Path, source: Path, line: str, fragment: str
) -> None:
    template = user_template(tmp_path, line)
    with pytest.raises(TemplateError, match=fragment):
        fill(source, tmp_path / "out.docx", template=template)
    assert not (tmp_path / "out.docx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_confidential_details_never_reach_a_user_template_context(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["confidential"] = {
        "present": "yes",
        "reason": "third-party information",
        "chair_informed": "2025-03-05",
        "details": "The referrer is a neighbour at number 6.",
    }
    path = write_yaml(tmp_path / "c.yaml", tree)
    template = user_template(tmp_path, "{% for key in confidential %}[{{ key }}]{% endfor %}")
    report = Path(fill(path, template=template).written[0])
    assert "[present]" in docx_text(report)
    assert "neighbour" not in docx_text(report)


def test_the_cli_reports_a_template_error_without_a_traceback(tmp_path: Path, source: Path) -> None:
    template = user_template(tmp_path, "{{ cycler.__init__.__globals__ }}")
    result = CliRunner().invoke(cli, ["fill", str(source), "--template", str(template)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: local-template.docx tries something")
    assert "Traceback" not in result.output


def test_a_template_that_is_not_a_word_file_is_refused(tmp_path: Path, source: Path) -> None:
    bogus = tmp_path / "t.docx"
    bogus.write_text("not a zip")
    with pytest.raises(TemplateError, match="not a Word document"):
        fill(source, template=bogus)


def test_a_user_template_that_runs_too_long_is_stopped(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from sos_reports.documents import render

    monkeypatch.setattr(render, "MAX_SECONDS", 1)
    template = user_template(
        tmp_path, "{% for i in range(100000) %}{% for c in 'x' * 1000000 %}{% endfor %}{% endfor %}"
    )
    started = time.perf_counter()
    with pytest.raises(TemplateError, match="took more than 1 seconds"):
        fill(source, tmp_path / "out.docx", template=template)
    assert time.perf_counter() - started < 10
    assert not (tmp_path / "out.docx").exists()


def test_an_ordinary_replace_and_a_small_range_still_work(tmp_path: Path, source: Path) -> None:
    template = user_template(
        tmp_path,
        "{{ author.name|replace('Ms ', '') }}; {% for i in range(3) %}{{ i }}{% endfor %}",
    )
    report = Path(fill(source, template=template).written[0])
    assert "Joanna Pryce; 012" in docx_text(report)


def test_a_template_built_to_explode_is_refused_before_it_is_opened(
    tmp_path: Path, source: Path
) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>" + " " * (40 * 1024 * 1024))
    with pytest.raises(TemplateError, match=r"bomb\.docx holds a part \(word/document\.xml\)"):
        fill(source, template=bomb)
    assert not (tmp_path / f"{source.stem}-report.docx").exists()
