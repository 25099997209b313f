"""Writes a command's outputs as a set: all checked first, each via a temporary file.

An interrupted run leaves either the old file or the new one, never half a file; an error
while producing any output writes none of them; an input is never an output.
"""

from __future__ import annotations

import contextlib
import errno
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
    current = outputs[0].path if outputs else Path()
    placed = 0
    try:
        for output in outputs:
            current = output.path
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
            current = final
            os.replace(temp, final)
            placed += 1
    except BaseException as exc:
        for temp, _ in temps[placed:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        if isinstance(exc, OSError) and _while_writing(exc, current, temps):
            written = [str(final) for _, final in temps[:placed]]
            raise OutputError(_cannot_write(current, exc, written)) from None
        raise
    return [o.path for o in outputs]


def _while_writing(exc: OSError, path: Path, temps: list[tuple[str, Path]]) -> bool:
    """Whether the error is about writing the output, not about something read on the way."""
    if exc.filename is None:
        return True
    named = Path(os.path.abspath(str(exc.filename)))
    finals = [Path(os.path.abspath(p)) for p in (path, *(final for _, final in temps))]
    # A temporary file is named after its output; mkstemp names one that was never made.
    return any(
        named == final
        or (
            named.parent == final.parent
            and named.name.startswith(f".{final.name}.")
            and named.suffix == ".part"
        )
        for final in finals
    )


def _cannot_write(path: Path, exc: OSError, written: list[str]) -> str:
    """Why an output could not be written, naming the file the user asked for (never the
    temporary file it was being written to)."""
    folder = path.parent if str(path.parent) else Path(".")
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "your disk quota is full",
        errno.EFBIG: "the file is larger than that disk or account allows",
        errno.EROFS: f"the folder {folder} is on a read-only disk",
        errno.EACCES: f"you do not have permission to write in the folder {folder}",
        errno.EPERM: f"you do not have permission to write in the folder {folder}",
    }
    reason = reasons.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    done = (
        f" ({', '.join(written)} was written)"
        if written
        else "; nothing was written and any earlier file of that name is unchanged"
    )
    return f"cannot write {path}: {reason}{done}"
