"""The kinds a test is for, from the registry: every kind, or those whose model has a field.

A test of what every kind shares takes `KINDS`; one about a field, a type of conference or a
rule takes the kinds that have it, so that a kind added to the registry is tested with no
test edited.
"""

from __future__ import annotations

import re

from sos_reports.kinds import KINDS as REGISTRY
from sos_reports.model.introspection import field_at

KINDS = tuple(REGISTRY)


def _loc(path: str) -> tuple[str | int, ...]:
    found = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    return tuple(int(p[1:-1]) if p.startswith("[") else p for p in found)


def kinds_with(path: str, required: bool = False) -> tuple[str, ...]:
    """The kinds whose model has a field at `path` (`scaling.scores[0].score`), or a required
    one: the kinds a rule about that field applies to, a kind added later among them."""
    found = []
    for kind in KINDS:
        spec = field_at(REGISTRY[kind].model, _loc(path))
        if spec is not None and (spec.required or not required):
            found.append(kind)
    return tuple(found)


def kinds_without(path: str) -> tuple[str, ...]:
    """The kinds whose model has no field at `path`: where a value there is refused."""
    return tuple(kind for kind in KINDS if kind not in kinds_with(path))


def kinds_offering(conference_type: str) -> tuple[str, ...]:
    """The kinds whose report is for this type of conference."""
    return tuple(kind for kind in KINDS if conference_type in REGISTRY[kind].conference_types)


def kinds_checking(rule: str) -> tuple[str, ...]:
    """The kinds whose registry entry names this rule of checks/rules.py among their own."""
    return tuple(kind for kind in KINDS if rule in REGISTRY[kind].rule_names)


# The kinds whose author attends and whose family blocks are required: an agency's reports.
AGENCY = kinds_with("author.attending")

# The kinds that are an agency's report (an author, a report date, sharing, one score per
# child, a due date), not the record of the conference itself.
REPORTS = tuple(kind for kind in KINDS if REGISTRY[kind].agency_report)
