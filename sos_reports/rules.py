"""The rules across fields (dates in order, every child once, deadlines), as in input-format.md.

Each rule reads a validated model, or a partial one where a block that failed its own
checks is None: a rule whose blocks are missing says nothing, since the type error there is
already reported. Rules yield (severity, location, message).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sos_reports.formatting import long_date
from sos_reports.tree import Loc

Issue = tuple[str, Loc, str]
Rule = Callable[[Any, "dt.date | None"], Iterator[Issue]]


def error(loc: Loc, message: str) -> Issue:
    return ("error", loc, message)


def warning(loc: Loc, message: str) -> Issue:
    return ("warning", loc, message)


def check(p: Any, kind: str, due: dt.date | None) -> list[Issue]:
    out: list[Issue] = []
    for rule in (*COMMON, *BY_KIND[kind]):
        out.extend(rule(p, due))
    return out


def _children(p: Any) -> list[Any]:
    return p.children or []


def _ids(p: Any) -> list[str]:
    return [c.id for c in _children(p)]


def _each_child_once(
    entries: Iterable[Any] | None, p: Any, loc: Loc, *, skip: set[str] | None = None
) -> Iterator[Issue]:
    """Every child (but those skipped) in a per-child list exactly once."""
    if entries is None or p.children is None:
        return
    entries = list(entries)
    counts = Counter(e.child for e in entries)
    for i, entry in enumerate(entries):
        if counts[entry.child] > 1 and [e.child for e in entries].index(entry.child) != i:
            yield error(
                (*loc, i, "child"),
                f"`{entry.child}` is listed more than once; give each child one entry",
            )
    for child in _children(p):
        if child.id not in counts and child.id not in (skip or set()):
            yield error(loc, f"has no entry for `{child.id}` ({child.name}); every child needs one")


def _late(day: dt.date | None, due: dt.date | None, loc: Loc, what: str) -> Iterator[Issue]:
    if day is not None and due is not None and day > due:
        yield warning(
            loc,
            f"{what} {long_date(day)} is after the due date, {long_date(due)} "
            "(the working days before the conference that reports are due)",
        )


# --- shared blocks ------------------------------------------------------------------------


def author_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    a = p.author
    if a is not None and getattr(a, "attending", None) is False and not a.presenting:
        yield error(
            ("author", "presenting"),
            "is required when the author is not attending: who presents the report, "
            "or 'report only'",
        )


def report_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    r, c = p.report, p.conference
    if r is None or c is None:
        return
    if r.date > c.date:
        yield error(
            ("report", "date"),
            f"{long_date(r.date)} is after the conference ({long_date(c.date)})",
        )
    elif r.date == c.date:
        yield warning(("report", "date"), "is the day of the conference; reports are due before it")
    if r.sent_to_chair is not None:
        loc = ("report", "sent_to_chair")
        if r.sent_to_chair < r.date:
            yield error(
                loc, f"{long_date(r.sent_to_chair)} is before the report date ({long_date(r.date)})"
            )
        elif r.sent_to_chair > c.date:
            yield error(
                loc, f"{long_date(r.sent_to_chair)} is after the conference ({long_date(c.date)})"
            )
        else:
            yield from _late(r.sent_to_chair, due, loc, "sent to the chair on")


def sharing_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    s, r, c = p.sharing, p.report, p.conference
    if s is None:
        return
    if s.shared and s.date is None:
        yield error(
            ("sharing", "date"), "is required when the report has been shared: the date it was"
        )
    if not s.shared and s.planned_date is None and not s.not_shared_reason:
        yield error(
            ("sharing",),
            "the report is not shared yet: give `planned_date` (when it will be) or "
            "`not_shared_reason` (why it will not be)",
        )
    for key in ("date", "planned_date"):
        day = getattr(s, key)
        if day is None:
            continue
        loc = ("sharing", key)
        if key == "date" and r is not None and day < r.date:
            yield error(loc, f"{long_date(day)} is before the report date ({long_date(r.date)})")
        elif c is not None and day > c.date:
            yield error(loc, f"{long_date(day)} is after the conference ({long_date(c.date)})")
        else:
            yield from _late(day, due, loc, "shared on" if key == "date" else "to be shared on")
    for i, person in enumerate(s.with_):
        if person.shared and person.method is None:
            yield error(
                ("sharing", "with", i, "method"),
                f"is required: how {person.name} was given the report",
            )
        if person.shared and not s.shared:
            yield error(
                ("sharing", "with", i, "shared"),
                f"says {person.name} was given the report, but `sharing.shared` says it has not been shared",
            )
    if any(not person.shared for person in s.with_) and not s.not_shared_reason:
        names = ", ".join(person.name for person in s.with_ if not person.shared)
        yield error(
            ("sharing", "not_shared_reason"),
            f"is required: the report was not given to {names}; say why",
        )


def children_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    children, r, c = p.children, p.report, p.conference
    if children is None:
        return
    counts = Counter(child.id for child in children)
    for i, child in enumerate(children):
        loc: Loc = ("children", i)
        if counts[child.id] > 1 and _ids(p).index(child.id) != i:
            yield error(
                (*loc, "id"), f"`{child.id}` is used for two children; each child needs its own id"
            )
        unborn = child.gender == "unborn"
        if unborn:
            if child.edd is None:
                yield error(
                    (*loc, "edd"), "is required for an unborn child: the expected date of delivery"
                )
            if child.dob is not None:
                yield error(
                    (*loc, "dob"),
                    "an unborn child has an expected date of delivery (`edd`), not a date of birth",
                )
        else:
            if child.edd is not None:
                yield error((*loc, "edd"), "is only for an unborn child (`gender: unborn`)")
            if child.dob is None:
                yield error(
                    (*loc, "dob"),
                    f"is required: {child.name}'s date of birth (or, for an unborn baby, `gender: unborn` and `edd`)",
                )
        if child.dob is not None and r is not None and child.dob > r.date:
            yield error((*loc, "dob"), f"{long_date(child.dob)} is after the report date")
        if child.dob is not None and c is not None and _age_on(child.dob, c.date) >= 18:
            yield error(
                (*loc, "dob"),
                f"{child.name} is 18 or over on the conference date; a child protection conference is for children",
            )
        if unborn and child.edd is not None and r is not None and child.edd < r.date:
            yield warning(
                (*loc, "edd"),
                f"{long_date(child.edd)} is before the report date: has the baby been born?",
            )
    if (
        c is not None
        and c.type == "pre-birth"
        and not any(ch.gender == "unborn" for ch in children)
    ):
        yield error(
            ("conference", "type"),
            "is pre-birth, but none of the children is unborn (`gender: unborn` with an `edd`)",
        )


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def household_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    for i, person in enumerate(p.household or []):
        if person.parental_responsibility_for and person.parental_responsibility != "yes":
            yield error(
                ("household", i, "parental_responsibility_for"),
                "is only for a person with parental responsibility (`parental_responsibility: yes`)",
            )
        yield from _withheld(p, ("household", i), person)


def _withheld(p: Any, loc: Loc, entry: Any) -> Iterator[Issue]:
    if entry.withhold_from_family and p.confidential is not None and not p.confidential.present:
        yield error(
            (*loc, "withhold_from_family"),
            "an entry withheld from the family goes into the confidential annex, but "
            "`confidential.present` is no: set it to yes and fill in the confidential block",
        )


def worries_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    w = p.worries
    if w is not None and len(w.danger_statements) > 3:
        yield warning(
            ("worries", "danger_statements"),
            f"has {len(w.danger_statements)} danger statements; aim for no more than three, one per issue",
        )


def needs_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    n, w, r = p.needs_to_happen, p.worries, p.report
    if n is None:
        return
    if w is not None and len(n.safety_goals) != len(w.danger_statements):
        yield warning(
            ("needs_to_happen", "safety_goals"),
            f"there are {len(n.safety_goals)} safety goals for {len(w.danger_statements)} danger "
            "statements; each danger statement usually has its own goal",
        )
    for i, step in enumerate(n.next_steps):
        if isinstance(step.by, dt.date) and r is not None and step.by < r.date:
            yield warning(
                ("needs_to_happen", "next_steps", i, "by"),
                f"{long_date(step.by)} is before the report date",
            )


def child_voice_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    voices = p.child_voice
    if voices is None:
        return
    if voices or p.kind != "medical":
        yield from _each_child_once(voices, p, ("child_voice",))
    for i, voice in enumerate(voices):
        if voice.method == "not gathered" and not voice.not_gathered_reason:
            yield error(
                ("child_voice", i, "not_gathered_reason"),
                "is required when the child's views were not gathered: say why, and describe the child's daily life",
            )


def scaling_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.scaling is not None:
        yield from _each_child_once(p.scaling.scores, p, ("scaling", "scores"))


def confidential_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    conf = p.confidential
    if conf is None or not conf.present:
        return
    needs = {
        "reason": "why the information is confidential",
        "chair_informed": "the date the chair was told",
        "details": "the confidential information itself (it goes only into the annex)",
    }
    for key, what in needs.items():
        if getattr(conf, key) is None:
            yield error(
                ("confidential", key), f"is required when there is confidential information: {what}"
            )


def sign_off_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    s, r, c = p.sign_off, p.report, p.conference
    if s is None:
        return
    if s.countersigned_by and s.countersigned_date is None:
        yield error(
            ("sign_off", "countersigned_date"), "is required when the report is countersigned"
        )
    if r is not None and s.countersigned_date is not None and s.countersigned_date < r.date:
        yield warning(
            ("sign_off", "countersigned_date"),
            f"{long_date(s.countersigned_date)} is before the report date",
        )
    if r is not None and s.date < r.date:
        yield warning(
            ("sign_off", "date"),
            f"{long_date(s.date)} is before the report date ({long_date(r.date)})",
        )
    elif c is not None and s.date > c.date:
        yield warning(
            ("sign_off", "date"),
            f"{long_date(s.date)} is after the conference ({long_date(c.date)})",
        )


COMMON: tuple[Rule, ...] = (
    author_rules,
    report_rules,
    sharing_rules,
    children_rules,
    household_rules,
    worries_rules,
    needs_rules,
    child_voice_rules,
    scaling_rules,
    confidential_rules,
    sign_off_rules,
)


# --- icpc and rcpc ---------------------------------------------------------------------------


def involvement_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    inv, r, c = p.involvement, p.report, p.conference
    if inv is None:
        return
    if inv.since is not None and r is not None and inv.since > r.date:
        yield error(("involvement", "since"), f"{long_date(inv.since)} is after the report date")
    unborn = {ch.id for ch in _children(p) if ch.gender == "unborn"}
    yield from _each_child_once(inv.last_seen, p, ("involvement", "last_seen"), skip=unborn)
    previous = getattr(c, "previous_date", None) if c is not None else None
    for i, seen in enumerate(inv.last_seen):
        loc: Loc = ("involvement", "last_seen", i)
        if not seen.not_seen_reason:
            if seen.date is None:
                yield error(
                    (*loc, "date"),
                    "is required: when this agency last saw the child (or give `not_seen_reason`)",
                )
            if seen.seen_alone is None:
                yield error(
                    (*loc, "seen_alone"), "is required: yes or no (or give `not_seen_reason`)"
                )
        if seen.date is not None and r is not None and seen.date > r.date:
            yield error((*loc, "date"), f"{long_date(seen.date)} is after the report date")
        elif seen.date is not None and previous is not None and seen.date < previous:
            yield warning(
                (*loc, "date"),
                f"{long_date(seen.date)} is before the previous conference: the child has not been seen since",
            )


def view_on_plan_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    seen: set[str] = set()
    for i, view in enumerate(p.view_on_plan or []):
        if view.child in seen:
            yield error(
                ("view_on_plan", i, "child"),
                f"`{view.child}` has more than one view; give one per child",
            )
        seen.add(view.child)


# --- rcpc ------------------------------------------------------------------------------------


def review_dates_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    if c is None or getattr(c, "previous_date", None) is None:
        return
    if c.previous_date >= c.date:
        yield error(
            ("conference", "previous_date"),
            f"{long_date(c.previous_date)} is not before the conference date",
        )
    initial = getattr(c, "initial_date", None)
    if initial is not None and initial > c.previous_date:
        yield error(
            ("conference", "initial_date"), f"{long_date(initial)} is after the previous conference"
        )


def plan_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.plan is None:
        return
    yield from _each_child_once(p.plan, p, ("plan",))
    previous = p.conference.previous_date if p.conference is not None else None
    for i, entry in enumerate(p.plan):
        if previous is not None and entry.start_date > previous:
            yield error(
                ("plan", i, "start_date"),
                f"{long_date(entry.start_date)} is after the previous conference",
            )


def core_group_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    if p.core_group is None or c is None:
        return
    for i, meeting in enumerate(p.core_group):
        if not c.previous_date <= meeting.date <= c.date:
            yield warning(
                ("core_group", i, "date"),
                f"{long_date(meeting.date)} is outside the time since the previous conference",
            )


def recommendation_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.recommendations is None:
        return
    yield from _each_child_once(p.recommendations, p, ("recommendations",))
    for i, rec in enumerate(p.recommendations):
        if rec.category_change and rec.recommendation != "continue plan":
            yield warning(
                ("recommendations", i, "category_change"),
                "a change of category only applies when the plan continues",
            )


# --- medical ---------------------------------------------------------------------------------


def medical_conference_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    if c is None:
        return
    if c.type == "review":
        for key, what in (
            ("review_number", "which review this is"),
            ("previous_date", "the date of the previous conference"),
        ):
            if getattr(c, key) is None:
                yield error(("conference", key), f"is required for a review conference: {what}")
    else:
        for key in ("review_number", "previous_date"):
            if getattr(c, key) is not None:
                yield error(("conference", key), "is only for a review conference (`type: review`)")
    if p.scaling is not None and c.type != "review":
        for i, entry in enumerate(p.scaling.scores):
            if entry.previous is not None:
                yield error(
                    ("scaling", "scores", i, "previous"),
                    "a previous score is only for a review conference",
                )


def child_health_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.child_health is None:
        return
    yield from _each_child_once(p.child_health, p, ("child_health",))
    children = {ch.id: ch for ch in _children(p)}
    for i, health in enumerate(p.child_health):
        loc: Loc = ("child_health", i)
        child = children.get(health.child)
        unborn = child is not None and child.gender == "unborn"
        registered = health.registered is not False
        if registered and not unborn:
            if health.last_seen is None:
                yield error(
                    (*loc, "last_seen"), "is required: when the child was last seen at the practice"
                )
            if health.immunisations is None:
                yield error(
                    (*loc, "immunisations"),
                    "is required: up to date, incomplete or delayed, declined or not known",
                )
        if (
            health.immunisations is not None
            and health.immunisations != "up to date"
            and not health.immunisation_details
        ):
            yield error(
                (*loc, "immunisation_details"),
                "is required when immunisations are not up to date: which, and what is planned",
            )
        if (
            child is not None
            and child.dob is not None
            and health.registered_since is not None
            and health.registered_since < child.dob
        ):
            yield error(
                (*loc, "registered_since"),
                f"{long_date(health.registered_since)} is before the child's date of birth",
            )


def carer_health_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.carer_health is None:
        return
    registered = {person.name.casefold() for person in p.registered_household or []}
    unborn_edds = {ch.edd for ch in _children(p) if ch.gender == "unborn"}
    pre_birth = p.conference is not None and p.conference.type == "pre-birth"
    for i, carer in enumerate(p.carer_health):
        loc: Loc = ("carer_health", i)
        if p.registered_household is not None and carer.name.casefold() not in registered:
            yield warning((*loc, "name"), f"{carer.name} is not in the registered household")
        for key in ("mental_health", "substance_use", "domestic_abuse"):
            concern = getattr(carer, key)
            if concern.status in {"current", "past"} and not concern.impact:
                yield error(
                    (*loc, key, "impact"),
                    f"is required when the status is {concern.status}: the impact on parenting",
                )
        if (
            pre_birth
            and carer.pregnancy_edd is not None
            and unborn_edds
            and carer.pregnancy_edd not in unborn_edds
        ):
            yield warning(
                (*loc, "pregnancy_edd"), "differs from the unborn child's expected date of delivery"
            )
        yield from _withheld(p, loc, carer)
    if pre_birth and not any(c.pregnancy_edd for c in p.carer_health):
        yield warning(
            ("carer_health",), "a pre-birth conference, but no carer has a `pregnancy_edd`"
        )


def information_sharing_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    info, s = p.information_sharing, p.sharing
    if (
        info is not None
        and s is not None
        and info.basis == "not informed: would increase risk"
        and s.shared
    ):
        yield error(
            ("information_sharing", "basis"),
            "says the parents were not informed because it would increase risk, but "
            "`sharing.shared` says the report has been shared with the family",
        )


BY_KIND: dict[str, tuple[Rule, ...]] = {
    "icpc": (involvement_rules, view_on_plan_rules),
    "rcpc": (
        involvement_rules,
        review_dates_rules,
        plan_rules,
        core_group_rules,
        recommendation_rules,
    ),
    "medical": (
        medical_conference_rules,
        review_dates_rules,  # a GP's report to a review conference has a previous_date too
        child_health_rules,
        carer_health_rules,
        information_sharing_rules,
    ),
}
