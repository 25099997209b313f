"""Readers turn an input file into a plain tree plus where each value came from."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sos_reports.errors import Finding, ReadError

Loc = tuple[str | int, ...]

# A report's input is a few tens of kilobytes; a file hundreds of times larger is a mistake
# (a wrong file, an export of a whole case) and is refused before it is parsed.
MAX_BYTES = 2 * 1024 * 1024
# The deepest a valid input goes is about six levels (carer_health[0].mental_health.impact).
MAX_DEPTH = 12

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def path_of(loc: Loc) -> str:
    """`('scaling', 'scores', 1, 'score')` as `scaling.scores[1].score`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def child_ids(tree: dict[str, Any]) -> list[str]:
    """The ids of the children of an input tree, as typed (read before any checking)."""
    children = tree.get("children")
    if not isinstance(children, list):
        return []
    return [
        str(c["id"]).strip()
        for c in children
        if isinstance(c, dict) and isinstance(c.get("id"), (str, int)) and str(c["id"]).strip()
    ]


@dataclass
class Source:
    """An input as read: the tree of plain values, and the place of each value in the file."""

    path: Path
    tree: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)
    cells: dict[Loc, str] = field(default_factory=dict)
    # What the reader found wrong with single values (a workbook's formula without a result);
    # reported with the findings of the checks.
    findings: list[Finding] = field(default_factory=list)

    def line(self, loc: Loc) -> int | None:
        """The line of the value at `loc`, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            found = self.lines.get(loc[:end])
            if found is not None:
                return found
        return None

    def cell(self, loc: Loc) -> str | None:
        for end in range(len(loc), -1, -1):
            found = self.cells.get(loc[:end])
            if found is not None:
                return found
        return None


def read_input(path: Path) -> Source:
    """Read any supported input file into a Source, or raise ReadError saying why not."""
    path = Path(path)
    suffix = path.suffix.lower()
    _check_regular(path)
    if suffix in SUFFIXES:
        from sos_reports.readers.yaml_json import read_json, read_yaml

        data = _read_bytes(path)
        _check_content(path, data, suffix)
        return read_yaml(path, data) if SUFFIXES[suffix] == "yaml" else read_json(path, data)
    if suffix == ".xlsx":
        from sos_reports.readers.workbook import read_workbook

        return read_workbook(path)
    raise ReadError(
        f"cannot read a '{suffix or 'file without a suffix'}' input: "
        "give a .yaml, .yml, .json or .xlsx file",
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
            "from (.yaml, .json or .xlsx), not a report: give that input instead"
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


def _utf16(data: bytes) -> bool:
    """Whether bytes are UTF-16 text (Notepad's "Unicode"), with or without a byte order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:200]
    if len(head) < 4:
        return False
    # Latin text in UTF-16 has a zero byte beside every letter; UTF-8 text has none, and
    # other binary files do not alternate zeros with letters.
    for zeros, letters in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and _mostly_text(letters):
            return True
    return False


def _mostly_text(data: bytes) -> bool:
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data)
    return printable >= 0.9 * len(data)


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text (a byte order mark allowed), or a clear error."""
    if _utf16(data):
        raise ReadError(
            'is saved as UTF-16 ("Unicode") text, not UTF-8: save it again choosing the '
            "encoding UTF-8",
            source=str(path),
            line=1,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            "is not UTF-8 text (save it as UTF-8, or check it is the right file)",
            source=str(path),
            line=line,
        ) from None
    if not text.strip():
        raise ReadError("is empty", source=str(path))
    return text
