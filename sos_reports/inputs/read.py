"""Readers turn an input file into a plain tree plus where each value came from."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from sos_reports.errors import ReadError
from sos_reports.inputs.source import MAX_DEPTH, Source, decode
from sos_reports.support.tree import Loc, child_ids, path_of

__all__ = ["MAX_DEPTH", "Loc", "Source", "child_ids", "decode", "path_of", "read_input"]

# A report's input is a few tens of kilobytes; a file hundreds of times larger is a mistake
# (a wrong file, an export of a whole case) and is refused before it is parsed.
MAX_BYTES = 2 * 1024 * 1024

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def read_input(path: Path) -> Source:
    """Read any supported input file into a Source, or raise ReadError saying why not."""
    path = Path(path)
    suffix = path.suffix.lower()
    _check_regular(path)
    if suffix in SUFFIXES:
        from sos_reports.inputs.yaml_json import read_json, read_yaml

        data = _read_bytes(path)
        _check_content(path, data, suffix)
        return read_yaml(path, data) if SUFFIXES[suffix] == "yaml" else read_json(path, data)
    if suffix == ".xlsx":
        from sos_reports.inputs.forms.workbook_reader import read_workbook

        return read_workbook(path)
    if suffix == ".docx":
        from sos_reports.inputs.forms.word_reader import read_word_form

        return read_word_form(path)
    raise ReadError(
        f"cannot read a '{suffix or 'file without a suffix'}' input: "
        "give a .yaml, .yml, .json, .xlsx or .docx file",
        source=str(path),
    )


def _check_regular(path: Path) -> None:
    """Refuse, before anything opens it, what is not a saved file: opening a pipe waits
    for a writer, and a device such as /dev/zero never ends."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ReadError("no such file", source=str(path)) from None
    except OSError as exc:
        raise ReadError(f"cannot be read: {_why(exc)}", source=str(path)) from None
    if stat.S_ISDIR(mode):
        raise ReadError("is a folder, not an input file", source=str(path))
    if not stat.S_ISREG(mode):
        what = (
            "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        )
        raise ReadError(
            f"is {what}, not a saved file: give an input saved as a .yaml, .json or .xlsx file",
            source=str(path),
        )


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "you do not have permission to read it"
    return (exc.strerror or str(exc)).lower()


def _read_bytes(path: Path) -> bytes:
    try:
        # Non-blocking, and checked again once open: the file may have been swapped for a
        # pipe since it was looked at.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ReadError(f"cannot be read: {_why(exc)}", source=str(path)) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("is not a saved file", source=str(path))
        if info.st_size > MAX_BYTES:
            raise ReadError(
                f"is {info.st_size // 1024} KB; an input is at most "
                f"{MAX_BYTES // 1024 // 1024} MB (is this the right file?)",
                source=str(path),
            )
        return handle.read(MAX_BYTES + 1)


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_content(names: set[str], suffix: str) -> str:
    """What a zip file that is not the input its name says is, and what to do about it."""
    named = f"though its name ends in {suffix}"
    if "xl/workbook.xml" in names:
        return (
            f"is an Excel workbook, {named}: rename it so that its name ends in .xlsx, "
            "then give that name"
        )
    if "word/document.xml" in names:
        return (
            f"is a Word document, {named}. sos-reports reads the input a report is made "
            "from (.yaml, .json, .xlsx, or a Word form made by `sos-reports new` under a "
            "name ending in .docx), not a report: give that input instead"
        )
    return f"is a zip file, {named}: give the input itself"


def _check_content(path: Path, data: bytes, suffix: str) -> None:
    """A file that is not text at all, whatever its name says, is named for what it is."""
    named = f"though its name ends in {suffix}"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = set()
        raise ReadError(zip_content(names, suffix), source=str(path))
    if data.startswith(_OLE):
        raise ReadError(
            f"is an older Office file (.xls or .doc) or a password-protected one, {named}: "
            "give a .yaml, .json or .xlsx input",
            source=str(path),
        )
    if data.startswith(b"%PDF"):
        raise ReadError(
            f"is a PDF, {named}: give the input the report is made from", source=str(path)
        )
