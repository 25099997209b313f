"""How values are printed, in reports and in messages alike."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """12 March 2025: the long UK form, which no reader can misread."""
    return f"{day.day} {day:%B %Y}"


def names_list(names: list[str]) -> str:
    """Maisie, Leo and Ava."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
