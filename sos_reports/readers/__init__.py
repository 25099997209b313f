"""Readers turn an input file into a plain tree plus where each value came from."""

from __future__ import annotations

from pathlib import Path

from sos_reports.errors import ReadError
from sos_reports.readers.source import MAX_DEPTH, Source, decode
from sos_reports.tree import Loc, child_ids, path_of

__all__ = ["MAX_DEPTH", "Loc", "Source", "child_ids", "decode", "path_of", "read_input"]

# A report's input is a few tens of kilobytes; a file hundreds of times larger is a mistake
# (a wrong file, an export of a whole case) and is refused before it is parsed.
MAX_BYTES = 2 * 1024 * 1024

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def read_input(path: Path) -> Source:
    """Read any supported input file into a Source, or raise ReadError saying why not."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise ReadError("no such file", source=str(path))
    if path.is_dir():
        raise ReadError("is a folder, not an input file", source=str(path))
    if suffix in SUFFIXES:
        from sos_reports.readers.yaml_json import read_json, read_yaml

        data = _read_bytes(path)
        return read_yaml(path, data) if SUFFIXES[suffix] == "yaml" else read_json(path, data)
    if suffix == ".xlsx":
        from sos_reports.forms.workbook_reader import read_workbook

        return read_workbook(path)
    if suffix == ".docx":
        from sos_reports.forms.word_reader import read_word_form

        return read_word_form(path)
    raise ReadError(
        f"cannot read a '{suffix or 'file without a suffix'}' input: "
        "give a .yaml, .yml, .json, .xlsx or .docx file",
        source=str(path),
    )


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ReadError(
            f"is {size // 1024} KB; an input is at most {MAX_BYTES // 1024 // 1024} MB "
            "(is this the right file?)",
            source=str(path),
        )
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)
