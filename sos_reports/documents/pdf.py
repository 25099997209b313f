"""Converts Word reports to tagged (accessible) PDF with LibreOffice, many files per call.

Each call starts its own LibreOffice with a fresh profile folder: parallel conversions that
share a profile lose files. A call that hangs is killed with everything it started, and a
PDF LibreOffice says it wrote is believed only once it is on disk and not empty.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from sos_reports.errors import PdfError
from sos_reports.support.interrupts import held, private_folder

# LibreOffice's default PDF has no structure tags; screen readers need them.
PDF_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'

INSTALL_HINT = (
    "LibreOffice is needed to write PDFs and was not found (no `soffice` or `libreoffice` on "
    "the PATH). Install it: on Debian or Ubuntu `sudo apt-get install libreoffice-writer-nogui`; "
    "on Windows or macOS from https://www.libreoffice.org/download/, then add its program "
    "folder (the one holding soffice) to the PATH."
)


def find_soffice() -> str:
    """The LibreOffice program on the PATH, or a PdfError that says how to install it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(INSTALL_HINT)


def convert(docx_files: list[Path], out_dir: Path, timeout: float = 180) -> list[Path]:
    """Convert Word documents to PDFs in `out_dir`, in one LibreOffice run.

    Returns the PDFs in the order of `docx_files`, each named like its document with
    `.pdf`; an existing PDF of that name in `out_dir` is replaced. Raises PdfError when
    LibreOffice is missing, fails, takes longer than `timeout` seconds, or leaves any PDF
    unwritten or empty; then no PDF of this call is left in `out_dir`.
    """
    sources = [Path(f).resolve() for f in docx_files]
    out_dir = Path(out_dir)
    if not sources:
        return []
    _check_sources(sources)
    if not out_dir.is_dir():
        raise PdfError(f"cannot write PDFs to {out_dir}: the folder does not exist")
    soffice = find_soffice()
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(private_folder("sos-reports-lo-"))
        # LibreOffice writes into a private folder inside out_dir: a half-written PDF never
        # bears its final name, a stale PDF there cannot pass for a new one, and the final
        # move is a rename on the same disk.
        staging = stack.enter_context(private_folder(".sos-reports-pdf-", dir=out_dir))
        profile = work / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(staging),
            *(str(s) for s in sources),
        ]
        _run(command, _environment(work), timeout, sources)
        produced = [staging / f"{s.stem}.pdf" for s in sources]
        missing = [s for s, pdf in zip(sources, produced, strict=True) if not _non_empty(pdf)]
        if missing:
            names = ", ".join(s.name for s in missing)
            raise PdfError(
                f"LibreOffice finished but wrote no PDF for {names}; the document may be damaged"
            )
        finals = [out_dir / pdf.name for pdf in produced]
        for pdf, final in zip(produced, finals, strict=True):
            os.replace(pdf, final)
    return finals


def _check_sources(sources: list[Path]) -> None:
    for source in sources:
        if not source.is_file():
            raise PdfError(f"cannot convert {source} to PDF: the file does not exist")
    stems: dict[str, Path] = {}
    for source in sources:
        earlier = stems.setdefault(source.stem, source)
        if earlier != source:
            raise PdfError(
                f"{earlier} and {source} would both become {source.stem}.pdf; "
                "convert them separately"
            )


def _non_empty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def _environment(work: Path) -> dict[str, str]:
    """The caller's environment, with a writable HOME (LibreOffice fails without one)."""
    env = dict(os.environ)
    # Its own temporary files (lu*.tmp folders, copies of the documents) go in the private
    # work folder, removed with it, even when LibreOffice is stopped half-way.
    scratch = work / "tmp"
    scratch.mkdir(mode=0o700)
    for name in ("TMPDIR", "TEMP", "TMP"):
        env[name] = str(scratch)
    home = env.get("HOME")
    if sys.platform != "win32" and not (home and os.path.isdir(home) and os.access(home, os.W_OK)):
        fallback = work / "home"
        fallback.mkdir()
        env["HOME"] = str(fallback)
    return env


def _run(command: list[str], env: dict[str, str], timeout: float, sources: list[Path]) -> None:
    windows = sys.platform == "win32"
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            # Its own process group, so a timeout can end soffice.bin and its helpers too.
            start_new_session=not windows,
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if windows else 0,
        )
    except OSError as exc:
        raise PdfError(
            f"LibreOffice ({command[0]}) could not be started: {exc.strerror or exc}"
        ) from None
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        _reap(process)
        names = ", ".join(s.name for s in sources)
        raise PdfError(
            f"LibreOffice did not finish converting {names} within {timeout:g} seconds "
            "and was stopped"
        ) from None
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP included: never leave LibreOffice running
        with held():
            _kill_group(process)
            _reap(process)
        raise
    if not windows:
        # Helpers LibreOffice left behind would keep its profile folder busy.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {detail[-1]}" if detail else ""
        raise PdfError(
            f"LibreOffice failed to convert to PDF (exit code {process.returncode}){tail}"
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False
        )
        process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _reap(process: subprocess.Popen[bytes]) -> None:
    # A helper that escaped the group could hold the pipes open for ever; do not wait on it.
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)
