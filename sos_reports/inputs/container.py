"""The zip check every Office form goes through before it is parsed: size, parts, zip bombs.

A filled form is well under a megabyte. The declared sizes and compression ratios of its
parts are checked before anything is unpacked (openpyxl took 1.6 GB for one 800 MB cell),
so a hostile file fails fast and small; a forged size is caught by zipfile's CRC check
when the part is read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from sos_reports.errors import ReadError

MB = 1024 * 1024
# These limits leave room for pasted pictures and refuse a zip bomb before it is unpacked.
MAX_FILE_BYTES = 10 * MB
MAX_UNPACKED_BYTES = 64 * MB
MAX_MEMBERS = 2000
# Office XML compresses about 10 to 30 times; a member a hundred times smaller packed than
# unpacked, and large, is built to explode.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Package:
    """What one kind of Office form is called, and the part that proves a zip is one."""

    name: str  # "an Excel workbook (.xlsx)"
    short: str  # "workbook"
    main_part: str  # "xl/workbook.xml"
    suffix: str  # ".xlsx"
    old_format: str  # what an OLE file of this suffix probably is, and what to do
    start: str = ""  # where a good one comes from; by default `sos-reports new`


WORKBOOK = Package(
    "an Excel workbook (.xlsx)",
    "workbook",
    "xl/workbook.xml",
    ".xlsx",
    "a password-protected workbook or an old Excel 97-2003 (.xls) file, which sos-reports "
    "cannot read: remove the password, or save it as an Excel Workbook (.xlsx)",
)
WORD_FORM = Package(
    "a Word form (.docx)",
    "Word form",
    "word/document.xml",
    ".docx",
    "a password-protected document or an old Word 97-2003 (.doc) file, which sos-reports "
    "cannot read: remove the password, or save it as a Word Document (.docx)",
)
# A Word template goes through the same check before it is filled.
TEMPLATE = Package(
    "a Word document (.docx)",
    "template",
    "word/document.xml",
    ".docx",
    "a password-protected document or an old Word 97-2003 (.doc) file: remove the password, "
    "or save it as a Word Document (.docx)",
    "`sos-reports template KIND -o template.docx`",
)
_ALL = (WORKBOOK, WORD_FORM)


def check_package(path: Path, package: Package) -> None:
    """Refuse what is not this kind of form, or would unpack to far more than a form holds."""
    source = str(path)
    if not path.is_file():
        raise ReadError("no such file", source=source)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadError(
            f"is {size // MB} MB; an input {package.short} is at most {MAX_FILE_BYTES // MB} MB "
            "(is this the right file?)",
            source=source,
        )
    with path.open("rb") as handle:
        head = handle.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        raise ReadError(f"is {package.old_format}", source=source)
    start = package.start or f"`sos-reports new KIND -o form{package.suffix}`"
    if not head.startswith(b"PK") or not zipfile.is_zipfile(path):
        raise ReadError(f"is not {package.name}: start from {start}", source=source)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise ReadError(f"is a damaged {package.short}: {exc}", source=source) from None
    if len(members) > MAX_MEMBERS:
        raise ReadError(
            f"holds {len(members)} parts, far more than a {package.short}", source=source
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReadError(
            f"would unpack to {unpacked // MB} MB, far more than an input {package.short} "
            f"holds (at most {MAX_UNPACKED_BYTES // MB} MB); it was not opened",
            source=source,
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ReadError(
                f"holds a part ({member.filename}) that unpacks {member.file_size // MB} MB "
                "from almost nothing, as a zip bomb does; it was not opened",
                source=source,
            )
    # Every part is unpacked once here (the sizes are bounded above), so that a damaged one is
    # this clear message, never a decompression error from deep inside a reader.
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
    except Exception:  # a zip damaged anywhere fails in many ways; each one means damaged
        damaged = "?"
    if damaged is not None:
        raise ReadError(
            f"is a damaged {package.short} (part of the file cannot be unpacked): open it in "
            "Excel, Word or LibreOffice and save it again, or ask for a new copy",
            source=source,
        )
    names = {m.filename for m in members}
    if package.main_part not in names:
        other = next((p for p in _ALL if p.main_part in names), None)
        what = f"{other.name}, not {package.name}" if other else f"not {package.name}"
        hint = f": give it a name ending in {other.suffix}" if other else ""
        raise ReadError(f"is a zip file but {what}{hint}", source=source)
