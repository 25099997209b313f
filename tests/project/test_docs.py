"""The README documents every command that works today, and its examples are real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sos_reports.cli import cli
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_every_command_is_in_the_readme() -> None:
    for name in cli.commands:
        assert f"sos-reports {name}" in README, name


def test_the_readme_shows_no_command_that_does_not_exist() -> None:
    shown = set(re.findall(r"sos-reports ([a-z-]+)", README))
    assert shown <= set(cli.commands), shown - set(cli.commands)


def test_the_readme_pictures_exist() -> None:
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / picture).is_file(), picture


def test_the_readme_set_up_commands_match_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert ".venv/bin/pytest" in README and ".venv/bin/pytest" in ci
    assert "scripts/install-system-packages" in README and "scripts/install-system-packages" in ci
    assert "sos-reports fill examples/icpc-school.yaml" in README


def test_no_file_holds_a_merge_left_unresolved() -> None:
    """A conflict marker committed by mistake would print in the README or break a module."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    marked = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".cfg", ""}:
            continue
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines):
            marked.append(name)
    assert marked == []


def test_set_up_command_1_can_be_run_twice(tmp_path: Path) -> None:
    """After its install steps (which need the network, and would replace this very
    environment), set-up command 1 activates the environment and fills the example: twice
    in a row in one shell, as a user who runs it again does."""
    block = re.search(r"\*\*Install and fill.*?```sh\n(.+?)\n```", README, re.S)
    assert block, "the README has no set-up command 1"
    steps = [s.strip() for s in block.group(1).split("&&")]
    assert steps[:2] == ["python3 -m venv .venv", ".venv/bin/pip install ."], steps
    rest = " && ".join(steps[2:])
    assert rest.startswith(". .venv/bin/activate && sos-reports "), rest
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "icpc-school.yaml", tmp_path / "examples")
    assert (Path(sys.prefix) / "bin" / "activate").is_file(), "the tests run in a venv"
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # not yet on the PATH: activating puts it there
    shell = f"{rest} && {rest} && command -v sos-reports"
    done = subprocess.run(
        ["sh", "-c", shell], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines().count("examples/icpc-school-report.docx") == 2
    # The environment's own script, activate, names its folder as it was made.
    assert done.stdout.splitlines()[-1] == str(Path(sys.prefix) / "bin" / "sos-reports")
    assert "Maisie" in docx_text(tmp_path / "examples" / "icpc-school-report.docx")
