"""The README's tour, pasted line by line after the set-up, does what each line says.

The lines are read from README.md itself and run in order by one shell, as a user pastes
them, in a folder holding a copy of `examples/` (as a checkout does), with the PATH the
set-up leaves: the virtual environment's `bin` first. A line exits 0 unless its comment
starts with `exit N:`, and every file its comment says it `writes` must be there, and be
what its extension says. The tour has a PDF line, which needs LibreOffice: the tests that
run the tour are marked `pdf`, and without LibreOffice they are skipped, except in CI (the
CI variable set), where they fail, as the other PDF tests do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT

README = (ROOT / "README.md").read_text("utf-8")
HEADING = "What are we worried about?"
SCHOOL_TITLE = "Agency report to an Initial Child Protection Conference\n"


@dataclass
class Line:
    command: str
    comment: str

    @property
    def exit_code(self) -> int:
        match = re.match(r"exit (\d+)\b", self.comment)
        return int(match.group(1)) if match else 0

    @property
    def writes(self) -> list[str]:
        _, said, rest = self.comment.partition("writes ")
        return re.findall(r"[\w./-]+\.(?:docx|pdf|xlsx|yaml|yml|json)\b", rest) if said else []


@dataclass
class Ran:
    line: Line
    exit_code: int
    stdout: str
    stderr: str
    folder: Path


def tour_lines(readme: str) -> list[Line]:
    """The commands of the first shell block under "A short tour", with their comments."""
    section = readme.split("\n## A short tour", 1)[1]
    block = re.search(r"^```sh\n(.*?)^```$", section, re.S | re.M)
    assert block, "the README has no shell block under 'A short tour'"
    lines = []
    for text in block.group(1).splitlines():
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        lines.append(Line(*_split(text)))
    return lines


def _split(text: str) -> tuple[str, str]:
    parts = re.split(r"\s+#\s+", text, maxsplit=1)
    return (parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")


def run_tour(lines: list[Line], folder: Path) -> list[Ran]:
    """Every line in one shell, in order, as pasted: a `cd` stays, a failure does not stop."""
    log = folder.parent / f"{folder.name}-log"
    log.mkdir()
    script = []
    for n, line in enumerate(lines):
        # The brace on its own line keeps a trailing comment from hiding it.
        script.append(
            f'{{ {line.command}\n}} </dev/null >"{log}/{n}.out" 2>"{log}/{n}.err"; '
            f'echo $? >"{log}/{n}.rc"; pwd >"{log}/{n}.pwd"'
        )
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "sos-reports").is_file(), f"sos-reports is not installed in {venv_bin}"
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(["sh", "-c", "\n".join(script)], cwd=folder, env=env, timeout=600, check=False)
    ran = []
    for n, line in enumerate(lines):
        assert (log / f"{n}.rc").is_file(), f"the tour stopped before: {line.command}"
        ran.append(
            Ran(
                line,
                int((log / f"{n}.rc").read_text()),
                (log / f"{n}.out").read_text("utf-8"),
                (log / f"{n}.err").read_text("utf-8"),
                Path((log / f"{n}.pwd").read_text().strip()),
            )
        )
    return ran


def check_written(path: Path) -> None:
    """The file is what its extension says: a Word document or a PDF with the report's
    headings, a workbook with its Instructions sheet, a YAML or JSON mapping."""
    assert path.is_file() and path.stat().st_size > 0, path
    suffix = path.suffix
    if suffix == ".docx":
        text = docx_text(path)
        # A report has the three questions; the chair's annex says whom it is for.
        annex = path.stem.endswith("-confidential-annex")
        assert ("NOT FOR SHARING WITH THE FAMILY" if annex else HEADING) in text, path
    elif suffix == ".pdf":
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert HEADING in " ".join(text.split()), path
    elif suffix == ".xlsx":
        assert zipfile.is_zipfile(path)
        assert "Instructions" in openpyxl.load_workbook(path, read_only=True).sheetnames
    elif suffix in {".yaml", ".yml"}:
        assert isinstance(yaml.safe_load(path.read_text("utf-8")), dict), path
    elif suffix == ".json":
        assert isinstance(json.loads(path.read_text("utf-8")), dict), path


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> list[Ran]:
    lines = tour_lines(README)
    if any("--pdf" in line.command for line in lines):
        from sos_reports.documents.pdf import find_soffice
        from sos_reports.errors import PdfError

        try:
            find_soffice()
        except PdfError:
            if os.environ.get("CI"):
                pytest.fail("LibreOffice is not installed, and the tour's PDF line must run in CI")
            pytest.skip("LibreOffice is not installed (the tour has a --pdf line)")
    folder = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT / "examples", folder / "examples")
    return run_tour(lines, folder)


def test_the_tour_is_found_and_uses_the_installed_command() -> None:
    lines = tour_lines(README)
    assert len(lines) >= 10
    assert sum(line.command.startswith("sos-reports ") for line in lines) >= 10


@pytest.mark.pdf
def test_every_line_of_the_tour_exits_as_the_readme_says(tour: list[Ran]) -> None:
    wrong = [
        f"{r.line.command!r} exited {r.exit_code}, the README says {r.line.exit_code}:\n{r.stderr}"
        for r in tour
        if r.exit_code != r.line.exit_code
    ]
    assert not wrong, "\n".join(wrong)
    assert "Traceback" not in "".join(r.stderr for r in tour)


@pytest.mark.pdf
def test_what_each_line_says_it_writes_is_written(tour: list[Ran]) -> None:
    said = [(r, name) for r in tour for name in r.line.writes]
    assert len(said) >= 8
    for ran, name in said:
        check_written(ran.folder / name)
        # Paths written go to standard output, one per line.
        if ran.line.command.startswith("sos-reports ") and ">" not in ran.line.command:
            assert name in ran.stdout.splitlines(), (ran.line.command, ran.stdout)


@pytest.mark.pdf
def test_a_refused_line_writes_nothing(tour: list[Ran]) -> None:
    refused = [r for r in tour if r.line.exit_code != 0]
    assert refused, "the tour shows no refusal"
    for ran in refused:
        assert ran.stdout == "", ran.line.command
        assert ran.stderr.strip(), ran.line.command


@pytest.mark.pdf
def test_the_readme_shows_what_validate_really_prints(tour: list[Ran]) -> None:
    section = README.split("\n### validate", 1)[1]
    block = re.search(r"^```\n\$ (.+?)\n(.*?)^```$", section, re.S | re.M)
    assert block, "the validate section shows no sample run"
    command, shown = block.group(1), block.group(2)
    runs = [r for r in tour if r.line.command == command]
    assert runs, f"the sample {command!r} is not a line of the tour"
    assert runs[0].stderr == shown


@pytest.mark.pdf
def test_the_tour_fills_one_report_whichever_way_it_is_filled(tour: list[Ran]) -> None:
    """The tour fills the one example family from YAML, from the workbook and through a local
    template: the reports say the same."""
    reports = {
        name: docx_text(ran.folder / name)
        for ran in tour
        if ran.line.command.startswith("sos-reports fill ")
        for name in ran.line.writes
        if name.endswith(".docx")
    }
    # The tour also fills the conference record: the reports of the school's input, by
    # their title, are the ones compared.
    school = {name: text for name, text in reports.items() if text.startswith(SCHOOL_TITLE)}
    assert len(school) >= 3, reports.keys()
    first = next(iter(school.values()))
    assert all(text == first for text in school.values()), school.keys()
