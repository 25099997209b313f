"""An input as a reader gives it: the plain tree, and where each value sits in the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sos_reports.errors import Finding, ReadError
from sos_reports.support.tree import Loc, path_of

if TYPE_CHECKING:
    from pydantic import BaseModel

# The deepest a valid input goes is about six levels (carer_health[0].mental_health.impact).
MAX_DEPTH = 12


@dataclass
class Source:
    """An input as read: the tree of plain values, and the place of each value in the file."""

    path: Path
    tree: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)
    cells: dict[Loc, str] = field(default_factory=dict)
    # A Word form's answers: the title of the control (its label) holding each value.
    controls: dict[Loc, str] = field(default_factory=dict)
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

    def control(self, loc: Loc) -> str | None:
        """The label of the Word form's answer holding `loc`, or of its nearest block."""
        for end in range(len(loc), 0, -1):
            found = self.controls.get(loc[:end])
            if found is not None:
                return found
        return None

    def finding(
        self,
        severity: str,
        loc: Loc,
        message: str,
        code: str = "rule",
        model: type[BaseModel] | None = None,
    ) -> Finding:
        """A finding placed where the value at `loc` is: its line, or its cell and label
        (the field's title, from `model`), or its Word form answer's label."""
        from sos_reports.model.introspection import field_at

        cell = self.cell(loc)
        spec = field_at(model, loc) if cell and model is not None else None
        label = spec.title if spec is not None else self.control(loc)
        return Finding(
            severity,  # type: ignore[arg-type]
            path_of(loc),
            message,
            line=self.line(loc),
            cell=cell,
            code=code,
            label=label,
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
