"""The README documents every command that works today, and its examples are real."""

from __future__ import annotations

import re
from pathlib import Path

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
