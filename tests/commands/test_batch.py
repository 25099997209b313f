"""`sos-reports batch`: many inputs, every good report written, each failure named with its reason."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.batch import batch, find_inputs, safe_name
from sos_reports.commands.forms import convert
from sos_reports.commands.reports import fill
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT, example_path, example_tree, write_json, write_yaml


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["batch", *args])
    return result.exit_code, result.stdout, result.stderr


def _every_kind(folder: Path) -> dict[str, Path]:
    """A good input of every kind, in every form: YAML, JSON, an Excel workbook, a Word form."""
    folder.mkdir(parents=True, exist_ok=True)
    icpc = folder / "school.yaml"
    shutil.copy(example_path("icpc"), icpc)
    rcpc = write_json(folder / "review.json", example_tree("rcpc"))
    medical = folder / "gp.xlsx"
    convert(example_path("medical"), medical)
    form = folder / "visit.docx"
    convert(example_path("icpc"), form)
    return {"icpc": icpc, "rcpc": rcpc, "medical": medical, "form": form}


def _alone(source: Path, tmp_path: Path) -> Path:
    """The report `fill` writes for one input on its own."""
    folder = tmp_path / "alone" / source.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / source.name
    shutil.copy(source, copy)
    return Path(fill(copy).written[0])


def test_a_broken_input_among_good_ones_of_every_kind_stops_none_of_them(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    good = _every_kind(inputs / "agency")
    # The same name in another folder must come out too, not overwrite the first.
    other = inputs / "other-agency"
    other.mkdir()
    shutil.copy(example_path("icpc"), other / "school.yaml")
    tree = example_tree("icpc")
    tree["conference"]["date"] = "31 February 2025"
    broken = write_yaml(inputs / "agency" / "broken.yaml", tree)

    code, stdout, stderr = _run(str(inputs), "-o", str(tmp_path / "out"))

    assert code == 1
    out = tmp_path / "out"
    expected = {
        out / "agency" / "school-report.docx",
        out / "agency" / "review-report.docx",
        out / "agency" / "gp-report.docx",
        out / "agency" / "gp-report-confidential-annex.docx",
        out / "agency" / "visit-report.docx",
        out / "other-agency" / "school-report.docx",
    }
    assert {Path(line) for line in stdout.splitlines()} == expected
    assert {p for p in out.rglob("*") if p.is_file()} == expected
    assert not (out / "agency" / "broken-report.docx").exists()
    assert f"failed: {broken}" in stderr
    assert "conference.date (line" in stderr
    assert "Batch: 5 reports written, 1 failed" in stderr
    # Each report is, word for word, the one `fill` writes for that input alone.
    for source in good.values():
        ours = out / "agency" / f"{source.stem}-report.docx"
        assert docx_text(ours) == docx_text(_alone(source, tmp_path))
    annex = out / "agency" / "gp-report-confidential-annex.docx"
    alone_annex = tmp_path / "alone" / "agency" / "gp-report-confidential-annex.docx"
    assert docx_text(annex) == docx_text(alone_annex)


def test_with_every_input_good_the_batch_exits_0_and_says_how_many(tmp_path: Path) -> None:
    _every_kind(tmp_path / "in")
    code, stdout, stderr = _run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "2")
    assert code == 0, stderr
    assert len(stdout.splitlines()) == 5
    assert "Batch: 4 reports written, 0 failed" in stderr


def test_inputs_of_one_name_in_one_folder_both_come_out(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(example_path("icpc"), folder / "visit.yaml")
    write_json(folder / "visit.json", example_tree("rcpc"))
    code, stdout, stderr = _run(str(folder), "-o", str(tmp_path / "out"), "-j", "1")
    assert code == 0, stderr
    names = sorted(Path(line).name for line in stdout.splitlines())
    assert names == ["visit-json-report.docx", "visit-yaml-report.docx"]


def test_named_files_of_one_name_from_two_folders_keep_their_folders(tmp_path: Path) -> None:
    for name in ("north", "south"):
        (tmp_path / name).mkdir()
        shutil.copy(example_path("icpc"), tmp_path / name / "school.yaml")
    code, stdout, _ = _run(
        str(tmp_path / "north" / "school.yaml"),
        str(tmp_path / "south" / "school.yaml"),
        "-o",
        str(tmp_path / "out"),
    )
    assert code == 0
    assert sorted(stdout.splitlines()) == [
        str(tmp_path / "out" / "north" / "school-report.docx"),
        str(tmp_path / "out" / "south" / "school-report.docx"),
    ]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("-rf", "_-rf"),
        ("CON", "_CON"),
        ("a:b*c?", "a_b_c_"),
        ("line\nbreak", "line_break"),
        ("trailing. ", "trailing"),
        (".hidden", "_.hidden"),
        ("\udcff", "_"),
    ],
)
def test_output_names_are_safe_whatever_an_input_is_called(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_a_very_long_input_name_gives_names_a_disk_accepts(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    long_name = "é" * 120  # 240 bytes: with -report-confidential-annex.docx too long
    shutil.copy(example_path("medical"), folder / f"{long_name}.yaml")
    code, stdout, stderr = _run(str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    written = [Path(line) for line in stdout.splitlines()]
    assert len(written) == 2
    assert all(len(p.name.encode()) < 255 and p.exists() for p in written)


def test_word_documents_that_are_not_forms_are_skipped_not_failed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(example_path("icpc"), folder / "school.yaml")
    # A report written earlier, lying among the inputs, is not an input.
    assert fill(folder / "school.yaml", folder / "old-report.docx").written
    code, stdout, stderr = _run(str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    assert [Path(line).name for line in stdout.splitlines()] == ["school-report.docx"]
    assert f"skipped: {folder / 'old-report.docx'}" in stderr
    assert "1 skipped" in stderr


def test_a_word_document_named_on_the_command_line_is_an_input_and_fails(tmp_path: Path) -> None:
    shutil.copy(example_path("icpc"), tmp_path / "school.yaml")
    report = Path(fill(tmp_path / "school.yaml").written[0])
    code, _, stderr = _run(str(report), "-o", str(tmp_path / "out"))
    assert code == 1
    assert f"failed: {report}" in stderr


def test_the_output_folder_inside_an_input_folder_is_not_searched(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(example_path("icpc"), folder / "school.yaml")
    (folder / "out").mkdir()
    shutil.copy(example_path("icpc"), folder / "out" / "stray.yaml")
    jobs, missing = find_inputs([folder], folder / "out")
    assert [job.input.name for job in jobs] == ["school.yaml"]
    assert not missing


def test_an_input_that_does_not_exist_is_a_failure_the_others_go_on(tmp_path: Path) -> None:
    shutil.copy(example_path("icpc"), tmp_path / "school.yaml")
    code, stdout, stderr = _run(
        str(tmp_path / "school.yaml"), str(tmp_path / "gone.yaml"), "-o", str(tmp_path / "out")
    )
    assert code == 1
    assert stdout.splitlines() == [str(tmp_path / "out" / "school-report.docx")]
    assert f"failed: {tmp_path / 'gone.yaml'}: no such file or folder" in stderr


def test_an_existing_report_is_refused_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    shutil.copy(example_path("icpc"), tmp_path / "school.yaml")
    out = tmp_path / "out"
    assert _run(str(tmp_path / "school.yaml"), "-o", str(out))[0] == 0
    before = (out / "school-report.docx").read_bytes()
    code, _, stderr = _run(str(tmp_path / "school.yaml"), "-o", str(out))
    assert code == 1
    assert "already exists; use --force" in stderr
    assert (out / "school-report.docx").read_bytes() == before
    assert _run(str(tmp_path / "school.yaml"), "-o", str(out), "-f")[0] == 0


def test_strict_fails_an_input_with_warnings_and_names_them(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["conference"]["date"] = "2099-03-12"
    write_yaml(tmp_path / "late.yaml", tree)
    result = batch([tmp_path / "late.yaml"], tmp_path / "plain")
    warned = result.outcomes[0]
    if not warned.findings:
        pytest.skip("the example gives no warning for a far conference date")
    strict = batch([tmp_path / "late.yaml"], tmp_path / "strict", strict=True)
    assert strict.failed and not strict.written
    assert strict.failed[0].findings


def test_folders_made_for_inputs_that_all_failed_are_removed(tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "bad.yaml").write_text("kind: icpc\n")
    code, _, _ = _run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert code == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_the_progress_bar_is_hidden_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    _every_kind(tmp_path / "in")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sos_reports",
            "batch",
            str(tmp_path / "in"),
            "-o",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Filling" not in done.stderr
    assert "\r" not in done.stderr
    assert "Batch: 4 reports written" in done.stderr


@pytest.mark.pdf
def test_batch_pdfs_are_written_beside_each_report(tmp_path: Path, libreoffice: str) -> None:
    _every_kind(tmp_path / "in")
    code, stdout, stderr = _run(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--pdf")
    assert code == 0, stderr
    written = [Path(line) for line in stdout.splitlines()]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 5
    for pdf in pdfs:
        assert pdf.with_suffix(".docx") in written
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Conference" in text or "conference" in text
    assert not list((tmp_path / "out").rglob(".sos-reports-pdf-*"))


def _stray(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("signum", "jobs"),
    [(signal.SIGTERM, "2"), (signal.SIGINT, "2"), (signal.SIGTERM, "1")],
    ids=["SIGTERM", "SIGINT", "SIGTERM-one-worker"],
)
def test_a_batch_stopped_half_way_leaves_whole_pairs_and_no_worker(
    tmp_path: Path, signum: int, jobs: str
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(60):
        shutil.copy(example_path("medical"), inputs / f"gp-{i:02d}.yaml")
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "sos_reports", "batch", str(inputs), "-o", str(out), "-j", jobs],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.docx"))) < 6:
        time.sleep(0.005)
    workers = _children(process.pid)
    # As a terminal's Ctrl-C reaches the whole group, SIGINT goes to the workers too.
    for pid in [process.pid, *(workers if signum == signal.SIGINT else [])]:
        os.kill(pid, signum)
    stdout, stderr = process.communicate(timeout=60)

    assert "Traceback" not in stderr, stderr
    assert process.returncode in (128 + signum, 0), stderr
    written = [Path(line) for line in stdout.splitlines()]
    docx = sorted(out.glob("*.docx"))
    assert sorted(written) == docx
    reports = [p for p in docx if p.name.endswith("-report.docx")]
    assert (reports and len(reports) < 60) or process.returncode == 0
    for report in reports:  # each report with its annex, whole
        annex = report.with_name(f"{report.stem}-confidential-annex.docx")
        assert annex in docx
        for document in (report, annex):
            with zipfile.ZipFile(document) as archive:
                assert archive.testzip() is None
    assert _stray(out) == []
    assert [p.name for p in tmp.iterdir() if p.name != f"sos-reports-{os.getuid()}"] == []
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _children(pid: int) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        if found:
            return [int(p) for p in found]
        time.sleep(0.01)
    return []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return "gone"


def test_a_batch_of_many_inputs_never_waits_on_its_own_workers(tmp_path: Path) -> None:
    """Hundreds of jobs are more than a pipe holds before the workers read them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(600):
        (folder / f"{'a-long-name-of-an-input-' * 5}{i:04d}.yaml").write_text("kind: icpc\n")
    shutil.copy(example_path("icpc"), folder / "school.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "sos_reports", "batch", str(folder), "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Batch: 1 report written, 600 failed" in done.stderr


def test_a_folder_without_inputs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, stdout, stderr = _run(str(tmp_path / "empty"), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "no inputs found" in stderr
    assert stdout == ""
