"""When a report is due: the conference date minus N working days (England and Wales)."""

from __future__ import annotations

import datetime as dt
import os
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

    def due(self, conference_type: str, conference_date: dt.date) -> tuple[int, dt.date]:
        """The working days before this conference that its report is due, and that day."""
        days = self.for_conference(conference_type)
        return days, working_days_before(conference_date, days)

    def described(self, conference_types: tuple[str, ...]) -> str:
        """When a report is due, in words, for a kind of report to these conferences."""
        review = f"{self.review} working {_days(self.review)} before the review conference"
        if conference_types and all(t == "review" for t in conference_types):
            return review
        return (
            f"{self.initial} working {_days(self.initial)} before an initial (pre-birth, "
            f"transfer-in) conference, {self.review} before a review conference"
        )

    @classmethod
    def parse(cls, text: str) -> DueDays:
        """Read `initial=3,review=5` (either part may be left out)."""
        values = {"initial": cls.initial, "review": cls.review}
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = re.fullmatch(r"(initial|review)\s*=\s*([0-9]{1,2})", part)
            if not match:
                raise SosError(
                    f"cannot read {part!r}: write for example initial=2,review=5 "
                    "(whole numbers of working days)"
                )
            values[match.group(1)] = int(match.group(2))
        return cls(**values)


def _days(count: int) -> str:
    return "day" if count == 1 else "days"


def _holidays_version() -> str:
    """Which copy of the holidays package the cached dates came from (its path and age)."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "unknown"
    return f"{origin}:{os.stat(origin).st_mtime_ns}"


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in a year, from the holidays package.

    Importing the package costs about a sixth of a second, more than the rest of a fill's
    checks together; the dates of a year are kept in the user's cache, keyed by the package.
    Each copy of the package has its own entry, so that two installations sharing a cache
    folder (two environments, two versions) do not keep replacing each other's dates.
    """
    from sos_reports.support import cache

    name = "bank-holidays-england-wales.json"
    version = _holidays_version()
    stored = cache.read_json(name)
    copies = stored.get("copies") if isinstance(stored, dict) else None
    if not isinstance(copies, dict):
        copies = {}
    years = copies.get(version)
    if not isinstance(years, dict):
        years = {}
    if isinstance(years.get(str(year)), list):
        return frozenset(dt.date.fromisoformat(d) for d in years[str(year)])
    import holidays

    dates = sorted(holidays.country_holidays("GB", subdiv="ENG", years=year))
    years[str(year)] = [d.isoformat() for d in dates]
    # The copy just used last; only the few most recent copies are kept.
    copies.pop(version, None)
    copies[version] = years
    kept = dict(list(copies.items())[-_COPIES_KEPT:])
    cache.write_json(name, {"copies": kept})
    return frozenset(dates)


_COPIES_KEPT = 4


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


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day`, as `working_days_before` counts them."""
    found = 0
    while found < count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def months_after(day: dt.date, count: int) -> dt.date:
    """The same day `count` months later, or the month's last day where it has no such day
    (31 August and 6 months: 28 or 29 February)."""
    import calendar

    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
