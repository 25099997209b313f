"""Writes a command's outputs as a set: all checked first, each via a temporary file.

An interrupted run leaves either the old file or the new one, never half a file; an error
while producing any output writes none of them; an input is never an output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sos_reports.errors import OutputError


@dataclass(frozen=True)
class Output:
    """A file to write, and how to produce its bytes into an open binary file."""

    path: Path
    produce: Callable[[IO[bytes]], object]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _mode_for(path: Path) -> int:
    """The permissions an ordinary new file gets (mkstemp's are owner-only), or the old file's."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_outputs(paths: Iterable[Path], inputs: Iterable[Path], force: bool) -> None:
    """Every reason not to write, found before anything is written."""
    inputs = [Path(i) for i in inputs]
    seen: list[Path] = []
    for path in paths:
        if any(_same_file(path, i) for i in inputs):
            raise OutputError(
                f"{path} is one of the inputs; an input is never overwritten, choose another output name"
            )
        if any(_same_file(path, s) for s in seen):
            raise OutputError(f"{path} would be written twice by this command")
        seen.append(path)
        if not path.parent.is_dir():
            raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise OutputError(f"cannot write {path}: it is a folder")
        if path.exists() and not force:
            raise OutputError(f"{path} already exists; use --force to replace it")


def write_outputs(
    outputs: list[Output], inputs: Iterable[Path] = (), force: bool = False
) -> list[Path]:
    """Check, produce every output into a temporary file, then rename them all into place."""
    check_outputs([o.path for o in outputs], inputs, force)
    temps: list[tuple[str, Path]] = []
    try:
        for output in outputs:
            fd, temp = tempfile.mkstemp(
                dir=output.path.parent, prefix=f".{output.path.name}.", suffix=".part"
            )
            temps.append((temp, output.path))
            os.chmod(temp, _mode_for(output.path))
            with os.fdopen(fd, "wb") as handle:
                output.produce(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, final in temps:
            os.replace(temp, final)
    except BaseException:
        for temp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise
    return [o.path for o in outputs]
