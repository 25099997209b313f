"""What the browser form's tests share: the folder a server serves."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of drafts, as `sos-reports serve FOLDER` is given."""
    made = tmp_path / "drafts"
    made.mkdir()
    return made
