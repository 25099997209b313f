"""Writes a command's outputs as a set: all checked first, each via a temporary file.

An interrupted run leaves either the old file or the new one, never half a file; an error
while producing any output writes none of them; an input is never an output.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sos_reports.errors import OutputError
from sos_reports.support import interrupts
from sos_reports.support.interrupts import held

if TYPE_CHECKING:
    from filelock import FileLock


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
    """Check, produce every output into a private temporary file, then move them all into place.

    The move happens under a lock on the outputs' folders, so two runs writing the same names
    never leave one run's report beside the other's annex, and a file that another run created
    meanwhile is refused, not replaced (unless `force`). Ctrl-C, SIGTERM and SIGHUP are held
    back while the files are moved, so an interrupted run has written all of them or none.
    """
    check_outputs([o.path for o in outputs], inputs, force)
    temps: list[tuple[str, Path]] = []
    current = outputs[0].path if outputs else Path()
    placed: list[Path] = []  # outputs in place; new files are removed again if a later fails
    done = False
    try:
        for output in outputs:
            current = output.path
            # mkstemp's file is the user's alone (0600) until it is complete and in place. A
            # signal is held back until the file is known, so that it is always removed.
            with held():
                fd, temp = tempfile.mkstemp(
                    dir=output.path.parent, prefix=f".{output.path.name}.", suffix=".part"
                )
                temps.append((temp, output.path))
                handle = os.fdopen(fd, "wb")
            with handle:
                output.produce(handle)
                handle.flush()
                os.fsync(handle.fileno())
        with folder_locks(o.path.parent for o in outputs):
            check_outputs([o.path for o in outputs], inputs, force)
            with held():
                for temp, final in temps:
                    current = final
                    os.chmod(temp, _mode_for(final))
                    if force:
                        os.replace(temp, final)
                    else:
                        _create(temp, final)
                    placed.append(final)
                interrupts.placed.extend(str(o.path) for o in outputs)
                done = True
    except BaseException as exc:
        if done:
            raise  # a signal taken once every file was in place: they stay, and are recorded
        for temp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        replaced = [final for final in placed if force]
        if not force:
            for final in placed:  # files this run created, when a later one could not be
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(final)
        if isinstance(exc, FileExistsError):
            raise OutputError(
                f"{exc.filename} was created by another program while this one was writing; "
                "it was left as it is (use --force to replace it)"
            ) from None
        if isinstance(exc, OSError) and _while_writing(exc, current, temps):
            raise OutputError(_cannot_write(current, exc, [str(p) for p in replaced])) from None
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


def _create(temp: str, final: Path) -> None:
    """Move `temp` to a new file `final`, failing with FileExistsError if `final` exists."""
    try:
        os.link(temp, final)  # unlike a rename, a link never replaces an existing file
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "exists", str(final)) from None
    except OSError:
        # No hard links on this disk (FAT, some network shares): the folder lock is the guard.
        if os.path.lexists(final):
            raise FileExistsError(errno.EEXIST, "exists", str(final)) from None
        os.replace(temp, final)
        return
    os.unlink(temp)


# --- the lock on an output folder ------------------------------------------------------------

# How long a run waits for another run writing to the same folder before giving up.
LOCK_WAIT = 120.0


def user_folder() -> Path:
    """A folder that only this user can write to (never the output folder): the lock files,
    and the keys the browser form keeps between runs."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        base = Path(runtime) / "sos-reports"
    else:
        user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
        base = Path(tempfile.gettempdir()) / f"sos-reports-{user}"
    base.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(base)
    if hasattr(os, "getuid") and (
        not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077
    ):
        raise OutputError(
            f"cannot lock the output folder: {base} is not a private folder of this user; "
            "remove it, or set TMPDIR to a folder of your own"
        )
    return base


@contextlib.contextmanager
def folder_locks(folders: Iterable[Path]) -> Iterator[None]:
    """Hold the lock of each folder (in one order, so two runs cannot wait on each other).

    The locks are released and dropped with the stopping signals held back: a signal taken
    inside filelock's own clean-up (its `__del__`) would be printed as an ignored exception.
    """
    from filelock import FileLock, Timeout  # only a run that writes needs it

    keys = sorted({str(Path(f).resolve()) for f in folders})
    base = user_folder() if keys else None
    locks: list[FileLock] = []
    try:
        for key in keys:
            assert base is not None
            name = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
            locks.append(FileLock(base / f"{name}.lock", mode=0o600))
            try:
                locks[-1].acquire(timeout=LOCK_WAIT)
            except Timeout:
                raise OutputError(
                    f"another sos-reports run has been writing to {key} for over "
                    f"{LOCK_WAIT:g} seconds; try again when it has finished"
                ) from None
        yield
    finally:
        with held():
            while locks:
                # The list held the last reference: each lock's __del__ runs here, held too.
                locks.pop().release()
