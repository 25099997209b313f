"""The README documents every command that works today, and its examples are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sos_reports.cli import cli

ROOT = Path(__file__).resolve().parents[1]
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
    import subprocess

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
