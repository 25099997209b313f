"""Runs at the same time never mix their files, and never both claim one new file.

Real `sos-reports fill` processes are started together, round after round, on two inputs
that say in every document which input they came from.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_tree, write_yaml

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process timing on POSIX")

# Each round of the unlocked writing of old mixed the pair about one time in three.
ROUNDS = 8


def marked_input(folder: Path, kind: str, mark: str) -> Path:
    """An example input whose case reference (printed on the report and the annex) is `mark`."""
    tree = example_tree(kind)
    tree["conference"]["case_reference"] = mark
    return write_yaml(folder / f"{mark}.yaml", tree)


# The command line as `python -m sos_reports` runs it, on a slow disk (a network share):
# moving a file into place takes anything up to 0.3 s, which widens every window between
# two moves and varies their order.
SLOW_DISK = """
import os, random, sys, time
from sos_reports.cli import main
for name in ("replace", "rename", "link"):
    def slow(*args, _real=getattr(os, name), **kwargs):
        time.sleep(random.uniform(0, 0.3))
        return _real(*args, **kwargs)
    setattr(os, name, slow)
sys.argv[0] = "sos-reports"
main()
"""


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_DISK, "fill", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    out = []
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        out.append((process.returncode, stderr))
    return out


def mark_in(path: Path, marks: tuple[str, ...]) -> str:
    found = [m for m in marks if m in docx_text(path)]
    assert len(found) == 1, (path, found)
    return found[0]


def test_four_forced_runs_of_two_inputs_to_one_name_keep_each_report_with_its_own_annex(
    tmp_path: Path,
) -> None:
    marks = ("CASE-ALDER-0001", "CASE-BIRCH-0002")
    inputs = [marked_input(tmp_path, "medical", mark) for mark in marks]
    report = tmp_path / "out" / "report.docx"
    annex = report.with_name("report-confidential-annex.docx")
    report.parent.mkdir()
    pairs = []
    for _ in range(ROUNDS):
        runs = [start(str(inputs[i % 2]), "-o", str(report), "-f") for i in range(4)]
        for code, stderr in finish(runs):
            assert code == 0, stderr
        pairs.append((mark_in(report, marks), mark_in(annex, marks)))
        assert sorted(p.name for p in report.parent.iterdir()) == sorted([report.name, annex.name])
    mixed = [pair for pair in pairs if pair[0] != pair[1]]
    assert mixed == [], f"a report beside another input's annex in {len(mixed)} of {ROUNDS} rounds"


def test_of_three_runs_creating_one_new_file_exactly_one_succeeds(tmp_path: Path) -> None:
    marks = ("CASE-CEDAR-0003", "CASE-DAMSON-0004", "CASE-ELDER-0005")
    inputs = [marked_input(tmp_path, "icpc", mark) for mark in marks]
    out = tmp_path / "out"
    out.mkdir()
    for _ in range(ROUNDS):
        report = out / "report.docx"
        report.unlink(missing_ok=True)
        results = finish([start(str(path), "-o", str(report)) for path in inputs])
        winners = [i for i, (code, _) in enumerate(results) if code == 0]
        assert len(winners) == 1, results
        for i, (code, stderr) in enumerate(results):
            if i not in winners:
                assert code == 1
                assert "already exists" in stderr and "report.docx" in stderr, stderr
                assert "Traceback" not in stderr
        # The file there is the one the winner wrote, not a later run's silent replacement.
        assert mark_in(report, marks) == marks[winners[0]]
        assert sorted(p.name for p in out.iterdir()) == ["report.docx"]
