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
from sos_reports.model.types import whole_number_of, yes_no_of
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
    agency: str | None = None  # from a conference record: the agency whose report this is


def carry_forward(tree: dict[str, Any], target: str, agency: str | None = None) -> dict[str, Any]:
    """A new input tree of kind `target`, pre-filled from the input `tree`: the next report.

    Always the next report, however complete the earlier input is: a review starts the
    next review, an initial report the review after it. Copying an input whole is
    `convert`'s work, so the tool never guesses the user's intent from what is filled in.
    What is carried into each kind is its carrier's choice (`Kind.carry`, a function here).
    From a conference record, `agency` names the agency whose report it starts: its author,
    its own actions of the plan and its people's scores as the previous ones.
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
        agency,
    )
    carrier: Callable[[Start], dict[str, Any]] = globals()[get_kind(target).carry]
    return carrier(start)


def into_gp_report(start: Start) -> dict[str, Any]:
    """A GP's next report: the conference as it was (a GP may report to any conference)."""
    out, conference, ids = start.out, start.conference, start.ids
    if start.source == "record":  # the review the conference set, and the GP's last scores
        _record_author(start)
        _next_review(start)
        previous = _record_scores(start)
        out["conference"] = start.new_conference
        out["child_health"] = [{"child": cid} for cid in ids]
        out["scaling"] = {"scores": [{"child": cid, "previous": previous.get(cid)} for cid in ids]}
        return _only_known(out, str(out["kind"]))
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
    if start.source == "record":
        _record_author(start)
        out["involvement"] = {"last_seen": [{"child": cid} for cid in start.ids]}
        return
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
    if start.source == "record":
        return _review_from_record(start)
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


# --- from a conference record: the review judges the plan the conference made ----------------


def _same(a: Any, b: Any) -> bool:
    return (
        isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()
    )


def _people_of(start: Start) -> list[dict[str, Any]]:
    """The attendance rows of `start.agency` (all of them when no agency is named)."""
    rows = [row for row in _list(start.tree.get("attendance")) if isinstance(row, dict)]
    if start.agency is None:
        return []
    return [row for row in rows if _same(row.get("agency"), start.agency)]


def _record_author(start: Start) -> None:
    """The agency's author, from its row of the attendance: the person who came for it."""
    if start.agency is None:
        return
    people = _people_of(start)
    author = {"agency": start.agency}
    if people:
        first = people[0]
        author.update({k: first[k] for k in ("name", "role") if first.get(k) is not None})
        author["agency"] = first.get("agency") or start.agency
    start.out["author"] = author


def _record_scores(start: Start) -> dict[str, Any]:
    """Each child's score given by someone of the agency at the conference, where there was
    one (the first of them, where several of the agency scored)."""
    names = [row.get("name") for row in _people_of(start)]
    found: dict[str, Any] = {}
    for entry in _list(_dict(start.tree.get("scaling")).get("scores")):
        if not isinstance(entry, dict):
            continue
        child = str(entry.get("child"))
        if child not in found and any(_same(entry.get("by"), name) for name in names):
            found[child] = entry.get("score")
    return found


def _next_review(start: Start) -> None:
    """The review the record set: its date, number and the conference history."""
    conference, new = start.conference, start.new_conference
    was_review = str(conference.get("type", "")).strip().lower() == "review"
    new["type"] = "review"
    if start.tree.get("review_date") is not None:
        new["date"] = start.tree["review_date"]
    new["previous_date"] = conference.get("date")
    if was_review:
        number = whole_number_of(conference.get("review_number"))
        if number is not None:  # unknown: left blank for the author, not guessed
            new["review_number"] = str(number + 1)
        new["initial_date"] = conference.get("initial_date")
    else:
        new["review_number"] = "1"
        new["initial_date"] = conference.get("date")


def _review_from_record(start: Start) -> dict[str, Any]:
    """The plan per child with a plan, the plan's actions (the agency's own, with an agency)
    to judge progress against, and the agency's previous scores."""
    tree, out, conference = start.tree, start.out, start.conference
    _next_review(start)
    was_review = str(conference.get("type", "")).strip().lower() == "review"
    # A continuing plan started at the initial conference; a new one at this conference.
    started = conference.get("initial_date") if was_review else conference.get("date")
    out["plan"] = [
        {
            "child": d.get("child"),
            "start_date": started or conference.get("date"),
            "categories": _list(d.get("categories")),
        }
        for d in _list(tree.get("decisions"))
        if isinstance(d, dict) and yes_no_of(d.get("plan")) is True
    ]
    out["plan_progress"] = [
        {k: action[k] for k in ("action", "responsible", "children") if action.get(k)}
        for action in _list(tree.get("plan"))
        if isinstance(action, dict)
        and (start.agency is None or _same(action.get("agency"), start.agency))
    ]
    out["recommendations"] = [{"child": cid} for cid in start.ids]
    previous = _record_scores(start)
    out["scaling"] = {
        **_question(tree),
        "scores": [{"child": cid, "previous": previous.get(cid)} for cid in start.ids],
    }
    return into_any_report(start)
