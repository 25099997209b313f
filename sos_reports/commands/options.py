"""The options of a report's checks and documents, as one object that every command takes.

They are built once, where the user gave them (the command line, the browser form, a
library caller's keywords), and passed whole: `validate`, `fill`, `batch` and `merge` read
what they need of them and hand the rest on, so that an option added here reaches every
command without a parameter added to each.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sos_reports.support.deadlines import DueDays


@dataclass(frozen=True)
class Options:
    # Working days before the conference that reports are due (None: the standard ones).
    due_days: DueDays | None = None
    # Warnings about the input are errors (the plain-English ones aside).
    strict: bool = False
    # Plain-English warnings (acronyms, jargon, hard sentences) are errors.
    strict_language: bool = False
    # A local list of acronyms and jargon (.toml), read after SOS_REPORTS_TERMS.
    terms: Path | None = None
    # A local Word template of the kind, instead of the packaged one.
    template: Path | None = None
    # A PDF of each document as well, converted by LibreOffice.
    pdf: bool = False
    # Outputs that exist already are replaced (an input never is).
    force: bool = False

    @classmethod
    def of(cls, options: Options | None = None, **changes: Any) -> Options:
        """`options` (or the defaults) with the options named in `changes` set; a name that
        is not an option is a TypeError, as a wrong keyword argument is."""
        base = options if options is not None else cls()
        return dataclasses.replace(base, **changes) if changes else base

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))
