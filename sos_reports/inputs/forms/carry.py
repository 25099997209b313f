"""Carry-forward: a new input pre-filled from an earlier one (initial to review, and so on).

Only what stays true is carried: the children, the household, the author, the conference
history, each child's score as the `previous` one, and the plan's actions. What only the
practitioner can write for the new conference is left empty, so that `validate` lists it.
Works on plain trees, so an earlier input in any format carries the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sos_reports.model.introspection import fields_of
from sos_reports.model.types import whole_number_of
from sos_reports.support.tree import child_ids

SHARED_TOP = ("format_version", "marking", "family_address")
STABLE_CONFERENCE = ("chair", "case_reference", "social_worker")
AUTHOR_KEYS = ("name", "role", "agency", "base", "phone", "email")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _scores(tree: dict[str, Any]) -> dict[str, Any]:
    scores = _list(_dict(tree.get("scaling")).get("scores"))
    return {str(s.get("child")): s.get("score") for s in scores if isinstance(s, dict)}


@dataclass
class Start:
    """The earlier input, and what every next report takes from it, for a kind's carrier."""

    tree: dict[str, Any]  # the earlier input
    source: str  # its kind
    conference: dict[str, Any]  # its conference
    ids: list[str]  # its children's ids
    out: dict[str, Any]  # the next report so far
    new_conference: dict[str, Any]  # the next report's conference so far


def carry_forward(tree: dict[str, Any], target: str) -> dict[str, Any]:
    """A new input tree of kind `target`, pre-filled from the input `tree`: the next report.

    Always the next report, however complete the earlier input is: a review starts the
    next review, an initial report the review after it. Copying an input whole is
    `convert`'s work, so the tool never guesses the user's intent from what is filled in.
    What is carried into each kind is its carrier's choice (`Kind.carry`, a function here).
    """
    from sos_reports.kinds import get_kind

    conference = _dict(tree.get("conference"))
    out: dict[str, Any] = {"kind": target}
    for key in SHARED_TOP:
        if tree.get(key) is not None:
            out[key] = tree[key]
    out["children"] = _list(tree.get("children"))
    if tree.get("household") is not None:
        out["household"] = _list(tree.get("household"))
    start = Start(
        tree,
        str(tree.get("kind", "")).strip().lower(),
        conference,
        child_ids(tree),
        out,
        {k: conference[k] for k in STABLE_CONFERENCE if conference.get(k) is not None},
    )
    carrier: Callable[[Start], dict[str, Any]] = globals()[get_kind(target).carry]
    return carrier(start)


def into_gp_report(start: Start) -> dict[str, Any]:
    """A GP's next report: the conference as it was (a GP may report to any conference)."""
    out, conference, ids = start.out, start.conference, start.ids
    for key in ("type", "date", "time", "venue", "review_number", "previous_date"):
        if conference.get(key) is not None:
            start.new_conference[key] = conference[key]
    out["conference"] = start.new_conference
    out["child_health"] = [{"child": cid} for cid in ids]
    out["scaling"] = {"scores": [{"child": cid} for cid in ids]}
    return out


def _agency(start: Start) -> None:
    """What an agency's next report takes: the author, and why the agency is involved."""
    tree, out = start.tree, start.out
    author = _dict(tree.get("author"))
    out["author"] = {k: author[k] for k in AUTHOR_KEYS if author.get(k) is not None}
    involvement = _dict(tree.get("involvement"))
    out["involvement"] = {
        k: involvement[k] for k in ("reason", "since") if involvement.get(k) is not None
    }
    out["involvement"]["last_seen"] = [{"child": cid} for cid in start.ids]


def into_agency_report(start: Start) -> dict[str, Any]:
    """An agency's next report to a conference that is not a review."""
    _agency(start)
    return into_any_report(start)


def into_any_report(start: Start) -> dict[str, Any]:
    """What any kind's next report takes: the shared blocks, a score line per child, and a
    voice per child; keys the kind does not have are left out."""
    out, ids = start.out, start.ids
    out.setdefault("scaling", {**_question(start.tree), "scores": [{"child": cid} for cid in ids]})
    out["conference"] = {k: v for k, v in start.new_conference.items() if v is not None}
    out["child_voice"] = [{"child": cid} for cid in ids]
    return _only_known(out, str(out["kind"]))


def into_review(start: Start) -> dict[str, Any]:
    """An agency's report to the next review: the plan, its actions, each previous score."""
    _agency(start)
    tree, conference, ids, out = start.tree, start.conference, start.ids, start.out
    new_conference = start.new_conference
    previous_scores = _scores(tree)
    if start.source == "rcpc":
        number = whole_number_of(conference.get("review_number"))
        if number is not None:  # unknown: left blank for the author, not guessed
            new_conference["review_number"] = str(number + 1)
        new_conference["initial_date"] = conference.get("initial_date")
        out["plan"] = _list(tree.get("plan"))
        rows = [
            {k: row.get(k) for k in ("action", "responsible", "children") if row.get(k) is not None}
            for row in _list(tree.get("plan_progress"))
            if isinstance(row, dict)
        ]
    else:
        new_conference["review_number"] = "1"
        new_conference["initial_date"] = conference.get("date")
        out["plan"] = [{"child": cid, "start_date": conference.get("date")} for cid in ids]
        rows = []
    new_conference["type"] = "review"
    new_conference["previous_date"] = conference.get("date")
    known = {str(row.get("action")) for row in rows}
    for step in _list(_dict(tree.get("needs_to_happen")).get("next_steps")):
        if isinstance(step, dict) and str(step.get("action")) not in known:
            rows.append({"action": step.get("action"), "responsible": step.get("who")})
    out["plan_progress"] = rows
    out["recommendations"] = [{"child": cid} for cid in ids]
    out["scaling"] = {
        **_question(tree),
        "scores": [{"child": cid, "previous": previous_scores.get(cid)} for cid in ids],
    }
    return into_any_report(start)


def _question(tree: dict[str, Any]) -> dict[str, Any]:
    scaling = _dict(tree.get("scaling"))
    return {
        k: scaling[k] for k in ("question", "ten_means", "zero_means") if scaling.get(k) is not None
    }


def _only_known(out: dict[str, Any], target: str) -> dict[str, Any]:
    from sos_reports.kinds import KINDS

    keys = {spec.key for spec in fields_of(KINDS[target].model)}
    return {k: v for k, v in out.items() if k in keys}
