"""The one exception hierarchy of sos-reports, and the findings that input errors carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
# input: whether the input is complete and consistent; language: whether the family can read
# it (plain English), which `--strict` alone does not make fatal.
Category = Literal["input", "language"]


@dataclass(frozen=True)
class Finding:
    """One problem with an input: where it is and what to do about it."""

    severity: Severity
    path: str
    message: str
    line: int | None = None
    cell: str | None = None
    # required (missing or blank), unknown (a key the kind does not have), value (a value of
    # the wrong form), rule (a rule across fields), read (the file itself)
    code: str = "rule"
    # The field's label as a form shows it, for findings placed in a workbook cell or in a
    # Word form's answer box.
    label: str | None = None
    category: Category = "input"
    # The words to write instead, where a check can say.
    suggestion: str | None = None

    @property
    def where(self) -> str:
        """The location as a practitioner reads it: `Sheet!Cell`, a Word form's label and
        path, or the path and line."""
        if self.cell:
            name = self.label or self.path
            return f"{self.cell} ({name})" if name else self.cell
        if self.label:
            return f"{self.label} ({self.path})" if self.path else self.label
        place = self.path or "the file"
        return f"{place} (line {self.line})" if self.line else place

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"severity": self.severity, "path": self.path}
        if self.cell is not None:
            out["cell"] = self.cell
            if self.label:
                out["label"] = self.label
        else:
            out["line"] = self.line
            if self.label:
                out["label"] = self.label
        out["message"] = self.message
        # Only the newer category is named, so that an input finding keeps the keys it had.
        if self.category != "input":
            out["category"] = self.category
        if self.suggestion is not None:
            out["suggestion"] = self.suggestion
        return out


class SosError(Exception):
    """Anything a user could have caused; the command line prints it without a traceback."""


class InputError(SosError):
    """The input cannot be read or is not valid; carries every finding."""

    def __init__(self, findings: list[Finding], source: str = "") -> None:
        self.findings = findings
        self.source = source
        errors = [f for f in findings if f.severity == "error"]
        shown = errors or findings
        summary = f"{len(shown)} problem{'s' if len(shown) != 1 else ''}"
        super().__init__(f"{source}: {summary}" if source else summary)


class ReadError(InputError):
    """The file itself cannot be read as an input (syntax, size, encoding, structure)."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        super().__init__([Finding("error", "", message, line=line, code="read")], source)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.source}" + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.message}" if where else self.message


class TemplateError(SosError):
    """A Word template is broken, unsafe, or asks for what the report may not hold."""


class OutputError(SosError):
    """An output cannot be written as asked (it exists, it is an input, the folder is missing)."""


class MergeError(SosError):
    """Inputs that cannot make one conference map: each input that is not valid, with its
    findings, or every way the inputs do not belong to one conference."""

    def __init__(
        self,
        message: str,
        invalid: list[tuple[str, list[Finding]]] | None = None,
        mismatches: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.invalid = invalid or []
        self.mismatches = mismatches or []


class PdfError(SosError):
    """Converting a report to PDF failed."""


@dataclass
class Result:
    """What a command produced: the files written and the findings shown on the way."""

    written: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # When the report is due with the chair and the family, and how many working days
    # before the conference that is.
    due_date: dt.date | None = None
    due_days: int | None = None
