"""What a library call produced: the files it wrote, and the findings shown on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sos_reports.errors import Finding


@dataclass
class Result:
    """The files written, in the order written, and the findings shown on the way."""

    written: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # When the report is due with the chair and the family, and how many working days
    # before the conference that is.
    due_date: dt.date | None = None
    due_days: int | None = None
