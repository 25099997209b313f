"""The command line as a user meets it: exit codes, where output goes, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path, example_tree, write_yaml


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def icpc_input(tmp_path: Path) -> Path:
    target = tmp_path / "school.yaml"
    shutil.copy(example_path("icpc"), target)
    return target


def test_kinds_lists_the_three_report_kinds_and_the_record(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["kinds"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["icpc", "rcpc", "medical", "record"]
    assert "record   Record of the child protection conference" in result.output


def test_validate_a_good_input_exits_0_and_prints_the_due_date(
    runner: CliRunner, icpc_input: Path
) -> None:
    result = runner.invoke(cli, ["validate", str(icpc_input)])
    assert result.exit_code == 0, result.output
    assert "Monday 10 March 2025" in result.stderr
    assert result.stdout == ""


def test_validate_a_bad_input_lists_every_problem_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    tree = example_tree("icpc")
    tree["scaling"]["scores"][1]["score"] = "11"
    tree["report"]["date"] = "2025-03-20"
    del tree["author"]["email"]
    path = write_yaml(tmp_path / "bad.yaml", tree)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    err = result.stderr
    assert "scaling.scores[1].score" in err and "whole number from 0 to 10" in err
    assert "report.date" in err and "after the conference" in err
    assert "author.email" in err and "required" in err
    assert "Traceback" not in result.output


def test_validate_json_format_prints_findings_to_stdout(runner: CliRunner, tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["scaling"]["scores"][0]["score"] = "4/10"
    path = write_yaml(tmp_path / "bad.yaml", tree)
    result = runner.invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings == [
        {
            "severity": "error",
            "path": "scaling.scores[0].score",
            "line": findings[0]["line"],
            "message": findings[0]["message"],
        }
    ]
    assert isinstance(findings[0]["line"], int)
    assert "whole number from 0 to 10" in findings[0]["message"]


def test_strict_makes_warnings_fatal(runner: CliRunner, tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["report"]["sent_to_chair"] = "2025-03-11"  # after the due date of 10 March
    path = write_yaml(tmp_path / "late.yaml", tree)
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 0
    strict = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert "warning" in strict.stderr and "report.sent_to_chair" in strict.stderr
    assert runner.invoke(cli, ["fill", "--strict", str(path)]).exit_code == 1
    assert not (tmp_path / "late-report.docx").exists()


def test_due_days_changes_the_deadline(runner: CliRunner, icpc_input: Path) -> None:
    result = runner.invoke(cli, ["validate", "--due-days", "initial=3", str(icpc_input)])
    assert "Friday 7 March 2025" in result.stderr
    bad = runner.invoke(cli, ["validate", "--due-days", "initial=three", str(icpc_input)])
    assert bad.exit_code == 2


def test_fill_writes_the_report_beside_the_input_and_prints_its_path(
    runner: CliRunner, icpc_input: Path
) -> None:
    result = runner.invoke(cli, ["fill", str(icpc_input)])
    assert result.exit_code == 0, result.output
    report = icpc_input.with_name("school-report.docx")
    assert result.stdout.splitlines() == [str(report)]
    assert "Due with the chair and the family by Monday 10 March 2025" in result.stderr
    assert "Maisie Fenwick" in docx_text(report)


def test_fill_never_replaces_a_file_without_force(runner: CliRunner, icpc_input: Path) -> None:
    out = icpc_input.with_name("out.docx")
    out.write_bytes(b"an earlier report")
    refused = runner.invoke(cli, ["fill", str(icpc_input), "-o", str(out)])
    assert refused.exit_code == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert out.read_bytes() == b"an earlier report"
    forced = runner.invoke(cli, ["fill", str(icpc_input), "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_fill_never_writes_over_an_input_even_with_force(
    runner: CliRunner, icpc_input: Path
) -> None:
    before = icpc_input.read_bytes()
    disguised = icpc_input.with_suffix(".docx")
    os.symlink(icpc_input, disguised)
    result = runner.invoke(cli, ["fill", str(icpc_input), "-o", str(disguised), "--force"])
    assert result.exit_code == 1
    assert "is one of the inputs" in result.stderr
    assert icpc_input.read_bytes() == before


def test_fill_writes_nothing_for_a_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["scaling"]["scores"][0]["score"] = "yes"
    path = write_yaml(tmp_path / "bad.yaml", tree)
    result = runner.invoke(cli, ["fill", str(path)])
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_fill_refuses_an_output_that_is_not_docx_and_a_missing_folder(
    runner: CliRunner, icpc_input: Path
) -> None:
    wrong = runner.invoke(cli, ["fill", str(icpc_input), "-o", str(icpc_input.with_name("r.pdf"))])
    assert wrong.exit_code == 2 and ".docx" in wrong.stderr
    missing = runner.invoke(
        cli, ["fill", str(icpc_input), "-o", str(icpc_input.parent / "no" / "r.docx")]
    )
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["fill"],
        ["schema", "nokind"],
        ["validate", "--format", "xml", "x.yaml"],
        ["fill", "--bogus", "x.yaml"],
    ],
)
def test_a_wrong_command_line_exits_2(runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(cli, args).exit_code == 2


@pytest.mark.parametrize(
    ("args", "wrong", "takes"),
    [
        (["fill", "{input}"], "x.pdf", ".docx"),
        (["new", "icpc"], "x.txt", ".xlsx, .docx, .yaml, .yml or .json"),
        (["template", "icpc"], "x.doc", ".docx"),
    ],
)
def test_a_wrong_output_extension_is_a_usage_error(
    runner: CliRunner, icpc_input: Path, args: list[str], wrong: str, takes: str
) -> None:
    """Like any other mistake on the command line: exit 2, click's usage message naming the
    option and the extensions it takes, and nothing written."""
    target = icpc_input.with_name(wrong)
    command = [a.format(input=icpc_input) for a in args]
    result = runner.invoke(cli, [*command, "-o", str(target)], prog_name="sos-reports")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Usage: sos-reports {command[0]} "), result.stderr
    assert "Error: Invalid value for '-o' / '--output'" in result.stderr
    assert f"{wrong}: give a name ending in {takes}" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert sorted(p.name for p in icpc_input.parent.iterdir()) == ["school.yaml"]


def test_the_library_refuses_a_wrong_output_extension_itself(icpc_input: Path) -> None:
    """A program calling the library, not the command line, gets an OutputError."""
    from sos_reports.commands.forms import new_input
    from sos_reports.commands.reports import fill
    from sos_reports.errors import OutputError

    with pytest.raises(OutputError, match=r"x\.pdf: .*ending in \.docx"):
        fill(icpc_input, icpc_input.with_name("x.pdf"))
    with pytest.raises(OutputError, match=r"x\.txt: .*ending in \.xlsx"):
        new_input("icpc", icpc_input.with_name("x.txt"))
    assert sorted(p.name for p in icpc_input.parent.iterdir()) == ["school.yaml"]


def test_new_and_fill_take_on_the_command_line_the_extensions_the_library_takes(
    runner: CliRunner, icpc_input: Path
) -> None:
    """One list of extensions per command would drift from the library's: a form the
    library can write must not be a usage error, nor the reverse."""
    from sos_reports.commands.forms import new_input
    from sos_reports.commands.reports import fill
    from sos_reports.errors import OutputError

    calls = {
        "new": (lambda out: new_input("icpc", out), ["new", "icpc"]),
        "fill": (lambda out: fill(icpc_input, out, force=True), ["fill", str(icpc_input)]),
    }
    for name, (library, command) in calls.items():
        for suffix in (".docx", ".xlsx", ".yaml", ".yml", ".json", ".pdf", ".txt", ".doc"):
            out = icpc_input.with_name(f"{name}-library{suffix}")
            try:
                library(out)
                library_takes = True
            except OutputError as exc:
                library_takes = "ending in" not in str(exc)
            out = icpc_input.with_name(f"{name}-cli{suffix}")
            cli_takes = runner.invoke(cli, [*command, "-o", str(out)]).exit_code != 2
            assert cli_takes == library_takes, (name, suffix, library_takes)


def test_an_output_extension_is_read_in_any_case(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["template", "icpc", "-o", str(tmp_path / "LOCAL.DOCX")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "LOCAL.DOCX").is_file()


def test_a_missing_input_exits_1_with_a_message(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and "no such file" in result.stderr


def test_schema_prints_a_json_schema_with_the_public_key_names(runner: CliRunner) -> None:
    for kind, own_key in (
        ("icpc", "view_on_plan"),
        ("rcpc", "core_group"),
        ("medical", "child_health"),
    ):
        result = runner.invoke(cli, ["schema", kind])
        assert result.exit_code == 0
        schema = json.loads(result.stdout)
        assert own_key in schema["properties"]
        assert "with" in json.dumps(schema)  # sharing.with keeps its public name
        assert schema["additionalProperties"] is False


def test_template_writes_the_packaged_template(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "local.docx"
    result = runner.invoke(cli, ["template", "icpc", "-o", str(out)])
    assert result.exit_code == 0
    assert "{{ worries.harm }}" in docx_text(out)
    again = runner.invoke(cli, ["template", "icpc", "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.stderr
    wrong = runner.invoke(cli, ["template", "icpc", "-o", str(tmp_path / "local.yaml")])
    assert wrong.exit_code == 2 and ".docx" in wrong.stderr
    assert not (tmp_path / "local.yaml").exists()


def test_every_command_has_help(runner: CliRunner) -> None:
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, name
    assert runner.invoke(cli, ["-h"]).exit_code == 0


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_python_dash_m_and_the_console_script_both_work(icpc_input: Path) -> None:
    module = _run(
        sys.executable, "-m", "sos_reports", "fill", icpc_input.name, cwd=icpc_input.parent
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout.strip() == "school-report.docx"
    script = Path(sys.executable).with_name("sos-reports")
    version = _run(str(script), "--version", cwd=icpc_input.parent)
    assert version.returncode == 0 and "sos-reports" in version.stdout
    again = _run(str(script), "fill", icpc_input.name, cwd=icpc_input.parent)
    assert again.returncode == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr


def test_validate_json_format_reports_an_unreadable_file_as_json_too(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("kind: icpc\nconference: [1, 2\n")
    result = runner.invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert len(findings) == 1
    assert findings[0]["severity"] == "error" and findings[0]["line"] == 3
    assert "not valid YAML" in findings[0]["message"]


def test_fill_warns_of_an_annex_left_from_an_earlier_run_and_deletes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    tree = example_tree("icpc")
    tree["confidential"] = {
        "present": "yes",
        "reason": "third-party information",
        "chair_informed": "2025-03-05",
        "details": "The referrer is a neighbour.",
    }
    path = write_yaml(tmp_path / "school.yaml", tree)
    assert runner.invoke(cli, ["fill", str(path)]).exit_code == 0
    annex = tmp_path / "school-report-confidential-annex.docx"
    before = annex.read_bytes()
    tree["confidential"] = {"present": "no"}
    write_yaml(path, tree)
    again = runner.invoke(cli, ["fill", "--force", str(path)])
    assert again.exit_code == 0
    assert "warning" in again.stderr and annex.name in again.stderr
    assert annex.read_bytes() == before
    assert again.stdout.splitlines() == [str(tmp_path / "school-report.docx")]
