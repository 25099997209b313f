"""The GP report is the family's copy: what one parent disclosed about the other stays out."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.reports import fill
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path, example_tree, write_yaml


def test_the_gp_examples_family_copy_says_nothing_of_the_mothers_disclosure(
    tmp_path: Path,
) -> None:
    source = tmp_path / "gp.yaml"
    source.write_bytes(example_path("medical").read_bytes())
    report, annex = (Path(p) for p in fill(source).written)
    family = docx_text(report)
    assert not re.search(r"abuse|disclos|pushed", family, re.IGNORECASE)
    chair = docx_text(annex)
    assert "pushed her against the kitchen worktop" in chair
    assert "disclosed domestic abuse by Dean" in chair  # her health entry, withheld


def test_a_current_domestic_abuse_entry_in_the_familys_copy_is_warned_of(tmp_path: Path) -> None:
    tree = example_tree("medical")
    tree["carer_health"][0]["withhold_from_family"] = "no"
    source = write_yaml(tmp_path / "gp.yaml", tree)
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("warning"))
    lines = [text.strip() for text in source.read_text("utf-8").splitlines()]
    line = lines.index("domestic_abuse:") + 1
    assert f"carer_health[0].domestic_abuse (line {line}): is current" in warning
    assert "normally given to the chair only" in warning
    assert "set `withhold_from_family: yes`" in warning
    strict = CliRunner().invoke(cli, ["fill", "--strict", str(source)])
    assert strict.exit_code == 1 and not list(tmp_path.glob("*.docx"))


def test_a_past_domestic_abuse_entry_is_not_warned_of(tmp_path: Path) -> None:
    tree = example_tree("medical")
    tree["carer_health"][0]["withhold_from_family"] = "no"
    tree["carer_health"][0]["domestic_abuse"]["status"] = "past"
    source = write_yaml(tmp_path / "gp.yaml", tree)
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 0 and "(0 errors, 0 warnings)" in result.output, result.output
