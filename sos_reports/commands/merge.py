"""The chair's conference map: several agencies' inputs for one conference on one Signs of Safety map.

Each input is read and checked as `validate` does; the inputs must then belong to one
conference (its date and type, the same children by name and date of birth, whatever ids each
agency used). The map's context is built from each input's report context, the family's
copy, so the confidential details and the entries withheld from the family never reach it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from sos_reports.checks.validation import Checked
from sos_reports.commands.options import Options
from sos_reports.errors import Finding, InputError, MergeError, OutputError, ReadError
from sos_reports.kinds import KINDS
from sos_reports.model.common import (
    DEFAULT_QUESTION,
    DEFAULT_TEN,
    DEFAULT_ZERO,
    DIFFERENCE_OF_VIEW,
    CommonInput,
)
from sos_reports.support.deadlines import is_working_day
from sos_reports.support.formatting import long_date, names_list

# What a folder's input files are called; the readers refuse what they cannot read.
INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".docx")

# The conference's keys the map prints, from the first input that gives each.
CONFERENCE_KEYS = (
    "type",
    "date",
    "time",
    "venue",
    "chair",
    "case_reference",
    "social_worker",
    "review_number",
    "previous_date",
)


@dataclass
class Contribution:
    """One agency's input: where it came from, its findings, and its valid model."""

    path: Path
    checked: Checked
    model: CommonInput
    label: str = ""  # the agency as the map names it


@dataclass
class Merged:
    """What `merge` wrote, and what the chair may want to know about the inputs."""

    written: list[Path] = field(default_factory=list)
    # input -> its warnings (each input's findings are `validate`'s to show in full)
    warnings: dict[str, list[Finding]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- the inputs ------------------------------------------------------------------------------


def input_files(paths: Iterable[Path], skip: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """The input files named, a folder standing for every input file directly in it; each
    with whether it was found in a folder (rather than named).

    Hidden files and Word's lock files (`~$...`) in a folder are not inputs, nor is any file
    in `skip` (the map itself, written into the folder by an earlier run). A file named twice
    counts once.
    """
    skipped = {_key(Path(p)) for p in skip}
    out: list[tuple[Path, bool]] = []
    seen: set[str] = set()
    for path in map(Path, paths):
        in_folder = path.is_dir()
        if in_folder:
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in INPUT_SUFFIXES
                and not p.name.startswith((".", "~$"))
                and _key(p) not in skipped
                and not p.is_dir()
            )
            if not found:
                raise OutputError(
                    f"the folder {path} holds no input files "
                    f"({', '.join(INPUT_SUFFIXES)}): give the agencies' inputs"
                )
        else:
            found = [path]
        for p in found:
            if _key(p) not in seen:
                seen.add(_key(p))
                out.append((p, in_folder))
    return out


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def read_inputs(
    files: Sequence[tuple[Path, bool]], options: Options | None = None
) -> tuple[list[Contribution], list[str]]:
    """Read and check every input; MergeError with the findings of each one not valid.

    A Word document found in a folder that is not an input (a filled report, the chair's
    own notes) is skipped, as `batch` skips it, and said so in the notes returned; named on
    the command line, it is refused like any other input that cannot be read.
    """
    from sos_reports.commands.reports import validate

    contributions: list[Contribution] = []
    invalid: list[tuple[str, list[Finding]]] = []
    notes: list[str] = []
    for path, in_folder in files:
        try:
            checked = validate(path, options)
        except ReadError as exc:
            if in_folder and path.suffix.lower() == ".docx":
                notes.append(f"{path} was skipped: it {exc.message}")
            else:
                invalid.append((str(path), exc.findings))
            continue
        except InputError as exc:
            invalid.append((str(path), exc.findings))
            continue
        if checked.model is None or checked.errors:
            invalid.append((str(path), checked.findings))
            continue
        contributions.append(Contribution(path, checked, checked.model))
    if invalid:
        count = f"{len(invalid)} of {len(files)} inputs"
        verb = "is" if len(invalid) == 1 else "are"
        raise MergeError(f"{count} {verb} not valid or could not be read", invalid)
    if not contributions:
        raise MergeError("there is no input to put on the map: " + "; ".join(notes))
    return contributions, notes


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def child_key(child: Any) -> tuple[str, dt.date | None]:
    """A child as the conference knows it: by name and date of birth (or expected date)."""
    return (_name_key(child.name), child.dob if child.dob is not None else child.edd)


def _born(day: dt.date | None, unborn: bool) -> str:
    if day is None:
        return "no date of birth"
    return f"{'expected' if unborn else 'born'} {long_date(day)}"


def _inputs(names: list[str]) -> str:
    return names_list(names)


def mismatches(contributions: Sequence[Contribution]) -> list[str]:
    """Every way the inputs do not belong to one conference, in words that name the inputs."""
    found: list[str] = []
    for what, value in (
        ("conference date", lambda m: long_date(m.conference.date)),
        ("conference type", lambda m: m.conference.type.label),
    ):
        groups: dict[str, list[str]] = {}
        for c in contributions:
            groups.setdefault(value(c.model), []).append(str(c.path))
        if len(groups) > 1:
            found.append(
                f"the inputs are not for one conference: the {what} is "
                + "; ".join(f"{v} in {_inputs(names)}" for v, names in groups.items())
            )

    everyone = [str(c.path) for c in contributions]
    # name -> date -> the inputs that have that child
    by_name: dict[str, dict[dt.date | None, list[str]]] = {}
    shown_as: dict[tuple[str, dt.date | None], tuple[str, bool]] = {}
    for c in contributions:
        for child in c.model.children:
            key = child_key(child)
            by_name.setdefault(key[0], {}).setdefault(key[1], []).append(str(c.path))
            shown_as.setdefault(key, (child.name, child.dob is None))
    for name, dates in by_name.items():
        if len(dates) > 1:
            shown_name = shown_as[(name, next(iter(dates)))][0]
            found.append(
                f"the children differ: {shown_name}'s date of birth is "
                + "; ".join(
                    f"{_born(day, shown_as[(name, day)][1]).removeprefix('born ')} in "
                    f"{_inputs(names)}"
                    for day, names in dates.items()
                )
            )
            continue
        day, having = next(iter(dates.items()))
        missing = [p for p in everyone if p not in having]
        if missing:
            shown_name, unborn = shown_as[(name, day)]
            found.append(
                f"the children differ: {shown_name} ({_born(day, unborn)}) is in "
                f"{_inputs(having)} but not in {_inputs(missing)}"
            )

    reports: dict[tuple[str, str, str], list[str]] = {}
    for c in contributions:
        author = c.model.author
        report = (c.model.kind, _name_key(author.name), _name_key(author.agency))
        reports.setdefault(report, []).append(str(c.path))
    for (kind, _, _), names in reports.items():
        if len(names) > 1:
            author = next(c.model.author for c in contributions if str(c.path) == names[0])
            found.append(
                f"{_inputs(names)} are the same report ({KINDS[kind].short_name.lower()} by "
                f"{author.name}, {author.agency}): give only one of them, or that agency "
                "would be counted twice"
            )
    return found


# --- the map's context ---------------------------------------------------------------------


def _text(value: str) -> Markup:
    from sos_reports.documents.context import word_text

    return word_text(value)


def _age(dob: dt.date, on: dt.date) -> str:
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    if years >= 2:
        return f"{years} years"
    months = (on.year - dob.year) * 12 + on.month - dob.month - (on.day < dob.day)
    return f"{months} month{'s' * (months != 1)}"


def _working_days_late(due: dt.date, day: dt.date) -> int:
    late, current = 0, due
    while current < day:
        current += dt.timedelta(days=1)
        late += is_working_day(current)
    return max(late, 1)


def _late(due: dt.date | None, day: dt.date | None) -> str | None:
    if due is None or day is None or day <= due:
        return None
    days = _working_days_late(due, day)
    return f"Late: {days} working day{'s' * (days != 1)} after the due date"


def _labels(contributions: Sequence[Contribution]) -> None:
    """Each agency by its name; two reports from agencies of one name, also by author."""
    counts: dict[str, int] = {}
    for c in contributions:
        counts[_name_key(c.model.author.agency)] = (
            counts.get(_name_key(c.model.author.agency), 0) + 1
        )
    for c in contributions:
        author = c.model.author
        c.label = (
            author.agency
            if counts[_name_key(author.agency)] == 1
            else f"{author.agency} ({author.name})"
        )


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v is not None), None)


def map_context(contributions: Sequence[Contribution]) -> dict[str, Any]:
    """The template context of the map: plain data, every value in its printed form."""
    from sos_reports.documents.context import YesNo, report_context

    _labels(contributions)
    printed = [report_context(c.model) for c in contributions]
    models = [c.model for c in contributions]
    first = models[0]
    conference_date = first.conference.date
    due = contributions[0].checked.due_date
    due_days = contributions[0].checked.due_days

    conference = {key: _first(p["conference"].get(key) for p in printed) for key in CONFERENCE_KEYS}
    markings = list(dict.fromkeys(str(p["marking"]) for p in printed))

    # The children, once each, in the first input's order; each agency's ids lead to them.
    children: list[dict[str, Any]] = []
    index: dict[tuple[str, dt.date | None], int] = {}
    for child in first.children:
        index[child_key(child)] = len(children)
        born = child.dob if child.dob is not None else child.edd
        children.append(
            {
                "name": _text(child.name),
                "known_as": _text(child.known_as) if child.known_as else None,
                "born": _text(
                    long_date(child.dob)
                    if child.dob is not None
                    else f"Expected {long_date(born)}"
                    if born is not None
                    else ""
                ),
                "gender": _text(getattr(child.gender, "label", str(child.gender))),
                "age": _text(
                    _age(child.dob, conference_date) if child.dob is not None else "Unborn"
                ),
            }
        )

    def child_of(model: CommonInput, child_id: str) -> int:
        entry = next(ch for ch in model.children if ch.id == child_id)
        return index[child_key(entry)]

    names = _names(contributions)
    agencies: list[dict[str, Any]] = []
    dangers: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    steps: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for c, p in zip(contributions, printed, strict=True):
        m = c.model
        label = _text(c.label)
        danger_numbers = []
        for d in m.worries.danger_statements:
            number = f"D{len(dangers) + 1}"
            danger_numbers.append(number)
            named = [children[child_of(m, str(ch))]["name"] for ch in d.children]
            dangers.append(
                {
                    "number": number,
                    "text": _text(d.text),
                    "children": _text(names_list(named)) if named else _text("All the children"),
                    "source": label,
                    "words": _key_words(d.text, names),
                    "agency": len(agencies),
                }
            )
        goal_numbers = []
        for g in m.needs_to_happen.safety_goals:
            number = f"G{len(goals) + 1}"
            goal_numbers.append(number)
            goals.append({"number": number, "text": _text(g), "source": label})
        for s, ps in zip(
            m.needs_to_happen.next_steps, p["needs_to_happen"]["next_steps"], strict=True
        ):
            by = s.by
            dated = isinstance(by, dt.date)
            order = (0, by, "") if isinstance(by, dt.date) else (1, dt.date.max, str(by).casefold())
            steps.append(
                (
                    (*order, _name_key(s.who)),
                    {
                        "by": ps["by"],
                        "before_conference": dated and by < conference_date,  # type: ignore[operator]
                        "who": ps["who"],
                        "action": ps["action"],
                        "source": label,
                    },
                )
            )
        sent = m.report.sent_to_chair
        sharing = m.sharing
        if sharing.shared:
            shared = f"Yes, {long_date(sharing.date)}" if sharing.date else "Yes"
            shared_late = _late(due, sharing.date)
        elif sharing.planned_date is not None:
            shared = f"Not yet: to be shared on {long_date(sharing.planned_date)}"
            shared_late = _late(due, sharing.planned_date)
        else:
            shared = "No"
            shared_late = None
        given = [w.name for w in sharing.with_ if w.shared]
        not_given = [w.name for w in sharing.with_ if not w.shared]
        people = []
        if given:
            people.append(f"Given to {names_list(given)}.")
        if not_given:
            people.append(f"Not given to {names_list(not_given)}.")
        worries, well, needs = p["worries"], p["working_well"], p["needs_to_happen"]
        agencies.append(
            {
                "label": label,
                "author": p["author"]["name"],
                "role": p["author"]["role"],
                "base": p["author"]["base"],
                "kind": _text(KINDS[m.kind].short_name),
                "report_date": p["report"]["date"],
                "sent": p["report"]["sent_to_chair"],
                "late": _text(late) if (late := _late(due, sent)) else None,
                "shared": _text(shared),
                "shared_late": _text(shared_late) if shared_late else None,
                "shared_people": _text(" ".join(people)) if people else None,
                "confidential_sent": YesNo("Yes" if m.confidential.present else "No"),
                "harm": worries["harm"],
                "complicating_factors": worries["complicating_factors"],
                "remaining_concerns": worries.get("remaining_concerns"),
                "new_concerns": worries.get("new_concerns"),
                "strengths": well["strengths"],
                "existing_safety": well["existing_safety"],
                "progress": well.get("progress"),
                "information_gaps": needs["information_gaps"],
                "danger_numbers": _text(names_list(danger_numbers)),
                "goal_numbers": _text(names_list(goal_numbers)),
                "step_count": _text(_count(len(m.needs_to_happen.next_steps), "next step")),
            }
        )

    scaling, view_scores = _scaling(contributions, printed, children, child_of)
    progress = _progress(contributions, printed)
    plan_views, view_lines = _plan_views(contributions, printed, children, child_of)
    lone = _lone_dangers(dangers) if len(contributions) > 1 else []
    for danger in dangers:  # what the analysis needed, not the template
        del danger["words"], danger["agency"]

    return {
        "title": _text("Conference map"),
        "marking": _text(" / ".join(markings)),
        "conference": conference,
        "due": {
            "date": _text(f"{due:%A} {long_date(due)}") if due else None,
            "days": due_days,
            "when": _text(
                f"{due:%A} {long_date(due)} "
                f"({_count(due_days or 0, 'working day')} before the conference)"
            )
            if due
            else None,
        },
        "children": children,
        "agencies": agencies,
        "agency_count": _text(_count(len(agencies), "agency", "agencies")),
        "dangers": dangers,
        "goals": goals,
        "scaling": scaling,
        "next_steps": [entry for _, entry in sorted(steps, key=lambda s: s[0])],
        "progress": progress,
        "plan_views": plan_views,
        "view": {
            "scores": [_text(line) for line in view_scores],
            "plan": [_text(line) for line in view_lines],
            "lone_dangers": lone,
            "single_agency": len(contributions) == 1,
        },
    }


def _action_key(action: str) -> str:
    """An action as two reports name the same one: its words, whatever the case, spacing
    and punctuation (reviews started from the conference record copy its actions)."""
    return " ".join(_WORD_OR_NUMBER.findall(action.casefold()))


_WORD_OR_NUMBER = re.compile(r"\w+")


def _progress(
    contributions: Sequence[Contribution], printed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each action of the plan once, in the order the reports first name it, with what each
    agency's review says of it: reviews started from the conference record share them."""
    actions: dict[str, dict[str, Any]] = {}
    for c, p in zip(contributions, printed, strict=True):
        entries = getattr(c.model, "plan_progress", None) or []
        for entry, shown in zip(entries, p.get("plan_progress", []), strict=True):
            key = _action_key(entry.action)
            if key not in actions:
                actions[key] = {
                    "action": shown["action"],
                    "responsible": shown["responsible"],
                    "reports": [],
                }
            actions[key]["reports"].append(
                {"source": _text(c.label), "status": shown["status"], "comment": shown["comment"]}
            )
    return list(actions.values())


# Each kind's answer to "what should the conference decide for this child": a review's
# recommendation, an initial report's view on a plan; the field and its value's name.
PLAN_VIEW_FIELDS = (("recommendations", "recommendation"), ("view_on_plan", "view"))


def _plan_views(
    contributions: Sequence[Contribution],
    printed: list[dict[str, Any]],
    children: list[dict[str, Any]],
    child_of: Any,
) -> tuple[dict[str, Any] | None, list[str]]:
    """Each agency's recommendation (a review) or view on a plan (an initial conference) for
    each child, with its reason, and whether the agencies differ; None when no report has
    such a question. The lines are the chair's view of where they differ."""
    review = any(getattr(c.model, "recommendations", None) is not None for c in contributions)
    field_name, value_name = PLAN_VIEW_FIELDS[0] if review else PLAN_VIEW_FIELDS[1]
    asked = [
        (c, p) for c, p in zip(contributions, printed, strict=True) if hasattr(c.model, field_name)
    ]
    if not asked:
        return None, []
    rows: list[list[dict[str, Any]]] = [[] for _ in children]
    values: list[list[tuple[str, str]]] = [[] for _ in children]  # (value, agency) per child
    for c, p in asked:
        for entry, shown in zip(getattr(c.model, field_name), p[field_name], strict=True):
            at = child_of(c.model, str(entry.child))
            value = getattr(entry, value_name)
            rows[at].append(
                {
                    "agency": _text(c.label),
                    "value": shown[value_name],
                    "reason": shown["reason"],
                    "note": shown.get("category_change"),
                }
            )
            values[at].append((str(value), _plain(shown[value_name])))
    what = "recommendation" if review else "view on a plan"
    whats = "recommendations" if review else "views on a plan"
    per_child, lines = [], []
    for child, child_rows, given in zip(children, rows, values, strict=True):
        name = _plain(child["name"])
        gave = {_plain(r["agency"]) for r in child_rows}
        silent = [c.label for c, _ in asked if c.label not in gave]
        kinds = list(dict.fromkeys(v for v, _ in given))
        labels = list(dict.fromkeys(label for _, label in given))
        difference = len(kinds) > 1
        if not given:
            summary = f"No agency gave a {what}."
            line = f"{name}: no agency gave a {what}."
        elif len(gave) == 1:
            summary = f"Only {next(iter(gave))} gave a {what}."
            line = f"{name}: only {next(iter(gave))} gave a {what}, so there is nothing to compare."
        elif difference:
            summary = f"{_views_by_agency(child_rows)}."  # after "A difference of view: "
            line = (
                f"{name}: the agencies' {whats} differ ({_views_by_agency(child_rows)}). This "
                "is a difference of view to discuss at the conference."
            )
        else:
            summary = f"Every agency that gave one: {labels[0]}."
            line = f"{name}: every agency that gave a {what} gave the same: {labels[0]}."
        if silent and given:
            line += f" {names_list(silent)} gave none."
        per_child.append(
            {
                "name": child["name"],
                "rows": child_rows,
                "difference": difference,
                "summary": _text(summary),
            }
        )
        lines.append(line)
    views = {
        "review": review,
        "title": _text("Recommendations" if review else "Views on a plan"),
        "heading": _text("Recommendation" if review else "View on a plan"),
        "what": _text(what),
        "whats": _text(whats),
        "children": per_child,
    }
    return views, lines


def _views_by_agency(rows: list[dict[str, Any]]) -> str:
    """'Continue the plan (School); Unsure (Police)': each view with the agencies giving it."""
    by_view: dict[str, list[str]] = {}
    for r in rows:
        by_view.setdefault(_plain(r["value"]), []).append(_plain(r["agency"]))
    return "; ".join(f"{view} ({names_list(agencies)})" for view, agencies in by_view.items())


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _scaling(
    contributions: Sequence[Contribution],
    printed: list[dict[str, Any]],
    children: list[dict[str, Any]],
    child_of: Any,
) -> tuple[dict[str, Any], list[str]]:
    """Each child's scores across the agencies, and the chair's view of how far they differ."""
    wordings = [
        (
            str(p["scaling"]["question"]),
            str(p["scaling"]["zero_means"]),
            str(p["scaling"]["ten_means"]),
        )
        for p in printed
    ]
    same_wording = len(set(wordings)) == 1
    rows: list[list[dict[str, Any]]] = [[] for _ in children]
    for c, p in zip(contributions, printed, strict=True):
        for score, pe in zip(c.model.scaling.scores, p["scaling"]["scores"], strict=True):
            rows[child_of(c.model, str(score.child))].append(
                {
                    "agency": _text(c.label),
                    "score": pe["score"],
                    "score_text": _text(
                        str(pe["score"]) if pe["score"] is not None else "No score"
                    ),
                    "previous": pe["previous"],
                    "previous_text": _text(
                        f"{pe['previous']}, {pe['direction']}" if pe["previous"] is not None else ""
                    ),
                    "reason": pe["reason"],
                    "wording": None
                    if same_wording
                    else _text(
                        f"Asked: {_plain(p['scaling']['question'])} "
                        f"(0: {_plain(p['scaling']['zero_means'])}; "
                        f"10: {_plain(p['scaling']['ten_means'])})"
                    ),
                }
            )
    per_child = []
    lines = []
    for child, child_rows in zip(children, rows, strict=True):
        name = _plain(child["name"])
        scored = [(r["score"], _plain(r["agency"])) for r in child_rows if r["score"] is not None]
        unscored = [_plain(r["agency"]) for r in child_rows if r["score"] is None]
        entry: dict[str, Any] = {
            "name": child["name"],
            "rows": child_rows,
            "has_previous": any(r["previous"] is not None for r in child_rows),
            "lowest": None,
            "highest": None,
            "spread": None,
            "difference": False,
            "summary": None,
        }
        if scored:
            low = min(s for s, _ in scored)
            high = max(s for s, _ in scored)
            at = {s: names_list([a for given, a in scored if given == s]) for s in (low, high)}
            spread = high - low
            entry.update(
                lowest=low, highest=high, spread=spread, difference=spread >= DIFFERENCE_OF_VIEW
            )
            if len(scored) == 1:
                summary = f"Only {scored[0][1]} gave a score: {low}."
                line = f"{name}: only {scored[0][1]} gave a score ({low}), so there is nothing to compare."
            elif spread == 0:
                summary = f"Every agency that scored gave {low}: a spread of 0."
                line = f"{name}: every agency that scored gave {low}; the agencies agree."
            else:
                summary = (
                    f"Lowest {low} ({at[low]}), highest {high} ({at[high]}): a spread of {spread}."
                )
                line = f"{name}: the scores run from {low} ({at[low]}) to {high} ({at[high]}), a spread of {spread}"
                line += (
                    ". This is a difference of view to discuss at the conference."
                    if spread >= DIFFERENCE_OF_VIEW
                    else f", less than {DIFFERENCE_OF_VIEW}."
                )
            entry["summary"] = _text(summary)
        else:
            line = f"{name}: no agency gave a score."
            entry["summary"] = _text("No agency gave a score.")
        if unscored:
            line += f" {names_list(unscored)} gave no score (the reason is in the table)."
        per_child.append(entry)
        lines.append(line)
    first = printed[0]["scaling"]
    scaling = {
        "same_wording": same_wording,
        "question": first["question"],
        "zero_means": first["zero_means"],
        "ten_means": first["ten_means"],
        "children": per_child,
    }
    if not same_wording:
        scaling.update(
            question=_text(DEFAULT_QUESTION),
            zero_means=_text(DEFAULT_ZERO),
            ten_means=_text(DEFAULT_TEN),
        )
    return scaling, lines


def _plain(value: Any) -> str:
    """A printed value back as the text it shows (for sentences the map builds around it)."""
    import html

    return html.unescape(str(value)).replace("\a", "\n\n")


# --- worries only one agency names -----------------------------------------------------------

# Words that say nothing about which worry a statement names: how danger statements are
# phrased ("X is worried that if ... will ..."), and words every agency's statement shares.
_COMMON_WORDS = """
    about after again also always anyone away been before being both cannot care carry could
    does doing done each even every from going have having help into just keep keeps kind
    know like likely made make many more most much must need needs next only other others
    over same should since some someone still such sure take than that their them then there
    these they thing things this those through time times under until very want were what
    when where which while will with within without would year years month months week
    weeks today worried worry worries worrying concern concerned concerns danger dangers
    child children family parent parents agency school police practice social worker
    professional professionals unless because
    january february march april june july august september october november december
"""
_COMMON = frozenset(_COMMON_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+")
_SUFFIXES = ("ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly", "e")
# Two statements that share this many main words are taken to name the same worry.
SHARED_WORDS = 2


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _names(contributions: Sequence[Contribution]) -> frozenset[str]:
    """The words of the children's and the agencies' names, which any statement may carry."""
    texts = []
    for c in contributions:
        texts.append(c.model.author.agency)
        texts += [f"{ch.name} {ch.known_as or ''}" for ch in c.model.children]
    return frozenset(w.casefold() for w in _WORD.findall(" ".join(texts)))


def _key_words(text: str, names: frozenset[str]) -> frozenset[str]:
    """The main words of a danger statement: not the phrasing every statement shares, nor
    the names of the children or of the agencies."""
    return frozenset(
        _stem(word)
        for word in (w.casefold() for w in _WORD.findall(text))
        if len(word) >= 4 and word not in _COMMON and word not in names
    )


def _lone_dangers(dangers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The danger statements that share fewer than SHARED_WORDS main words with every
    statement of every other agency: a worry only one agency may be naming."""
    lone = []
    for d in dangers:
        others = [o for o in dangers if o["agency"] != d["agency"]]
        if all(len(d["words"] & o["words"]) < SHARED_WORDS for o in others):
            lone.append({"number": d["number"], "source": d["source"], "text": d["text"]})
    return lone


# --- writing the map -----------------------------------------------------------------------


def merge(
    paths: Sequence[Path],
    output: Path,
    options: Options | None = None,
    **settings: Any,
) -> Merged:
    """Write the conference map of the inputs (files, or folders of them) to `output`.

    Of the options (an `Options`, or its names as keywords) the map uses `force`, `pdf`
    and the due days.

    Raises MergeError with the findings of each input that is not valid, or with every way
    the inputs do not belong to one conference; OutputError when the map may not be written;
    PdfError when LibreOffice is missing or fails. Nothing is written unless all succeeds.
    """
    from sos_reports.documents.render import packaged_template, render
    from sos_reports.documents.writing import Output, check_outputs, write_outputs

    options = Options.of(options, **settings)
    force, pdf = options.force, options.pdf
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise OutputError(f"{output}: the map is a Word document; give a name ending in .docx")
    targets = [output] + ([output.with_suffix(".pdf")] if pdf else [])
    files = input_files(paths, skip=targets)
    contributions, skipped = read_inputs(files, options)
    problems = mismatches(contributions)
    if problems:
        raise MergeError(
            f"the {len(files)} inputs do not belong to one conference "
            f"({_count(len(problems), 'difference')})",
            mismatches=problems,
        )
    template = packaged_template("map/map.docx")
    inputs = [*(path for path, _ in files), template]
    check_outputs(targets, inputs, force)
    if pdf:
        from sos_reports.documents.pdf import find_soffice

        find_soffice()

    context = map_context(contributions)
    first = contributions[0].model
    properties = {
        "title": f"Conference map, {long_date(first.conference.date)}",
        "author": _first(c.model.conference.chair for c in contributions) or "",
        "subject": "The agencies' reports for the child protection conference, on one map",
    }
    buffer = io.BytesIO()
    render(template, context, buffer, properties=properties, family_copy=True)
    contents = {output: buffer.getvalue()}
    if pdf:
        from sos_reports.commands.reports import pdfs_of

        contents.update(pdfs_of(contents))
    outputs = [Output(path, _writer(contents[path])) for path in targets]
    written = write_outputs(outputs, inputs=inputs, force=force)

    result = Merged(list(written), notes=skipped)
    for c in contributions:
        if c.checked.warnings:
            result.warnings[str(c.path)] = c.checked.warnings
    references = {
        str(c.model.conference.case_reference).strip()
        for c in contributions
        if c.model.conference.case_reference
    }
    if len(references) > 1:
        result.notes.append(
            f"the inputs give different case references ({', '.join(sorted(references))}): "
            "check that every input is for this conference"
        )
    return result


def _writer(data: bytes) -> Any:
    return lambda handle: handle.write(data)
