"""The conference record's draft, started from the agencies' inputs (`new record --from`).

The inputs are read as `merge` reads them, in any form, and must be valid. The draft takes
the conference, the children and the household; one attendance row per agency's author, with
the report received; the three columns as the map holds them, each entry attributed to its
agency; and each agency's score for each child, `by` its author. No confidential details and
no entry withheld from the family enter it. What only the meeting can say (who came, the
family's views, the decisions, the plan, the dates) is left empty, so `validate` lists it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sos_reports.commands.merge import CONFERENCE_KEYS as MAP_CONFERENCE_KEYS
from sos_reports.commands.merge import Contribution, child_key, input_files, read_inputs
from sos_reports.commands.options import Options

# The conference's keys a record keeps, as the first input gives them: the map's, and when
# the plan began.
CONFERENCE_KEYS = (*MAP_CONFERENCE_KEYS, "initial_date")


def record_from(paths: Iterable[Path], options: Options | None = None) -> dict[str, Any]:
    """The record's draft input tree, from the agencies' inputs (files or folders)."""
    from sos_reports.commands.merge import _labels

    contributions, _ = read_inputs(input_files(paths), options)
    _labels(contributions)
    first = contributions[0]
    tree = first.checked.source.tree
    out: dict[str, Any] = {"kind": "record", "format_version": 1}
    for key in ("marking", "family_address"):
        if tree.get(key) is not None:
            out[key] = tree[key]
    conference = tree.get("conference") or {}
    out["conference"] = {k: conference[k] for k in CONFERENCE_KEYS if conference.get(k) is not None}
    out["children"] = list(tree.get("children") or [])
    out["household"] = _household(contributions)
    out["attendance"] = _attendance(contributions, conference.get("chair"))
    ids = _child_ids(contributions)
    out["worries"] = _columns(
        contributions,
        "worries",
        ("harm", "complicating_factors", "remaining_concerns", "new_concerns"),
    )
    out["worries"]["danger_statements"] = [
        {"text": f"{c.label}: {d.text}", "children": [ids[id(c)][str(ch)] for ch in d.children]}
        for c in contributions
        for d in c.model.worries.danger_statements
    ]
    out["working_well"] = _columns(
        contributions, "working_well", ("strengths", "existing_safety", "progress")
    )
    needs = _columns(contributions, "needs_to_happen", ("information_gaps",))
    needs["safety_goals"] = [
        f"{c.label}: {goal}" for c in contributions for goal in c.model.needs_to_happen.safety_goals
    ]
    needs["next_steps"] = [
        {"action": f"{c.label}: {s.action}", "who": s.who, "by": _plain(s.by)}
        for c in contributions
        for s in c.model.needs_to_happen.next_steps
    ]
    out["needs_to_happen"] = needs
    out["child_voice"] = _voices(contributions, ids, [str(c.get("id")) for c in out["children"]])
    out["scaling"] = {"scores": _scores(contributions, ids)}
    out["decisions"] = [{"child": child.get("id")} for child in out["children"]]
    out["confidential"] = {}
    out["sign_off"] = {"name": conference["chair"]} if conference.get("chair") else {}
    return out


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _child_ids(contributions: Sequence[Contribution]) -> dict[int, dict[str, str]]:
    """For each input, its children's ids as the first input gives them (an agency may
    call a child by another id; the same name and date of birth are the same child)."""
    first = {child_key(ch): ch.id for ch in contributions[0].model.children}
    return {
        id(c): {ch.id: first.get(child_key(ch), ch.id) for ch in c.model.children}
        for c in contributions
    }


def _household(contributions: Sequence[Contribution]) -> list[Any]:
    """Every agency's household, each person once, and none withheld from the family."""
    people: list[Any] = []
    seen: set[str] = set()
    for c in contributions:
        for person in c.checked.source.tree.get("household") or []:
            if not isinstance(person, dict) or person.get("withhold_from_family") is True:
                continue
            model = next((p for p in c.model.household if p.name == person.get("name")), None)
            if model is None or model.withhold_from_family:
                continue
            key = " ".join(model.name.casefold().split())
            if key in seen:
                continue
            seen.add(key)
            entry = {k: v for k, v in person.items() if k != "withhold_from_family"}
            ids = {ch.id: ch.id for ch in c.model.children}
            if entry.get("parental_responsibility_for"):
                entry["parental_responsibility_for"] = [
                    ids.get(str(i), i) for i in entry["parental_responsibility_for"]
                ]
            people.append(entry)
    return people


def _attendance(contributions: Sequence[Contribution], chair: Any) -> list[dict[str, Any]]:
    """The chair, then one row per agency's author, their report received; who came is the
    meeting's to say."""
    rows: list[dict[str, Any]] = []
    if chair:
        rows.append({"name": chair, "role": "Chair"})
    for c in contributions:
        author = c.model.author
        rows.append(
            {
                "name": author.name,
                "role": author.role,
                "agency": author.agency,
                "report_received": True,
            }
        )
    return rows


def _columns(
    contributions: Sequence[Contribution], block: str, keys: Sequence[str]
) -> dict[str, Any]:
    """A block's text fields, each paragraph under its agency's name."""
    out: dict[str, Any] = {}
    for key in keys:
        # Every paragraph under its agency's name: on the board each one is an entry.
        parts = [
            f"{c.label}: {paragraph.strip()}"
            for c in contributions
            if (text := getattr(getattr(c.model, block), key, None))
            for paragraph in re.split(r"\n\s*\n", text)
            if paragraph.strip()
        ]
        if parts:
            out[key] = "\n\n".join(parts)
    return out


def _voices(
    contributions: Sequence[Contribution], ids: dict[int, dict[str, str]], children: list[str]
) -> list[dict[str, Any]]:
    """Each child's voice as the agencies heard it: the first way it was gathered directly,
    and what each agency heard."""
    out = []
    for child in children:
        heard = [
            (c, v)
            for c in contributions
            for v in c.model.child_voice
            if ids[id(c)][str(v.child)] == child
        ]
        direct = [(c, v) for c, v in heard if v.method != "not gathered"]
        entry: dict[str, Any] = {"child": child}
        if direct:
            _, v = direct[0]
            entry["method"] = str(v.method)
            if v.date is not None:
                entry["date"] = v.date.isoformat()
            entry["views"] = "\n\n".join(f"{c.label}: {v.views}" for c, v in direct)
        elif heard:
            _, v = heard[0]
            entry.update(
                method="not gathered",
                views="\n\n".join(f"{c.label}: {v.views}" for c, v in heard),
                not_gathered_reason=v.not_gathered_reason,
            )
        out.append(entry)
    return out


def _scores(
    contributions: Sequence[Contribution], ids: dict[int, dict[str, str]]
) -> list[dict[str, Any]]:
    """Each agency's score for each child, `by` its author, in the order of the children."""
    order = {ch.id: i for i, ch in enumerate(contributions[0].model.children)}
    rows = []
    for c in contributions:
        for s in c.model.scaling.scores:
            score = getattr(s, "score", None)
            if score is None:
                continue
            child = ids[id(c)][str(s.child)]
            rows.append(
                (
                    order.get(child, 0),
                    {"child": child, "by": c.model.author.name, "score": score, "reason": s.reason},
                )
            )
    return [row for _, row in sorted(rows, key=lambda r: r[0])]
