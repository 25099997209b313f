"""The browser form's pages, laid out from the forms layout, and a page's answers to and from
the input tree.

A task is a block of the input (with the lists inside it) or a list at the top; an entry
page is one entry of a list. Every question comes from `forms.layout`: its label, help,
kind of value and choices, so a field added to the model appears here as it does in the
workbook and the Word form. A list is an "add another" loop (a summary of its entries, each
with its own page); a list with one entry per child and no lists inside it (the scores, the
child's voice) is asked on its page, a group of questions per child.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from sos_reports.inputs.forms.layout import Answer, Pointer, Section, Table, hint, plan, sentence
from sos_reports.model.common import DEFAULT_TEN, DEFAULT_ZERO
from sos_reports.support.tree import Loc, as_list, child_ids, dig, path_of

# The value of the radio that takes back an optional answer.
NOT_ANSWERED = "-"
# Choices asked as radios up to this many, as a drop-down list above.
RADIO_LIMIT = 8
# The name of the child as a form shows it: "Maisie Fenwick (maisie)".
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TYPED_DATE = re.compile(r"^([^/]*)/([^/]*)/([^/]*)$")
# Characters no input may hold (control characters but the tab and the new line), which
# only a paste from a damaged source brings: dropped, or the draft could not be read again.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Task:
    """A row of the task list: a block with the lists inside it, or a list at the top."""

    number: int
    part: Section | Table

    @property
    def title(self) -> str:
        # The top-level values' section bears the report's title in the workbook, whose
        # first sheet it is; as a task among tasks it is named for what it asks.
        if isinstance(self.part, Section) and self.part.base == () and self.part.name == "General":
            return "Marking and family address"
        return self.part.title

    @property
    def name(self) -> str:
        return self.part.name


@lru_cache(maxsize=8)
def tasks(kind: str) -> tuple[Task, ...]:
    """The kind's tasks in the layout's order; a list inside a block or an entry belongs to
    the page of that block or entry, not to a task of its own."""
    inside: set[tuple[str, ...]] = set()
    for part in plan(kind):
        if isinstance(part, Section):
            inside |= {row.table.loc for row in part.rows if isinstance(row, Pointer)}
    chosen = [
        part
        for part in plan(kind)
        if isinstance(part, Section) or (part.parent is None and part.loc not in inside)
    ]
    # A section with nothing to ask (the top-level values the tool writes) is no task.
    chosen = [p for p in chosen if not isinstance(p, Section) or _asked(p)]
    return tuple(Task(n, part) for n, part in enumerate(chosen))


def _asked(section: Section) -> bool:
    return any(not a.fixed for a in section.answers()) or any(
        isinstance(r, Pointer) for r in section.rows
    )


def table_at(kind: str, loc: tuple[str, ...]) -> Table | None:
    """The table of the list at `loc` (keys without indexes)."""
    for part in plan(kind):
        if isinstance(part, Table) and part.loc == loc:
            return part
    return None


# --- what a page shows ---------------------------------------------------------------------


class _Placed:
    """Something on a page at a place of the tree: its path, and its element's id."""

    loc: Loc

    @property
    def path(self) -> str:
        return path_of(self.loc)

    @property
    def id(self) -> str:
        return html_id(self.path)


@dataclass
class Question(_Placed):
    """One question on a page: an answer of the layout at its place in the tree."""

    answer: Answer
    loc: Loc
    widget: str  # text, textarea, date, radios, checkboxes, select
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    value: Any = None  # as the input has it
    label: str = ""
    legend_size: str = "s"

    @property
    def help(self) -> str:
        if self.widget in ("radios", "checkboxes", "select"):
            # The choices are on the page: the workbook's words for typing them are not,
            # and the children are shown by name, not by their ids.
            text = sentence(self.answer.help).strip()
            if self.answer.value_type == "child":
                text = re.sub(r"\b([Tt])he ids of the children", r"\1he children", text)
                text = text.replace(": the children.", ".")
            return text
        return hint(self.answer, _WEB_HINTS)

    @property
    def shown(self) -> dict[str, Any]:
        """The value as the widget shows it: text, the checked values, or day/month/year."""
        return shown_value(self, self.value)


@dataclass
class Entry:
    """A row of a loop's summary: an entry of a list and what names it."""

    index: int
    title: str
    loc: Loc
    rows: list[tuple[str, str]]  # (label, value) to show in the summary


@dataclass
class Loop(_Placed):
    """A list as an "add another" loop: its entries' summary, with change and remove."""

    table: Table
    loc: Loc
    entries: list[Entry]
    # For a list with one entry per child: the children without an entry (index, name).
    missing_children: list[tuple[int, str]] = field(default_factory=list)

    @property
    def noun(self) -> str:
        return noun(self.table)


@dataclass
class Group(_Placed):
    """A list with one entry per child, asked on the page: a fieldset of questions per child."""

    table: Table
    loc: Loc
    children: list[tuple[str, str, int, list[Question]]]  # (id, name, index in the list, qs)
    others: list[tuple[int, str]]  # entries naming no child of the input: (index, child)


Item = Question | Loop | Group


@dataclass
class Page:
    """A task's page or an entry's page: its title, where it sits, and what it asks."""

    title: str
    help: str | None
    loc: Loc  # the block or entry it fills; () for the top-level values
    items: list[Item]
    task: Task
    entry_of: Table | None = None  # on an entry page, its list
    index: int | None = None  # on an entry page, the entry's index (the list's length: new)

    def questions(self) -> Iterator[Question]:
        for item in self.items:
            if isinstance(item, Question):
                yield item
            elif isinstance(item, Group):
                for *_, questions in item.children:
                    yield from questions

    def anchors(self) -> dict[str, str]:
        """Each place on the page a finding can be shown at: its path and the element's id."""
        out = {}
        for item in self.items:
            out[item.path] = item.id
            if isinstance(item, Group):
                for *_, questions in item.children:
                    out |= {q.path: q.id for q in questions}
        return out


def html_id(path: str) -> str:
    return "f-" + (re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "page")


def noun(table: Table) -> str:
    """What one entry of a list is called, for "Add a ..." buttons."""
    return _NOUNS.get(table.loc[-1], "entry")


def a_noun(table: Table) -> str:
    """ "a child", "an admission"."""
    word = noun(table)
    return ("an " if word[0] in "aeiou" else "a ") + word


_NOUNS = {
    "with": "person",
    "children": "child",
    "household": "person",
    "danger_statements": "danger statement",
    "safety_goals": "safety goal",
    "next_steps": "next step",
    "view_on_plan": "child's view",
    "core_group": "core group meeting",
    "plan_progress": "plan action",
    "registered_household": "person",
    "carer_health": "carer",
    "child_health": "child",
    "development_checks": "development check",
    "missed_appointments": "missed appointment",
    "urgent_care": "visit",
    "admissions": "admission",
    "referrals": "referral",
    "last_seen": "child",
    "child_voice": "child",
    "scores": "child",
    "plan": "child",
    "recommendations": "child",
}

_WEB_HINTS = {
    "date": "",  # the day, month and year boxes say it
    "bool": "",
    "score": "",
    "child": "",
}


def task_page(kind: str, task: Task, tree: dict[str, Any]) -> Page:
    part = task.part
    if isinstance(part, Table):
        item = _list_item(kind, part, part.loc, tree)
        return Page(task.title, None, (), [item], task)  # the list gives its own help
    items: list[Item] = []
    for row in part.rows:
        if isinstance(row, Pointer):
            items.append(_list_item(kind, row.table, row.table.loc, tree))
        elif not row.fixed:
            items.append(question(row, (*part.base, *row.keys), tree))
    return Page(task.title, part.help, part.base, items, task)


def entry_page(kind: str, task: Task, table: Table, loc: Loc, tree: dict[str, Any]) -> Page:
    """The page of the entry at `loc` (the list's loc and the entry's index)."""
    index = loc[-1]
    assert isinstance(index, int)
    items: list[Item] = []
    for column in table.columns:
        items.append(question(column, (*loc, *column.keys), tree))
    for sub in table.subtables:
        items.append(_list_item(kind, sub, (*loc, *sub.keys_in_parent), tree))
    title = entry_title(table, dig(tree, loc), tree, index)
    return Page(title, None, loc, items, task, entry_of=table, index=index)


def _list_item(kind: str, table: Table, loc: Loc, tree: dict[str, Any]) -> Loop | Group:
    entries = as_list(dig(tree, loc))
    if table.per_child and not table.subtables:
        return _group(table, loc, entries, tree)
    summary = [
        Entry(i, entry_title(table, entry, tree, i), (*loc, i), _summary_rows(table, entry, tree))
        for i, entry in enumerate(entries)
    ]
    missing: list[tuple[int, str]] = []
    if table.per_child:
        have = {str(e.get("child")) for e in entries if isinstance(e, dict)}
        missing = [
            (n, name) for n, (cid, name) in enumerate(children_named(tree)) if cid not in have
        ]
    return Loop(table, loc, summary, missing)


def _group(table: Table, loc: Loc, entries: list[Any], tree: dict[str, Any]) -> Group:
    by_child = {str(e.get("child")): i for i, e in enumerate(entries) if isinstance(e, dict)}
    fresh = len(entries)
    children: list[tuple[str, str, int, list[Question]]] = []
    for cid, name in children_named(tree):
        index = by_child.get(cid)
        if index is None:
            index, fresh = fresh, fresh + 1
        questions = [
            question(column, (*loc, index, *column.keys), tree, legend_size="s")
            for column in table.columns[1:]
        ]
        children.append((cid, name, index, questions))
    named = {cid for cid, *_ in children}
    others = [
        (i, str(e.get("child")) if isinstance(e, dict) else str(e))
        for i, e in enumerate(entries)
        if not isinstance(e, dict) or str(e.get("child")) not in named
    ]
    return Group(table, loc, children, others)


def children_named(tree: dict[str, Any]) -> list[tuple[str, str]]:
    """Each child's id and the name to show: the name typed, or the id."""
    out = []
    by_id = {
        str(c.get("id")).strip(): c for c in as_list(tree.get("children")) if isinstance(c, dict)
    }
    for cid in child_ids(tree):
        name = by_id.get(cid, {}).get("name")
        out.append((cid, str(name).strip() if name else cid))
    return out


def entry_title(table: Table, entry: Any, tree: dict[str, Any], index: int) -> str:
    """What names an entry in a summary: its child, its name, or its first words."""
    title = ""
    if table.scalar:
        title = str(entry or "")
    elif isinstance(entry, dict):
        first = table.columns[0]
        value = dig(entry, first.keys)
        if first.value_type == "child" and not first.many and value is not None:
            title = dict(children_named(tree)).get(str(value), str(value))
        else:
            named = [c for c in table.columns if c.keys == ("name",)]
            for column in named + table.columns:
                value = dig(entry, column.keys)
                if value not in (None, "") and column.value_type in ("text", "mtext"):
                    title = str(value)
                    break
    title = " ".join(title.split())
    if len(title) > 80:
        title = title[:77].rstrip() + "…"
    if not title and entry is None:
        return f"Add {a_noun(table)}"  # a new entry, not yet saved
    return title or f"{table.title}: entry {index + 1}"


def _summary_rows(table: Table, entry: Any, tree: dict[str, Any]) -> list[tuple[str, str]]:
    if table.scalar or not isinstance(entry, dict):
        return []
    rows = []
    for column in table.columns[1:4]:
        value = dig(entry, column.keys)
        if value not in (None, "", []):
            rows.append((column.label.rstrip(" *"), display(column, value, tree)))
    return rows


def question(answer: Answer, loc: Loc, tree: dict[str, Any], legend_size: str = "s") -> Question:
    kind = answer.value_type
    options: list[tuple[str, str]] = []
    if kind == "mtext":
        widget = "textarea"
    elif kind == "date":
        widget = "date"
    elif kind == "bool":
        widget, options = "radios", [("yes", "Yes"), ("no", "No")]
    elif kind == "score":
        zero = str(dig(tree, ("scaling", "zero_means")) or DEFAULT_ZERO)
        ten = str(dig(tree, ("scaling", "ten_means")) or DEFAULT_TEN)
        options = [(str(n), str(n)) for n in range(11)]
        options[0] = ("0", f"0: {zero}")
        options[10] = ("10", f"10: {ten}")
        widget = "radios"
    elif kind == "choice":
        options = list(answer.labels.items())
        widget = (
            "checkboxes" if answer.many else ("radios" if len(options) <= RADIO_LIMIT else "select")
        )
    elif kind == "child":
        options = [(cid, name) for cid, name in children_named(tree)]
        widget = "checkboxes" if answer.many else "radios"
    else:
        widget = "text"
    if widget == "radios" and not answer.required and kind != "score":
        # An optional choice can be taken back: a radio once chosen cannot be unchosen.
        options.append((NOT_ANSWERED, "Not answered"))
    label = answer.label.rstrip(" *")
    return Question(answer, loc, widget, options, dig(tree, loc), label, legend_size)


def shown_value(q: Question, value: Any) -> dict[str, Any]:
    """What the widget shows for `value`, and the value it cannot show (kept, not lost)."""
    if q.widget == "date":
        return {"parts": date_parts(value), "kept": None}
    if q.widget in ("radios", "select", "checkboxes"):
        values = value if isinstance(value, list) else ([] if value is None else [value])
        known = {v for v, _ in q.options}
        chosen = [_choice_key(q, v) for v in values]
        kept = [str(v) for v, c in zip(values, chosen, strict=True) if c not in known]
        return {"checked": {c for c in chosen if c in known}, "kept": kept or None}
    if value is None:
        return {"text": "", "kept": None}
    if isinstance(value, bool):
        return {"text": "yes" if value else "no", "kept": None}
    if isinstance(value, dt.date):
        return {"text": value.strftime("%d/%m/%Y"), "kept": None}
    return {"text": str(value), "kept": None}


def _choice_key(q: Question, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip()
    if q.answer.value_type == "bool":
        lowered = text.lower()
        if lowered in ("yes", "true", "y"):
            return "yes"
        if lowered in ("no", "false", "n"):
            return "no"
    if q.answer.value_type == "choice":
        # A choice typed by hand by its label, or in other capitals, is the same choice.
        for option, label in q.options:
            if text.lower() in (option.lower(), label.lower()):
                return option
        # Any other spelling the model takes for a choice (`true` for yes, say) is that one.
        try:
            chosen = str(q.answer.convert(text))
        except (ValidationError, ValueError, TypeError):
            return text
        if chosen in {option for option, _ in q.options}:
            return chosen
    return text


def date_parts(value: Any) -> dict[str, str] | None:
    """Day, month and year of a date (or of a date as typed in the boxes); None for words."""
    if value is None:
        return {"day": "", "month": "", "year": ""}
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    text = str(value)
    iso = _DATE.match(text)
    if iso:
        return {"day": iso[3], "month": iso[2], "year": iso[1]}
    typed = _TYPED_DATE.match(text)
    if typed:
        return {"day": typed[1].strip(), "month": typed[2].strip(), "year": typed[3].strip()}
    return None


def display(answer: Answer, value: Any, tree: dict[str, Any]) -> str:
    """An answer as the check-your-answers page shows it."""
    if value is None or value == "" or value == []:
        return ""
    values = value if isinstance(value, list) else [value]
    if answer.value_type == "child":
        names = dict(children_named(tree))
        return ", ".join(names.get(str(v), str(v)) for v in values)
    if answer.value_type == "choice":
        return ", ".join(answer.labels.get(str(v), str(v)) for v in values)
    if answer.value_type == "bool":
        words = {"yes": "Yes", "true": "Yes", "no": "No", "false": "No"}
        return ", ".join(
            "Yes" if v is True else "No" if v is False else words.get(str(v).lower(), str(v))
            for v in values
        )
    if answer.value_type in ("date", "date-or-text"):
        return ", ".join(_date_words(v) for v in values)
    return ", ".join(str(v) for v in values)


def _date_words(value: Any) -> str:
    """12 March 2025 for a date, or the value as typed."""
    if not isinstance(value, dt.date):
        parts = date_parts(value)
        if parts is None or not all(_digits(p) for p in parts.values()):
            return str(value)
        try:
            value = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            return "/".join(parts.values())
    return f"{value.day} {value.strftime('%B %Y')}"


def short_title(table: Table) -> str:
    """A list's title on its entry's page: "Admissions", not "Children's health: admissions"."""
    if table.parent is None:
        return table.title
    rest = table.title.split(": ", 1)[-1]
    return rest[:1].upper() + rest[1:]


# --- a page's answers into the tree ----------------------------------------------------------


class Form:
    """The fields a browser posted: one value or several per name."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs  # as sent, in order
        self.values: dict[str, list[str]] = {}
        for name, value in pairs:
            self.values.setdefault(name, []).append(value)

    def one(self, name: str) -> str | None:
        values = self.values.get(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        return self.values.get(name, [])


def apply(page: Page, form: Form, tree: dict[str, Any]) -> dict[str, Any]:
    """The tree with the page's answers put in: a blank answer is removed, one the page
    cannot show (kept in a hidden field) stays as it was, and a new entry is added."""
    if page.entry_of is not None and page.index is not None:
        entries = dig(tree, page.loc[:-1])
        if not isinstance(entries, list):
            set_at(tree, page.loc[:-1], [])
            entries = dig(tree, page.loc[:-1])
        if page.index >= len(entries):
            values = [read_answer(q, form) for q in page.questions()]
            if all(v is None for v in values):
                return tree  # an empty new entry is not added
            entries.append("" if page.entry_of.scalar else {})
            page.index = len(entries) - 1
    for item in page.items:
        if isinstance(item, Question):
            set_at(tree, item.loc, read_answer(item, form))
        elif isinstance(item, Group):
            _apply_group(item, form, tree)
    return tree


def _apply_group(group: Group, form: Form, tree: dict[str, Any]) -> None:
    entries = dig(tree, group.loc)
    if not isinstance(entries, list):
        set_at(tree, group.loc, [])
        entries = dig(tree, group.loc)
    child_key = group.table.columns[0].keys
    for cid, _name, index, questions in group.children:
        values = [(q, read_answer(q, form)) for q in questions]
        if index >= len(entries):
            if all(v is None for _, v in values):
                continue  # a child with nothing typed has no entry yet
            entry: dict[str, Any] = {}
            set_at(entry, child_key, cid)
            entries.append(entry)
            index = len(entries) - 1
        for q, value in values:
            set_at(tree, (*group.loc, index, *q.loc[len(group.loc) + 1 :]), value)


def read_answer(q: Question, form: Form) -> Any:
    """One answer as the input keeps it, from what the browser sent."""
    name = q.path
    kept = form.many(name + ".kept")
    if q.widget == "date":
        parts = [(form.one(f"{name}.{p}") or "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            return kept[0] if kept else None
        day, month, year = parts
        if all(_digits(p) for p in parts) and len(year) == 4:
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                pass
        return f"{day}/{month}/{year}"  # as typed, for the check to name
    if q.widget == "checkboxes":
        # A value that is not one of the answers is a ticked box of its own: unticked, it goes.
        return [v for v in form.many(name) if v] or None
    if q.widget in ("radios", "select"):
        value = form.one(name)
        if value == NOT_ANSWERED:
            return None
        if not value:
            return (kept if q.answer.many else kept[0]) if kept else None
        if q.answer.value_type == "bool":
            return {"yes": True, "no": False}.get(value, value)
        if q.answer.value_type in ("score", "number"):
            return _number(value)
        return value
    text = form.one(name)
    if text is None:
        return None
    text = _UNWRITABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        return None
    if q.answer.value_type == "number":
        return _number(text)
    if q.widget == "text":
        return text.strip()
    return text.rstrip() + "\n" if "\n" in text.strip() else text.strip()


# --- two tabs, or a tab and another program, on one draft ------------------------------------


def fingerprint(q: Question, value: Any) -> str:
    """What an answer says, whatever form it has (`2025-03-12` or a date, `true` or yes)."""

    def plain(one: Any) -> Any:
        if isinstance(one, bool):
            return "yes" if one else "no"
        if isinstance(one, dt.date):
            return one.isoformat()
        text = str(one).replace("\r\n", "\n").strip()
        return _choice_key(q, text) if q.answer.value_type in ("bool", "choice") else text

    if value is None or value == "" or value == []:
        said: Any = None
    else:
        said = [plain(v) for v in value] if isinstance(value, list) else plain(value)
    return digest(said)


def digest(value: Any) -> str:
    """A short fingerprint of a value of the tree, the same for the same answers."""
    text = json.dumps(value, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def seen(page: Page) -> str:
    """What the page shows, a fingerprint per answer, for the page to send back."""
    return json.dumps({q.path: fingerprint(q, q.value) for q in page.questions()})


def merge(
    page: Page, form: Form, current: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[Question, Any]]]:
    """The page's answers put into a draft that changed since the page was shown.

    An answer the user left as the page showed it keeps what the draft has now; one they
    changed is theirs, and where the draft changed it too, the two are in conflict: the
    tree takes the user's, and each conflict is given with the draft's value.
    """
    try:
        shown = json.loads(form.one("seen") or "{}")
    except ValueError:
        shown = {}
    if not isinstance(shown, dict):
        shown = {}
    tree = apply(page, form, copy.deepcopy(current))
    conflicts = []
    for q in page.questions():
        before = shown.get(q.path)
        now = dig(current, q.loc)
        sent = fingerprint(q, read_answer(q, form))
        if sent == before:
            # Left as shown: the draft's answer stands, where the draft has its entry (a
            # new entry's answers were blank as shown, and stay as apply put them).
            if _entries_exist(current, q.loc):
                set_at(tree, q.loc, now)
        elif fingerprint(q, now) not in (before, sent):
            conflicts.append((q, now))
    return tree, conflicts


def _entries_exist(tree: dict[str, Any], loc: Loc) -> bool:
    """Whether every entry on the way to `loc` is in the tree."""
    return all(
        dig(tree, loc[: i + 1]) is not None for i, part in enumerate(loc) if isinstance(part, int)
    )


def _digits(text: str) -> bool:
    """0 to 9 only: `isdigit` takes ² and ①, which `int` refuses."""
    return text.isascii() and text.isdigit()


def _number(text: str) -> Any:
    text = text.strip()
    return int(text) if _digits(text) and len(text) < 10 else text


def set_at(tree: Any, loc: Loc, value: Any) -> None:
    """Put `value` at `loc` (None removes it), making the blocks on the way."""
    *head, last = loc
    node = tree
    for step, following in zip(head, [*head[1:], last][: len(head)], strict=True):
        if isinstance(step, int):
            node = node[step]
            continue
        child = node.get(step)
        if not isinstance(child, (dict, list)):
            if value is None:
                return
            child = [] if isinstance(following, int) else {}
            node[step] = child
        node = child
    if isinstance(last, int):
        node[last] = "" if value is None else value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def remove_entry(tree: dict[str, Any], loc: Loc) -> bool:
    entries = dig(tree, loc[:-1])
    index = loc[-1]
    if isinstance(entries, list) and isinstance(index, int) and 0 <= index < len(entries):
        del entries[index]
        return True
    return False


def parse_loc(text: str) -> Loc | None:
    """`household.0` or `child_health.1.admissions.2` as a loc; None for anything else."""
    if not re.fullmatch(r"[a-z_]+(\.(\d{1,4}|[a-z_]+))*", text):
        return None
    return tuple(int(p) if _digits(p) else p for p in text.split("."))


def loc_text(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def entry_context(kind: str, loc: Loc, tree: dict[str, Any]) -> tuple[Task, Table] | None:
    """The task and table of the entry at `loc`, or None where `loc` names no entry of the
    tree or a new one at the end of its list."""
    if not loc or not isinstance(loc[-1], int):
        return None
    table = table_at(kind, tuple(p for p in loc if isinstance(p, str)))
    if table is None:
        return None
    chain = [table]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    shape: list[str | None] = []  # each key, and None for each index
    for link in chain:
        shape += [*(link.loc if link.parent is None else link.keys_in_parent), None]
    if len(shape) != len(loc) or any(
        (isinstance(part, int) and want is not None) or (isinstance(part, str) and part != want)
        for part, want in zip(loc, shape, strict=True)
    ):
        return None
    # Every entry on the way is there; the last may be one past the end: a new entry.
    for i, part in enumerate(loc[:-1]):
        if isinstance(part, int) and not isinstance(dig(tree, loc[: i + 1]), dict):
            return None
    entries = dig(tree, loc[:-1])
    size = len(entries) if isinstance(entries, list) else 0
    if not 0 <= loc[-1] <= size:
        return None
    top = chain[0]
    for task in tasks(kind):
        if task.part is top or (
            isinstance(task.part, Section)
            and any(isinstance(r, Pointer) and r.table is top for r in task.part.rows)
        ):
            return task, table
    return None
