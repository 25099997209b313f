"""The library's public API: what `import sos_reports` offers, cheaply, and what it returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sos_reports
from sos_reports.cli import cli
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path
from tests.helpers.kinds import KINDS


def test_import_sos_reports_loads_none_of_its_heavy_dependencies() -> None:
    probe = (
        "import sys, sos_reports; "
        "print(sorted(m for m in ('pydantic', 'docx', 'docxtpl', 'openpyxl', 'click', 'lxml') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sos_reports.__all__)
def test_every_public_name_resolves_from_the_package(name: str) -> None:
    assert getattr(sos_reports, name) is not None
    assert name in dir(sos_reports)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'fil'"):
        sos_reports.fil  # noqa: B018


def test_the_api_fills_a_report_and_returns_the_paths_it_wrote(tmp_path: Path) -> None:
    source = tmp_path / "icpc.yaml"
    source.write_bytes(example_path("icpc").read_bytes())
    checked = sos_reports.validate(source)
    assert checked.kind == "icpc" and not checked.errors
    result = sos_reports.fill(source)
    assert result.written == [tmp_path / "icpc-report.docx"]
    assert all(isinstance(p, Path) for p in result.written)
    assert "Initial Child Protection Conference" in docx_text(result.written[0])


def test_an_invalid_input_raises_the_packages_input_error(tmp_path: Path) -> None:
    source = tmp_path / "broken.yaml"
    source.write_text("kind: icpc\n", "utf-8")
    with pytest.raises(sos_reports.InputError) as raised:
        sos_reports.fill(source)
    assert isinstance(raised.value, sos_reports.SosError)
    assert all(isinstance(f, sos_reports.Finding) for f in raised.value.findings)
    assert not (tmp_path / "broken-report.docx").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_the_schema_command_prints_what_the_library_returns(kind: str) -> None:
    printed = CliRunner().invoke(cli, ["schema", kind])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == sos_reports.input_schema(kind)


def test_the_library_copies_a_packaged_template_and_refuses_to_replace_one(tmp_path: Path) -> None:
    out = tmp_path / "rcpc-template.docx"
    assert sos_reports.copy_template("rcpc", out).written == [out]
    assert "{{" in docx_text(out)
    with pytest.raises(sos_reports.OutputError):
        sos_reports.copy_template("rcpc", out)
    with pytest.raises(sos_reports.SosError, match="there is no report kind 'core'"):
        sos_reports.copy_template("core", tmp_path / "core.docx")
