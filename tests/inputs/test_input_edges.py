"""Inputs at the edges: numbers as typed, odd characters, files that are not inputs, full disks.

Each case is run as a user meets it, through the command line where the message matters:
a plain sentence naming the field and line, never a traceback, a Python internal or the
"failed unexpectedly" message meant for bug reports.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.forms import new_input
from sos_reports.commands.reports import fill, validate
from sos_reports.documents.writing import Output, write_outputs
from sos_reports.errors import OutputError, ReadError
from sos_reports.inputs.read import read_input
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path, example_tree, write_json, write_yaml


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def assert_plain(output: str) -> None:
    """No traceback and no Python internals in what the user reads."""
    for internal in ("Traceback", "failed unexpectedly", "Error(", "int_max_str_digits"):
        assert internal not in output, output


# --- JSON numbers where text belongs ------------------------------------------------------------


def json_with_numbers(tmp_path: Path, kind: str, numbers: dict[str, str]) -> Path:
    """The example as JSON with raw number literals (as typed) at some places."""
    tree = example_tree(kind)
    for path, literal in numbers.items():
        node: Any = tree
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = f"@@{literal}@@"
    text = json.dumps(tree, ensure_ascii=False)
    for literal in numbers.values():
        text = text.replace(f'"@@{literal}@@"', literal)
    path = tmp_path / "input.json"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("literal", ["1.10", "1e2", "1E+2", "100.0", "1e400", "-0", "7.50"])
def test_a_json_number_in_a_text_field_keeps_the_digits_as_typed(
    tmp_path: Path, literal: str
) -> None:
    source = json_with_numbers(tmp_path, "icpc", {"author.phone": literal})
    checked = validate(source)
    assert checked.errors == [], checked.findings
    assert checked.model is not None and checked.model.author.phone == literal


def test_a_huge_json_integer_is_kept_in_text_and_refused_as_a_score_with_its_path(
    tmp_path: Path,
) -> None:
    huge = "9" * 5000  # past Python's 4,300-digit limit for int-to-text
    source = json_with_numbers(
        tmp_path, "icpc", {"author.phone": huge, "scaling.scores.0.score": huge}
    )
    result = run("validate", str(source))
    assert result.exit_code == 1
    assert_plain(result.output)
    assert "scaling.scores[0].score: a whole number from 0 to 10 is needed, not" in result.output
    assert "author.phone" not in result.output  # text: kept as typed
    assert validate(source).source.tree["author"]["phone"] == huge


def test_scores_and_whole_numbers_from_json_still_work(tmp_path: Path) -> None:
    source = json_with_numbers(
        tmp_path,
        "rcpc",
        {
            "scaling.scores.0.score": "4",
            "scaling.scores.1.score": "4.0",
            "conference.review_number": "2",
            "format_version": "1.0",
        },
    )
    checked = validate(source)
    assert checked.errors == [], checked.findings
    assert checked.model is not None
    assert [s.score for s in checked.model.scaling.scores] == [4, 4]
    assert checked.model.conference.review_number == 2


def test_a_json_number_that_is_not_whole_is_refused_as_a_score(tmp_path: Path) -> None:
    source = json_with_numbers(tmp_path, "icpc", {"scaling.scores.0.score": "4.5"})
    result = run("validate", str(source))
    assert 'scaling.scores[0].score: a whole number from 0 to 10 is needed, not "4.5"' in (
        result.output
    )


# --- characters -------------------------------------------------------------------------------


def yaml_with(tmp_path: Path, old: str, new: str, kind: str = "icpc") -> Path:
    text = example_path(kind).read_text("utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "input.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    return path


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x1f"])
def test_a_raw_control_character_in_yaml_is_named_with_its_line(tmp_path: Path, char: str) -> None:
    source = yaml_with(tmp_path, "  venue: Thornby", f"  venue: Thorn{char}by")
    line = (
        source.read_text("utf-8")
        .split("\n")
        .index(f"  venue: Thorn{char}by Civic Centre, Meeting Room 2")
        + 1
    )
    result = run("validate", str(source))
    assert result.exit_code == 1
    assert_plain(result.output)
    code = f"U+{ord(char):04X}"
    assert f"input.yaml, line {line}: contains the control character {code}" in result.output
    assert "delete it" in result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("bom", [False, True], ids=["without-bom", "with-bom"])
def test_a_utf16_file_is_refused_saying_to_save_it_as_utf8(
    tmp_path: Path, bom: bool, suffix: str
) -> None:
    source = tmp_path / f"input{suffix}"
    text = (
        example_path("icpc").read_text("utf-8")
        if suffix == ".yaml"
        else json.dumps(example_tree("icpc"), ensure_ascii=False)
    )
    source.write_bytes(text.encode("utf-16" if bom else "utf-16-le"))
    result = run("validate", str(source))
    assert result.exit_code == 1
    assert_plain(result.output)
    assert "line 1: is saved as UTF-16" in result.output
    assert "UTF-8" in result.output


WORD_BREAKS = "Low mood.\x0bRent arrears.\u2028Late marks.\u2029Attendance."
READ_AS = "Low mood.\nRent arrears.\nLate marks.\n\nAttendance."


def test_words_line_breaks_in_yaml_are_read_as_line_breaks_and_a_blank_line(
    tmp_path: Path,
) -> None:
    tree = example_tree("icpc")
    tree["worries"]["complicating_factors"] = "@@"
    text = (
        write_yaml(tmp_path / "t.yaml", tree)
        .read_text("utf-8")
        .replace("complicating_factors: '@@'", f"complicating_factors: {WORD_BREAKS}")
    )
    for name, body in (("plain.yaml", text), ("block.yaml", None)):
        source = tmp_path / name
        if body is None:
            body = yaml_with(
                tmp_path,
                "  complicating_factors: |\n",
                f"  complicating_factors: |\n    {WORD_BREAKS}\n",
            ).read_text("utf-8")
        source.write_text(body, "utf-8")
        checked = validate(source)
        assert checked.errors == [], (name, checked.findings)
        assert checked.model is not None
        assert checked.model.worries.complicating_factors.startswith(READ_AS), name


def test_words_line_breaks_in_json_are_read_as_line_breaks_and_a_blank_line(
    tmp_path: Path,
) -> None:
    tree = example_tree("medical")
    tree["worries"]["complicating_factors"] = WORD_BREAKS
    source = tmp_path / "input.json"
    source.write_text(json.dumps(tree, ensure_ascii=False), "utf-8")  # raw, not escaped
    checked = validate(source)
    assert checked.errors == [], checked.findings
    assert checked.model is not None
    assert checked.model.worries.complicating_factors == READ_AS


def test_a_tab_inside_a_plain_yaml_value_is_accepted_and_kept(tmp_path: Path) -> None:
    source = yaml_with(
        tmp_path,
        "  venue: Thornby Civic Centre, Meeting Room 2\n",
        "  venue: Thornby Civic Centre,\tMeeting Room 2\t# the usual room\n",
    )
    text = source.read_text("utf-8").replace(
        "  name: Ms Joanna Pryce\n", "  name:\tMs\tJoanna Pryce\n", 1
    )
    source.write_text(text, "utf-8")
    checked = validate(source)
    assert checked.errors == [], checked.findings
    assert checked.model is not None
    assert checked.model.conference.venue == "Thornby Civic Centre,\tMeeting Room 2"
    assert checked.model.author.name == "Ms\tJoanna Pryce"
    report = Path(fill(source).written[0])
    assert "Thornby Civic Centre,\tMeeting Room 2" in docx_text(report)


def test_a_tab_used_to_indent_yaml_is_named_with_its_line(tmp_path: Path) -> None:
    source = yaml_with(tmp_path, "  venue: Thornby", "\tvenue: Thornby")
    result = run("validate", str(source))
    line = (
        source.read_text("utf-8")
        .splitlines()
        .index("\tvenue: Thornby Civic Centre, Meeting Room 2")
        + 1
    )
    assert f"line {line}: is not valid YAML: a tab is used to indent a line" in result.output
    assert_plain(result.output)


# --- files that are not inputs ------------------------------------------------------------------


def _validate_in_a_process(path: Path) -> subprocess.CompletedProcess[str]:
    # A process of its own, with a time limit: a reader that waits must fail the test, not
    # hang it.
    return subprocess.run(
        [sys.executable, "-m", "sos_reports", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SOS_REPORTS_CACHE": "off"},
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path: Path, suffix: str) -> None:
    pipe = tmp_path / f"input{suffix}"
    os.mkfifo(pipe)
    done = _validate_in_a_process(pipe)
    assert done.returncode == 1
    assert f"input{suffix}: is a pipe, not a saved file" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_at_once_not_read_without_end(tmp_path: Path) -> None:
    link = tmp_path / "input.yaml"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), link):
        done = _validate_in_a_process(path)
        assert done.returncode == 1
        assert "is a device, not a saved file" in done.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_workbook_saved_under_a_text_name_is_recognised_and_rename_is_advised(
    tmp_path: Path, suffix: str
) -> None:
    workbook = tmp_path / "form.xlsx"
    new_input("icpc", workbook, from_path=example_path("icpc"))
    misnamed = tmp_path / f"form{suffix}"
    shutil.copy(workbook, misnamed)
    result = run("validate", str(misnamed))
    assert result.exit_code == 1
    assert_plain(result.output)
    assert f"is an Excel workbook, though its name ends in {suffix}" in result.output
    assert "rename it so that its name ends in .xlsx" in result.output


def test_a_word_document_saved_under_a_yaml_name_is_named_for_what_it_is(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(example_path("icpc").read_bytes())
    report = Path(fill(source).written[0])
    misnamed = tmp_path / "report.yaml"
    shutil.copy(report, misnamed)
    with pytest.raises(ReadError, match=r"is a Word document, though its name ends in \.yaml"):
        read_input(misnamed)


# --- write failures name the output asked for ------------------------------------------------------


def test_a_full_disk_is_reported_against_the_report_not_its_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.docx"

    def fills_the_disk(handle: Any) -> None:
        handle.write(b"PK")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError) as caught:
        write_outputs([Output(target, fills_the_disk)])
    message = str(caught.value)
    assert message.startswith(f"cannot write {target}: the disk is full")
    assert ".part" not in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="file size limits are POSIX")
def test_a_file_size_limit_reached_while_writing_names_the_report(tmp_path: Path) -> None:
    source = tmp_path / "input.yaml"
    source.write_bytes(example_path("icpc").read_bytes())

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a killed process
        # Well under the report (about 14 KB), over anything else the run writes.
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 1024, 4 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "sos_reports", "fill", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_files,
        env={**os.environ, "SOS_REPORTS_CACHE": "off"},
    )
    assert done.returncode == 1
    assert f"Error: cannot write {tmp_path / 'input-report.docx'}: " in done.stderr
    assert ".part" not in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["input.yaml"]


def _locked_folder(tmp_path: Path) -> Path:
    """A folder this user may not write in: permissions do not bind root, but sysfs does."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        return locked
    sysfs = Path("/sys")
    try:
        fd, probe = tempfile.mkstemp(dir=sysfs)
    except PermissionError:
        return sysfs
    os.close(fd)
    os.unlink(probe)
    pytest.skip("running as root, with no folder that refuses to be written")


def test_a_folder_without_write_permission_names_the_report(tmp_path: Path) -> None:
    source = tmp_path / "input.yaml"
    source.write_bytes(example_path("icpc").read_bytes())
    locked = _locked_folder(tmp_path)
    try:
        result = run("fill", str(source), "-o", str(locked / "r.docx"))
    finally:
        if locked != Path("/sys"):
            locked.chmod(0o755)
    assert result.exit_code == 1
    assert (
        f"Error: cannot write {locked / 'r.docx'}: you do not have permission to write in "
        f"the folder {locked}; nothing was written" in result.output
    )
    assert ".part" not in result.output


def test_a_json_input_written_back_is_the_same_input(tmp_path: Path) -> None:
    # The digits of a JSON number survive a round trip through the checks unchanged.
    source = json_with_numbers(tmp_path, "icpc", {"conference.case_reference": "2025.10"})
    checked = validate(source)
    assert checked.model is not None and checked.model.conference.case_reference == "2025.10"
    again = write_json(tmp_path / "again.json", checked.source.tree)
    assert validate(again).model == checked.model


def test_a_raw_control_character_in_a_json_string_is_named_by_its_field(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["conference"]["venue"] = "Thorn\x01by"
    tree["author"]["name"] = "Ms\tJoanna Pryce"
    source = tmp_path / "input.json"
    # Unescaped, as a hand-edited file holds them (JSON wants \u0001 and \t).
    source.write_text(
        json.dumps(tree, ensure_ascii=False).replace("\\u0001", "\x01").replace("\\t", "\t"),
        "utf-8",
    )
    assert "\x01" in source.read_text("utf-8")
    result = run("validate", str(source))
    assert_plain(result.output)
    assert "conference.venue: contains the control character U+0001 at position 6" in result.output
    assert "author.name" not in result.output  # a tab is text
