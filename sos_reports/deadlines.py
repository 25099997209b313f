"""When a report is due: the conference date minus N working days (England and Wales)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from sos_reports.errors import SosError


@dataclass(frozen=True)
class DueDays:
    """Working days before the conference that a report is due (North Yorkshire's standard)."""

    initial: int = 2
    review: int = 5

    def for_conference(self, conference_type: str) -> int:
        return self.review if conference_type == "review" else self.initial

    @classmethod
    def parse(cls, text: str) -> DueDays:
        """Read `initial=3,review=5` (either part may be left out)."""
        values = {"initial": cls.initial, "review": cls.review}
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = re.fullmatch(r"(initial|review)\s*=\s*(\d{1,2})", part)
            if not match:
                raise SosError(
                    f"cannot read {part!r}: write for example initial=2,review=5 "
                    "(whole numbers of working days)"
                )
            values[match.group(1)] = int(match.group(2))
        return cls(**values)


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # imported here: it costs a fifth of a second, and few commands need it

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` working days before `day` (bank holidays of England and Wales)."""
    found = 0
    while found < count:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day
