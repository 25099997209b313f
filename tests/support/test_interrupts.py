"""A run stopped by SIGTERM or SIGHUP cleans up as Ctrl-C does: no stray file, nothing half
written, no copy of the confidential annex left in the temporary folder, no LibreOffice left
running.

Each test runs `sos-reports fill` as a real process, watches the output folder and the
temporary folder, and sends the signal the moment the first file appears (and, with --pdf,
at moments while LibreOffice is converting), round after round.
"""

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

from tests.helpers.examples import ROOT, example_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SIGNALS = [signal.SIGTERM, signal.SIGHUP]
REPORT = "report.docx"
ANNEX = "report-confidential-annex.docx"
LOCKS = f"sos-reports-{os.getuid()}" if hasattr(os, "getuid") else "sos-reports-user"


class Folders:
    """The input, the output folder and the run's own temporary folder, emptied each round."""

    def __init__(self, root: Path) -> None:
        self.input = root / "in" / "gp.yaml"
        self.input.parent.mkdir()
        shutil.copy(example_path("medical"), self.input)
        self.out = root / "out"
        self.tmp = root / "tmp"
        self.out.mkdir()
        self.tmp.mkdir()

    def empty(self) -> None:
        for folder in (self.out, self.tmp):
            shutil.rmtree(folder)
            folder.mkdir()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env.update(TMPDIR=str(self.tmp), PYTHONUNBUFFERED="1")
        return env

    def appeared(self) -> bool:
        """Anything in the output folder, or anything but the lock folder in the temporary one."""
        return any(os.scandir(self.out)) or any(e.name != LOCKS for e in os.scandir(self.tmp))


def run_and_stop(
    folders: Folders, signum: int, delay: float, *extra: str
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "sos_reports",
        "fill",
        str(folders.input),
        "-o",
        str(folders.out / REPORT),
        *extra,
    ]
    process = subprocess.Popen(
        command, env=folders.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and not folders.appeared() and time.monotonic() < deadline:
        time.sleep(0.0005)
    if delay:
        time.sleep(delay)
    if process.poll() is None:
        process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def whole(docx: Path) -> bool:
    with zipfile.ZipFile(docx) as archive:
        return archive.testzip() is None and "word/document.xml" in archive.namelist()


def left_in_temporary_folder(tmp: Path) -> list[str]:
    """Everything in the temporary folder but the (empty) lock files of the output folders."""
    left = []
    for path in sorted(tmp.rglob("*")):
        relative = path.relative_to(tmp)
        if relative.parts[0] == LOCKS and (path.is_dir() or path.stat().st_size == 0):
            continue
        left.append(str(relative))
    return left


def libreoffice_processes_under(folder: Path) -> list[int]:
    """Processes whose command line names the folder (a LibreOffice started with its profile)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in command:
            found.append(int(entry.name))
    return found


def check_round(folders: Folders, result: subprocess.CompletedProcess[str], signum: int) -> str:
    """What the stopped run left, checked; returns how the run ended."""
    assert "Traceback" not in result.stderr, result.stderr
    # -signum: the signal came as the interpreter was exiting, after the work was done.
    finished = result.returncode == 0 or (result.returncode == -signum and REPORT in result.stdout)
    assert finished or result.returncode == 128 + signum, (result.returncode, result.stderr)
    names = sorted(p.name for p in folders.out.iterdir())
    allowed = {REPORT, ANNEX, "report.pdf", "report-confidential-annex.pdf"}
    assert [n for n in names if n not in allowed] == [], (
        f"stray files in the output folder: {names}",
        result.returncode,
        result.stdout,
        result.stderr,
    )
    # The report and its annex (and their PDFs) are written as a set: all, or none.
    if names:
        assert REPORT in names and ANNEX in names, names
        for name in names:
            if name.endswith(".docx"):
                assert whole(folders.out / name), f"{name} is not a whole Word document"
    if finished:
        assert names, "the run finished but wrote nothing"
    elif not result.stdout.strip():
        assert names == [], "an interrupted run that wrote nothing left files"
        assert "Interrupted; nothing was written." in result.stderr
    assert left_in_temporary_folder(folders.tmp) == []
    assert libreoffice_processes_under(folders.tmp) == []
    return "finished" if finished else "stopped"


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_fill_stopped_the_moment_a_file_appears_leaves_nothing_behind(
    tmp_path: Path, signum: int
) -> None:
    folders = Folders(tmp_path)
    endings = []
    for delay in (0, 0, 0, 0.002, 0.005, 0.01, 0.02, 0.05):
        folders.empty()
        result = run_and_stop(folders, signum, delay)
        endings.append(check_round(folders, result, signum))
    # The signal must have stopped some runs for the test to have tested anything.
    assert "stopped" in endings, endings


@pytest.mark.pdf
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_fill_pdf_stopped_while_libreoffice_converts_leaves_no_copy_of_the_annex(
    tmp_path: Path, signum: int, libreoffice: str
) -> None:
    folders = Folders(tmp_path)
    endings = []
    # 0: the private folder for the conversion has just been made; later: LibreOffice is
    # starting, converting the report, converting the annex.
    for delay in (0, 0.3, 0.8, 1.5):
        folders.empty()
        result = run_and_stop(folders, signum, delay, "--pdf")
        endings.append(check_round(folders, result, signum))
    assert endings.count("stopped") >= 3, endings


def test_a_signal_while_the_handlers_are_put_back_ends_the_run_without_a_traceback() -> None:
    """The command has finished; a SIGTERM that comes while `_settle` puts the default
    handlers back, one signal at a time, ends the process as it ends any program."""
    script = """
import os, signal
from sos_reports import cli
from sos_reports.support.interrupts import install
install()
real = signal.signal
def putting_back(signum, handler):
    if signum == signal.SIGINT:
        os.kill(os.getpid(), signal.SIGTERM)  # between putting back SIGINT and SIGTERM
    return real(signum, handler)
signal.signal = putting_back
cli._settle()
print("not ended")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == -signal.SIGTERM, (done.returncode, done.stdout, done.stderr)
