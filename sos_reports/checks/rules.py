"""The rules across fields (dates in order, every child once, deadlines), as in input-format.md.

Each rule reads a validated model, or a partial one in which any value that could not be
read is None (a field, an entry of a list, a whole block): a rule says nothing about what
it cannot read, since the error there is already reported, and runs on everything else.
Rules yield Issues: severity, location, message, and the values whose absence the issue is
about, so that it is dropped when one of them was there but unreadable.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from sos_reports.support.formatting import long_date
from sos_reports.support.tree import Loc


class Issue(NamedTuple):
    severity: str
    loc: Loc
    message: str
    # Values this issue says are missing or settles by their absence: when one of them was
    # given but could not be read, its own error says enough.
    unless: tuple[Loc, ...] = ()
    # As a Finding's code: "required" for a value the rule needs given, else "rule".
    code: str = "rule"


Rule = Callable[[Any, "dt.date | None"], Iterator[Issue]]


def error(loc: Loc, message: str, unless: tuple[Loc, ...] = ()) -> Issue:
    return Issue("error", loc, message, unless)


def warning(loc: Loc, message: str, unless: tuple[Loc, ...] = ()) -> Issue:
    return Issue("warning", loc, message, unless)


def missing(loc: Loc, message: str, unless: tuple[Loc, ...] = ()) -> Issue:
    """An error for a value that this case needs and that was not given."""
    return Issue("error", loc, message, unless, "required")


def check(p: Any, kind: str, due: dt.date | None) -> list[Issue]:
    out: list[Issue] = []
    from sos_reports.kinds import get_kind

    entry = get_kind(kind)
    own = tuple(globals()[name] for name in entry.rule_names)
    for rule in (*COMMON, *(REPORT if entry.agency_report else ()), *own):
        out.extend(rule(p, due))
    return out


def _required(p: Any, key: str) -> bool:
    """Whether the kind's model requires `key`, read from the model of the input `p`."""
    from sos_reports.kinds import get_kind

    field = get_kind(p.kind).model.model_fields.get(key)
    return field is not None and field.is_required()


def _children(p: Any) -> list[Any]:
    """The children that could be read (an entry that is not a block is None)."""
    return [c for c in p.children or [] if c is not None]


def _each(entries: Iterable[Any] | None) -> list[tuple[int, Any]]:
    """The entries of a list that could be read, with their indexes as typed."""
    return [(i, e) for i, e in enumerate(entries or []) if e is not None]


def _after(later: dt.date | None, earlier: dt.date | None) -> bool:
    return later is not None and earlier is not None and later > earlier


def _name(entry: Any, otherwise: str) -> str:
    return entry.name if getattr(entry, "name", None) else otherwise


def _each_child_once(
    entries: Iterable[Any] | None, p: Any, loc: Loc, *, skip: set[str] | None = None
) -> Iterator[Issue]:
    """Every child (but those skipped) in a per-child list exactly once.

    An entry whose child could not be read (a mistyped id, a blank) may be for any child:
    the children without an entry are then named only when there are more of them than
    such entries, so that a mistyped id is not reported a second time as a missing child.
    """
    if entries is None or p.children is None:
        return
    entries = list(entries)
    refs = [getattr(e, "child", None) for e in entries]
    counts = Counter(ref for ref in refs if ref is not None)
    for i, ref in enumerate(refs):
        if ref is not None and counts[ref] > 1 and refs.index(ref) != i:
            yield error(
                (*loc, i, "child"), f"`{ref}` is listed more than once; give each child one entry"
            )
    missing = [
        child
        for child in _children(p)
        if child.id is not None and child.id not in counts and child.id not in (skip or set())
    ]
    if len(missing) > refs.count(None):
        for child in missing:
            yield error(
                loc,
                f"has no entry for `{child.id}` ({_name(child, 'a child')}); every child needs one",
            )


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
        yield missing(
            ("author", "presenting"),
            "is required when the author is not attending: who presents the report, "
            "or 'report only'",
        )


def report_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    r, c = p.report, p.conference
    if r is None:
        return
    conference: Any = c.date if c is not None else None
    if _after(r.date, conference):
        yield error(
            ("report", "date"),
            f"{long_date(r.date)} is after the conference ({long_date(conference)})",
        )
    elif r.date is not None and r.date == conference:
        yield warning(("report", "date"), "is the day of the conference; reports are due before it")
    if r.sent_to_chair is not None:
        loc = ("report", "sent_to_chair")
        if _after(r.date, r.sent_to_chair):
            yield error(
                loc, f"{long_date(r.sent_to_chair)} is before the report date ({long_date(r.date)})"
            )
        elif _after(r.sent_to_chair, conference):
            yield error(
                loc,
                f"{long_date(r.sent_to_chair)} is after the conference ({long_date(conference)})",
            )
        else:
            yield from _late(r.sent_to_chair, due, loc, "sent to the chair on")


def sharing_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    s, r, c = p.sharing, p.report, p.conference
    if s is None:
        return
    report: Any = r.date if r is not None else None
    conference: Any = c.date if c is not None else None
    if s.shared is True and s.date is None:
        yield missing(
            ("sharing", "date"), "is required when the report has been shared: the date it was"
        )
    if s.shared is False and s.planned_date is None and not s.not_shared_reason:
        yield error(
            ("sharing",),
            "the report is not shared yet: give `planned_date` (when it will be) or "
            "`not_shared_reason` (why it will not be)",
            unless=(("sharing", "planned_date"), ("sharing", "not_shared_reason")),
        )
    for key in ("date", "planned_date"):
        day = getattr(s, key)
        if day is None:
            continue
        loc = ("sharing", key)
        if key == "date" and _after(report, day):
            yield error(loc, f"{long_date(day)} is before the report date ({long_date(report)})")
        elif _after(day, conference):
            yield error(loc, f"{long_date(day)} is after the conference ({long_date(conference)})")
        else:
            yield from _late(day, due, loc, "shared on" if key == "date" else "to be shared on")
    people = _each(s.with_)
    for i, person in people:
        name = _name(person, "this person")
        if person.shared is True and person.method is None:
            yield missing(
                ("sharing", "with", i, "method"), f"is required: how {name} was given the report"
            )
        if person.shared is True and s.shared is False:
            yield error(
                ("sharing", "with", i, "shared"),
                f"says {name} was given the report, but `sharing.shared` says it has not been shared",
            )
    not_given = [(i, person) for i, person in people if person.shared is False]
    if not_given and not s.not_shared_reason:
        names = ", ".join(_name(person, f"the person in row {i + 1}") for i, person in not_given)
        yield missing(
            ("sharing", "not_shared_reason"),
            f"is required: the report was not given to {names}; say why",
        )


def children_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    r, c = getattr(p, "report", None), p.conference
    if p.children is None:
        return
    report: Any = r.date if r is not None else None
    children = _each(p.children)
    ids = [child.id for _, child in children]
    counts = Counter(i for i in ids if i is not None)
    for n, (i, child) in enumerate(children):
        loc: Loc = ("children", i)
        name = _name(child, "the child")
        if child.id is not None and counts[child.id] > 1 and ids.index(child.id) != n:
            yield error(
                (*loc, "id"), f"`{child.id}` is used for two children; each child needs its own id"
            )
        # Whether a date of birth or an expected date is needed depends on the gender.
        unborn = child.gender == "unborn"
        if child.gender is None:
            pass
        elif unborn:
            if child.edd is None:
                yield missing(
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
                yield missing(
                    (*loc, "dob"),
                    f"is required: {name}'s date of birth (or, for an unborn baby, `gender: unborn` and `edd`)",
                    unless=((*loc, "edd"),),
                )
        if _after(child.dob, report):
            yield error((*loc, "dob"), f"{long_date(child.dob)} is after the report date")
        if (
            child.dob is not None
            and c is not None
            and c.date is not None
            and _age_on(child.dob, c.date) >= 18
        ):
            yield error(
                (*loc, "dob"),
                f"{name} is 18 or over on the conference date; a child protection conference is for children",
            )
        if unborn and _after(report, child.edd):
            yield warning(
                (*loc, "edd"),
                f"{long_date(child.edd)} is before the report date: has the baby been born?",
            )
    genders = [child.gender for _, child in children]
    if (
        c is not None
        and c.type == "pre-birth"
        and None not in genders
        and len(children) == len(p.children)
        and "unborn" not in genders
    ):
        yield error(
            ("conference", "type"),
            "is pre-birth, but none of the children is unborn (`gender: unborn` with an `edd`)",
        )


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def household_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    for i, person in _each(p.household):
        if person.parental_responsibility_for and person.parental_responsibility not in {
            "yes",
            None,
        }:
            yield error(
                ("household", i, "parental_responsibility_for"),
                "is only for a person with parental responsibility (`parental_responsibility: yes`)",
            )
        yield from _withheld(p, ("household", i), person)


def family_household_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    """A conference about children is also about who cares for them (icpc and rcpc)."""
    household = p.household
    if household is None:
        return
    if not household:
        yield missing(
            ("household",),
            "needs at least one person: the children's parents or carers, and other "
            "significant adults",
        )
        return
    people = _each(household)
    responsibility = [person.parental_responsibility for _, person in people]
    if len(people) == len(household) and None not in responsibility and "yes" not in responsibility:
        yield warning(
            ("household",),
            "no one here has parental responsibility (`parental_responsibility: yes`): add "
            "the children's parents, or whoever holds it, even if they live elsewhere",
        )


def _withheld(p: Any, loc: Loc, entry: Any) -> Iterator[Issue]:
    conf = p.confidential
    if entry.withhold_from_family is True and conf is not None and conf.present is False:
        yield error(
            (*loc, "withhold_from_family"),
            "an entry withheld from the family goes into the confidential annex, but "
            "`confidential.present` is no: set it to yes and fill in the confidential block",
        )


def worries_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    w = p.worries
    if w is not None and w.danger_statements is not None and len(w.danger_statements) > 3:
        yield warning(
            ("worries", "danger_statements"),
            f"has {len(w.danger_statements)} danger statements; aim for no more than three, one per issue",
        )


def needs_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    n, w, r = p.needs_to_happen, p.worries, getattr(p, "report", None)
    if n is None:
        return
    goals = n.safety_goals
    statements = w.danger_statements if w is not None else None
    if goals is not None and statements is not None and len(goals) != len(statements):
        yield warning(
            ("needs_to_happen", "safety_goals"),
            f"there are {len(goals)} safety goals for {len(statements)} danger "
            "statements; each danger statement usually has its own goal",
        )
    report: Any = r.date if r is not None else None
    for i, step in _each(n.next_steps):
        if isinstance(step.by, dt.date) and _after(report, step.by):
            yield warning(
                ("needs_to_happen", "next_steps", i, "by"),
                f"{long_date(step.by)} is before the report date",
            )


def child_voice_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    voices = p.child_voice
    if voices is None:
        return
    # Where the kind's model requires the children's voices, each child has an entry; where
    # it does not (a GP rarely hears them), only a list that is given must name each once.
    if voices or _required(p, "child_voice"):
        yield from _each_child_once(voices, p, ("child_voice",))
    for i, voice in _each(voices):
        if voice.method == "not gathered" and not voice.not_gathered_reason:
            yield missing(
                ("child_voice", i, "not_gathered_reason"),
                "is required when the child's views were not gathered: say why, and describe the child's daily life",
            )


def scaling_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.scaling is not None:
        yield from _each_child_once(p.scaling.scores, p, ("scaling", "scores"))


def confidential_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    conf = p.confidential
    if conf is None or conf.present is not True:
        return
    needs = {
        "reason": "why the information is confidential",
        "chair_informed": "the date the chair was told",
        "details": "the confidential information itself (it goes only into the annex)",
    }
    for key, what in needs.items():
        if getattr(conf, key) is None:
            yield missing(
                ("confidential", key), f"is required when there is confidential information: {what}"
            )


def sign_off_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    s, r, c = p.sign_off, p.report, p.conference
    if s is None:
        return
    report: Any = r.date if r is not None else None
    conference: Any = c.date if c is not None else None
    if s.countersigned_by and s.countersigned_date is None:
        yield missing(
            ("sign_off", "countersigned_date"), "is required when the report is countersigned"
        )
    if _after(report, s.countersigned_date):
        yield warning(
            ("sign_off", "countersigned_date"),
            f"{long_date(s.countersigned_date)} is before the report date",
        )
    if _after(report, s.date):
        yield warning(
            ("sign_off", "date"),
            f"{long_date(s.date)} is before the report date ({long_date(report)})",
        )
    elif _after(s.date, conference):
        yield warning(
            ("sign_off", "date"),
            f"{long_date(s.date)} is after the conference ({long_date(conference)})",
        )


# The rules of the blocks every kind has, the conference record included.
COMMON: tuple[Rule, ...] = (
    children_rules,
    household_rules,
    worries_rules,
    needs_rules,
    child_voice_rules,
    confidential_rules,
)
# The rules of an agency's report: its author, date, sharing, one score per child, sign-off.
REPORT: tuple[Rule, ...] = (
    author_rules,
    report_rules,
    sharing_rules,
    scaling_rules,
    sign_off_rules,
)


# --- icpc and rcpc ---------------------------------------------------------------------------


def involvement_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    inv, r, c = p.involvement, p.report, p.conference
    if inv is None:
        return
    report: Any = r.date if r is not None else None
    if _after(inv.since, report):
        yield error(("involvement", "since"), f"{long_date(inv.since)} is after the report date")
    children = _children(p)
    unborn = {ch.id for ch in children if ch.gender == "unborn"}
    # A child whose gender could not be read may be unborn, and so need no entry.
    unsure = {ch.id for ch in children if ch.gender is None}
    yield from _each_child_once(
        inv.last_seen, p, ("involvement", "last_seen"), skip=unborn | unsure
    )
    previous: Any = getattr(c, "previous_date", None) if c is not None else None
    for i, seen in _each(inv.last_seen):
        loc: Loc = ("involvement", "last_seen", i)
        if not seen.not_seen_reason:
            reason = ((*loc, "not_seen_reason"),)
            if seen.date is None:
                yield missing(
                    (*loc, "date"),
                    "is required: when this agency last saw the child (or give `not_seen_reason`)",
                    unless=reason,
                )
            if seen.seen_alone is None:
                yield missing(
                    (*loc, "seen_alone"),
                    "is required: yes or no (or give `not_seen_reason`)",
                    unless=reason,
                )
        if _after(seen.date, report):
            yield error((*loc, "date"), f"{long_date(seen.date)} is after the report date")
        elif _after(previous, seen.date):
            yield warning(
                (*loc, "date"),
                f"{long_date(seen.date)} is before the previous conference: the child has not been seen since",
            )


def view_on_plan_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    seen: set[str] = set()
    for i, view in _each(p.view_on_plan):
        if view.child is None:
            continue
        if view.child in seen:
            yield error(
                ("view_on_plan", i, "child"),
                f"`{view.child}` has more than one view; give one per child",
            )
        seen.add(view.child)


# --- rcpc ------------------------------------------------------------------------------------


def review_dates_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    previous: Any = getattr(c, "previous_date", None) if c is not None else None
    if previous is None:
        return
    if c.date is not None and previous >= c.date:
        yield error(
            ("conference", "previous_date"),
            f"{long_date(previous)} is not before the conference date",
        )
    initial: Any = getattr(c, "initial_date", None)
    if _after(initial, previous):
        yield error(
            ("conference", "initial_date"), f"{long_date(initial)} is after the previous conference"
        )


def plan_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.plan is None:
        return
    yield from _each_child_once(p.plan, p, ("plan",))
    previous = p.conference.previous_date if p.conference is not None else None
    for i, entry in _each(p.plan):
        if _after(entry.start_date, previous):
            yield error(
                ("plan", i, "start_date"),
                f"{long_date(entry.start_date)} is after the previous conference",
            )


def core_group_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    if p.core_group is None or c is None or c.previous_date is None or c.date is None:
        return
    for i, meeting in _each(p.core_group):
        if meeting.date is not None and not c.previous_date <= meeting.date <= c.date:
            yield warning(
                ("core_group", i, "date"),
                f"{long_date(meeting.date)} is outside the time since the previous conference",
            )


def recommendation_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.recommendations is None:
        return
    yield from _each_child_once(p.recommendations, p, ("recommendations",))
    for i, rec in _each(p.recommendations):
        if rec.category_change and rec.recommendation not in {"continue plan", None}:
            yield warning(
                ("recommendations", i, "category_change"),
                "a change of category only applies when the plan continues",
            )


# --- medical ---------------------------------------------------------------------------------


def medical_conference_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    c = p.conference
    if c is None or c.type is None:
        return
    if c.type == "review":
        for key, what in (
            ("review_number", "which review this is"),
            ("previous_date", "the date of the previous conference"),
        ):
            if getattr(c, key) is None:
                yield missing(("conference", key), f"is required for a review conference: {what}")
    else:
        for key in ("review_number", "previous_date"):
            if getattr(c, key) is not None:
                yield error(("conference", key), "is only for a review conference (`type: review`)")
    if p.scaling is not None and c.type != "review":
        for i, entry in _each(p.scaling.scores):
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
    for i, health in _each(p.child_health):
        loc: Loc = ("child_health", i)
        child = children.get(health.child)
        unborn = child is not None and child.gender == "unborn"
        registered = health.registered is not False
        # Whether the child is unborn or registered decides what is required.
        decides = ((*loc, "child"), (*loc, "registered"), ("children",))
        if registered and not unborn:
            if health.last_seen is None:
                yield missing(
                    (*loc, "last_seen"),
                    "is required: when the child was last seen at the practice",
                    unless=decides,
                )
            if health.immunisations is None:
                yield missing(
                    (*loc, "immunisations"),
                    "is required: up to date, incomplete or delayed, declined or not known",
                    unless=decides,
                )
        if (
            health.immunisations is not None
            and health.immunisations != "up to date"
            and not health.immunisation_details
        ):
            yield missing(
                (*loc, "immunisation_details"),
                "is required when immunisations are not up to date: which, and what is planned",
            )
        if child is not None and _after(child.dob, health.registered_since):
            yield error(
                (*loc, "registered_since"),
                f"{long_date(health.registered_since)} is before the child's date of birth",
            )


def carer_health_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.carer_health is None:
        return
    household = p.registered_household
    registered = {
        person.name.casefold() for _, person in _each(household) if person.name is not None
    }
    complete = household is not None and all(
        person is not None and person.name is not None for person in household
    )
    unborn_edds = {ch.edd for ch in _children(p) if ch.gender == "unborn"}
    pre_birth = p.conference is not None and p.conference.type == "pre-birth"
    carers = _each(p.carer_health)
    for i, carer in carers:
        loc: Loc = ("carer_health", i)
        name = _name(carer, "this carer")
        if complete and carer.name is not None and carer.name.casefold() not in registered:
            yield warning((*loc, "name"), f"{carer.name} is not in the registered household")
        for key in ("mental_health", "substance_use", "domestic_abuse"):
            concern = getattr(carer, key)
            if concern is None:
                continue
            if concern.status in {"current", "past"} and not concern.impact:
                yield missing(
                    (*loc, key, "impact"),
                    f"is required when the status is {concern.status}: the impact on parenting",
                )
        abuse = carer.domestic_abuse
        if abuse is not None and abuse.status == "current" and not carer.withhold_from_family:
            yield warning(
                (*loc, "domestic_abuse"),
                f"is current, and {name}'s entry is printed in the family's copy: what one "
                "adult disclosed about another is normally given to the chair only, unless "
                "that adult agreed to it being shared. If not, set `withhold_from_family: "
                "yes` so that the entry goes only into the confidential annex",
                unless=((*loc, "withhold_from_family"),),
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
    if pre_birth and not any(carer.pregnancy_edd for _, carer in carers):
        yield warning(
            ("carer_health",),
            "a pre-birth conference, but no carer has a `pregnancy_edd`",
            # an unreadable entry or date may be the one that was given
            unless=tuple(
                ("carer_health", i) if carer is None else ("carer_health", i, "pregnancy_edd")
                for i, carer in enumerate(p.carer_health)
            ),
        )


def information_sharing_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    info, s = p.information_sharing, p.sharing
    if (
        info is not None
        and s is not None
        and info.basis == "not informed: would increase risk"
        and s.shared is True
    ):
        yield error(
            ("information_sharing", "basis"),
            "says the parents were not informed because it would increase risk, but "
            "`sharing.shared` says the report has been shared with the family",
        )


# --- record ----------------------------------------------------------------------------------


def _planned(p: Any) -> bool:
    """Whether any child was decided to need a plan (from the decisions that could be read)."""
    return any(d.plan is True for _, d in _each(p.decisions))


def record_conference_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    """A record of a review says which review and when the last one was; the review's own
    parts of the three columns are for a review only."""
    c = p.conference
    if c is None or c.type is None:
        return
    review = c.type == "review"
    if review:
        for key, what in (
            ("review_number", "which review this is"),
            ("previous_date", "the date of the previous conference"),
        ):
            if getattr(c, key) is None:
                yield missing(("conference", key), f"is required for a review conference: {what}")
    else:
        for key in ("review_number", "previous_date", "initial_date"):
            if getattr(c, key) is not None:
                yield error(("conference", key), "is only for a review conference (`type: review`)")
    for block, key, what in (
        ("worries", "remaining_concerns", "what worries about significant harm remain"),
        ("working_well", "progress", "what is going well towards the safety goals in the plan"),
    ):
        part = getattr(p, block)
        if part is None:
            continue
        if review and not getattr(part, key):
            yield missing((block, key), f"is required for a review conference: {what}")
        elif not review and getattr(part, key):
            yield error((block, key), "is only for a review conference (`type: review`)")
    if not review and p.worries is not None and p.worries.new_concerns:
        yield error(("worries", "new_concerns"), "is only for a review conference (`type: review`)")


def attendance_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    people = _each(p.attendance)
    names = [person.name.casefold() for _, person in people if person.name is not None]
    seen: set[str] = set()
    for i, person in people:
        if person.name is None:
            continue
        if person.name.casefold() in seen:
            yield error(
                ("attendance", i, "name"),
                f"{person.name} is listed twice; give each person one row",
            )
        seen.add(person.name.casefold())
    chair = p.conference.chair if p.conference is not None else None
    if chair and len(names) == len(p.attendance or []) and chair.casefold() not in names:
        yield warning(
            ("attendance",),
            f"does not list the chair, {chair}: the chair is listed as attending",
        )


def record_scaling_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    """At least one score per child, each `by` someone in the attendance."""
    s = p.scaling
    if s is None or s.scores is None:
        return
    scores = _each(s.scores)
    attendance = p.attendance
    names = {a.name.casefold() for _, a in _each(attendance) if a.name is not None}
    complete = attendance is not None and all(
        a is not None and a.name is not None for a in attendance
    )
    for i, entry in scores:
        if complete and entry.by is not None and entry.by.casefold() not in names:
            yield error(
                ("scaling", "scores", i, "by"),
                f"{entry.by} is not in the attendance: add them there, or use the name as it "
                "is written there",
            )
    scored = {entry.child for _, entry in scores}
    unreadable = len(scores) != len(s.scores) or None in scored
    for child in _children(p):
        if child.id is not None and child.id not in scored and not unreadable:
            yield missing(
                ("scaling", "scores"),
                f"has no score for `{child.id}` ({_name(child, 'a child')}); everyone's score "
                "for each child, as it was said",
            )


def decision_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    if p.decisions is None:
        return
    yield from _each_child_once(p.decisions, p, ("decisions",))
    review = p.conference is not None and p.conference.type == "review"
    known = p.conference is not None and p.conference.type is not None
    for i, d in _each(p.decisions):
        loc: Loc = ("decisions", i)
        if d.plan is True and not d.categories:
            yield missing(
                (*loc, "categories"),
                "is required when the child has a plan: neglect, physical abuse, emotional "
                "abuse or sexual abuse (at least one)",
            )
        if d.plan is False and d.categories:
            yield error(
                (*loc, "categories"),
                "is only for a child with a plan (`plan: yes`): a category says why the plan is needed",
            )
        if d.plan is False and review and d.ended_to is None:
            yield missing(
                (*loc, "ended_to"),
                "is required when a review ends the plan: child in need, universal or early "
                "help, or child looked after",
            )
        if d.ended_to is not None and (d.plan is True or (known and not review)):
            yield error(
                (*loc, "ended_to"),
                "is only for a review conference that ends the plan (`plan: no`)",
            )


def outline_plan_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    """A plan needs its actions, the goals, a core group and a review date."""
    if not _planned(p):
        return
    if p.plan is not None and not p.plan:
        yield missing(
            ("plan",),
            "is required when a child has a plan: what will be done, by whom, by when",
        )
    for key, what in (
        ("family_goals", "what the family wants to achieve, in their words"),
        ("agency_goals", "what the agencies want to achieve"),
        ("review_date", "the date of the review conference"),
    ):
        if getattr(p, key, None) is None:
            yield missing((key,), f"is required when a child has a plan: {what}")
    group = p.core_group
    if group is not None:
        if group.members is not None and not group.members:
            yield missing(
                ("core_group", "members"),
                "is required when a child has a plan: who is in it",
            )
        if group.first_meeting is None:
            yield missing(
                ("core_group", "first_meeting"),
                "is required when a child has a plan: the date of the first core group meeting",
            )


def record_dates_rules(p: Any, due: dt.date | None) -> Iterator[Issue]:
    """The core group within 10 working days, the review within 3 months (6 after a review),
    the record sent within 15 working days: the working days the due dates use."""
    from sos_reports.support.deadlines import months_after, working_days_after

    c = p.conference
    day: Any = c.date if c is not None else None
    if day is None:
        return
    if c.previous_date is not None and c.previous_date >= day:
        yield error(
            ("conference", "previous_date"),
            f"{long_date(c.previous_date)} is not before the conference date",
        )
    if _after(c.initial_date, c.previous_date):
        yield error(
            ("conference", "initial_date"),
            f"{long_date(c.initial_date)} is after the previous conference",
        )
    group = p.core_group
    first = group.first_meeting if group is not None else None
    if first is not None:
        latest = working_days_after(day, 10)
        if first < day:
            yield error(
                ("core_group", "first_meeting"),
                f"{long_date(first)} is before the conference ({long_date(day)})",
            )
        elif first > latest:
            yield error(
                ("core_group", "first_meeting"),
                f"{long_date(first)} is more than 10 working days after the conference: the "
                f"first core group meets by {long_date(latest)}",
            )
    if p.review_date is not None and c.type is not None:
        months = 6 if c.type == "review" else 3
        latest = months_after(day, months)
        if p.review_date <= day:
            yield error(
                ("review_date",),
                f"{long_date(p.review_date)} is not after the conference ({long_date(day)})",
            )
        elif p.review_date > latest:
            after = {
                "initial": "an initial conference",
                "pre-birth": "a pre-birth conference",
                "transfer-in": "a transfer-in conference",
            }.get(c.type, "a review")
            yield error(
                ("review_date",),
                f"{long_date(p.review_date)} is more than {months} months after {after}: the "
                f"review is held by {long_date(latest)}",
            )
    latest_sent = working_days_after(day, 15)
    for i, entry in _each(p.distribution):
        if entry.sent is None:
            continue
        if entry.sent < day:
            yield error(
                ("distribution", i, "sent"),
                f"{long_date(entry.sent)} is before the conference ({long_date(day)})",
            )
        elif entry.sent > latest_sent:
            yield warning(
                ("distribution", i, "sent"),
                f"{long_date(entry.sent)} is more than 15 working days after the conference: "
                f"the record is sent by {long_date(latest_sent)}",
            )
    s = p.sign_off
    if s is not None and _after(day, s.date):
        yield error(
            ("sign_off", "date"),
            f"{long_date(s.date)} is before the conference ({long_date(day)})",
        )
