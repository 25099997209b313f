"""A small cache of derived data in the user's cache folder, so that a fill starts fast.

It holds only what is computed from the installed packages and templates (the bank
holidays of a year, compiled template code), never a report's data; it is keyed by what it
was computed from, safe to delete, and off with SOS_REPORTS_CACHE=off. Any failure to read
or write it falls back to computing afresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    setting = os.environ.get("SOS_REPORTS_CACHE", "")
    if setting.lower() in {"off", "0", "no"}:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None
    )
    return Path(base or Path.home() / ".cache") / "sos-reports"


def folder(name: str) -> Path | None:
    """A sub-folder of the cache, made if need be; None when the cache is off or unwritable."""
    root = cache_dir()
    if root is None:
        return None
    path = root / name
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def read_json(name: str) -> Any:
    root = cache_dir()
    if root is None:
        return None
    try:
        return json.loads((root / name).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_json(name: str, data: Any) -> None:
    target = folder(".")
    if target is None:
        return
    with contextlib.suppress(OSError):
        fd, temp = tempfile.mkstemp(dir=target, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temp, target / name)
