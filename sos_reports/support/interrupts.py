"""Ctrl-C, SIGTERM and SIGHUP stop a run the same way: everything it started is cleaned up.

The command line turns SIGTERM (a killed job) and SIGHUP (a closed terminal) into the same
exception as Ctrl-C, so the clean-up written for Ctrl-C (temporary files removed, LibreOffice
stopped) runs for all three. While a set of outputs is being moved into place these signals
are held back, so that a run is stopped before its files are in place or after all of them
are, never with a report in place and its annex not.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

# The signals that ask a run to stop. SIGHUP does not exist on Windows.
STOPPING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


# The outputs this process has put in place, in order: a run stopped after writing them (as
# it prints them, say) can still say what it wrote.
placed: list[str] = []


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention for a run ended by a signal: 128 plus its number."""
        return 128 + int(self.signum)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """Make every stopping signal raise Interrupted in the main thread (the command line's)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in STOPPING:
        # A signal the parent told us to ignore (nohup) stays ignored.
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _raise)
    # Python finds its temporary folder by writing and deleting a probe file there, once:
    # done now, with the signals held, a stopped run can never leave that file behind.
    with held():
        tempfile.gettempdir()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold the stopping signals back until the block ends; one that came is then taken."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = block(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def private_folder(prefix: str, dir: Path | None = None) -> Iterator[Path]:
    """A temporary folder only this user can read (0700), removed however the block ends.

    The removal is not itself cut short by a second signal: a report's confidential annex
    must not be left half-deleted in a temporary folder.
    """
    path: Path | None = None
    try:
        with held():  # a signal waits until the folder is known, so it is always removed
            path = Path(tempfile.mkdtemp(prefix=prefix, dir=dir))
        yield path
    finally:
        if path is not None:
            with held():
                shutil.rmtree(path, ignore_errors=True)
