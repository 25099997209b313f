"""The layout of the input forms: every section, field, label, prompt and kind of value.

One walk of the kind's pydantic model gives the sections (a block as label/answer rows, a
list as a table with one row per entry), in the model's order, with each field's label, what
it needs (its description) and its kind of value (the ValueType marker on its type in
model/types.py). Every form is written and read from this layout: the Excel workbook, the
Word form, the YAML skeleton. A field added to the model appears in all of them with no
code per form.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sos_reports.kinds import KINDS
from sos_reports.model.introspection import FieldSpec, fields_of

Keys = tuple[str, ...]

# Lists with one entry per child: a blank form starts them with a row for each child, so
# that no child is forgotten.
PER_CHILD = {
    "child_voice",
    "scores",
    "last_seen",
    "plan",
    "recommendations",
    "child_health",
    "decisions",
}
# Top-level values that say what the form is; the tool writes them, nobody types them.
FIXED = ("kind", "format_version")
# In a table of a list inside each entry of another list, the column naming the parent entry.
PARENT_KEY = "_parent"
# Names a form keeps for its own parts (the workbook's sheets), never given to a section.
RESERVED_NAMES = {"Instructions", "Lists", "_map"}

# Short names of the sections (a workbook's sheet names: Excel allows 31 characters) by the
# key of the block or list; a field not listed here gets its title, so a new block still
# has a section.
# Short sheet names (Excel allows 31 characters) by the key of the block or list; a field
# not listed here gets its title, so a new block still has a sheet.
SECTION_NAMES = {
    "conference": "Conference",
    "author": "Author",
    "report": "Report",
    "sharing": "Sharing",
    "with": "Shared with",
    "children": "Children",
    "household": "Household",
    "worries": "Worried",
    "danger_statements": "Danger statements",
    "working_well": "Working well",
    "needs_to_happen": "Needs to happen",
    "safety_goals": "Safety goals",
    "next_steps": "Next steps",
    "child_voice": "Child's voice",
    "family_views": "Family's views",
    "scaling": "Scaling",
    "scores": "Scores",
    "confidential": "Confidential",
    "sign_off": "Sign-off",
    "involvement": "Involvement",
    "last_seen": "Last seen",
    "view_on_plan": "View on plan",
    "plan": "Plan",
    "core_group": "Core group",
    "plan_progress": "Plan progress",
    "changes_since_last": "What has changed",
    "recommendations": "Recommendations",
    "practice": "Practice",
    "registered_household": "Registered household",
    "child_health": "Children's health",
    "development_checks": "Development checks",
    "missed_appointments": "Was not brought",
    "urgent_care": "Urgent care",
    "admissions": "Admissions",
    "referrals": "Referrals",
    "carer_health": "Carers' health",
    "information_sharing": "Information sharing",
}

# Room to write in: a table has at least this many rows, and this many blank ones below

# --- the sections: where each field of the model lives ---------------------------------------


@dataclass
class Answer:
    """One answer: a field of a block (a row of a section) or of a list entry (a column)."""

    keys: Keys  # from the section's block or the table's entry to the field
    label: str
    help: str | None
    required: bool
    value_type: str  # text, mtext, date, date-or-text, bool, choice, score, number, child
    convert: Callable[[Any], Any]  # the model's own converter for one value of the field
    many: bool = False  # a list of values in one cell (children's ids, categories)
    labels: dict[str, str] = field(default_factory=dict)  # choice value -> label
    minimum: int | None = None
    fixed: bool = False


@dataclass
class Table:
    """A list of the input laid out as a table: a header row and one row per entry."""

    name: str  # a short name (the workbook's sheet)
    title: str
    help: str | None
    loc: Keys  # the list's keys from the root, without indexes
    required: bool
    scalar: bool  # a list of plain values (safety goals): one column, one value per row
    columns: list[Answer]
    parent: Table | None = None  # a list inside each entry of another list
    keys_in_parent: Keys = ()
    link: Answer | None = None  # in a sub-table: the column that names the parent entry
    subtables: list[Table] = field(default_factory=list)
    # The entries a Word form makes room for when none are given: the entry's own
    # `form_rows` (a record's attendance, everyone's scores), else the form's default.
    rows: int = 0

    def all_columns(self) -> list[Answer]:
        return ([self.link] if self.link is not None else []) + self.columns

    @property
    def per_child(self) -> bool:
        """A list with one entry per child, keyed by the child (scores, child's voice)."""
        first = self.columns[0]
        return (
            self.parent is None
            and not self.scalar
            and self.loc[-1] in PER_CHILD
            and first.value_type == "child"
            and not first.many
        )


@dataclass
class Pointer:
    """A row of a section that sends the reader to the table holding a list of the block."""

    label: str
    help: str | None
    table: Table


@dataclass
class Section:
    """A block of the input as label/answer rows."""

    name: str  # a short name (the workbook's sheet)
    title: str
    help: str | None
    base: Keys  # the block's keys from the root; () for the top-level values
    rows: list[Answer | Pointer]

    def answers(self) -> Iterator[Answer]:
        return (row for row in self.rows if isinstance(row, Answer))


Part = Section | Table


@lru_cache(maxsize=8)
def plan(kind: str) -> tuple[Part, ...]:
    """The sections and tables of a kind's forms, in model order, each list a table of its own."""
    model = KINDS[kind].model
    sheets: list[Part] = []
    taken: set[str] = set(RESERVED_NAMES)
    run: list[Answer] = []

    def flush() -> None:
        if not run:
            return
        if not sheets:
            sheets.append(Section("General", KINDS[kind].title, None, (), list(run)))
            taken.add("General")
        else:
            first = run[0]
            name = _sheet_name(first.keys[-1], first.label.rstrip(" *"), taken)
            sheets.append(Section(name, first.label.rstrip(" *"), None, (), list(run)))
        run.clear()

    for spec in fields_of(model):
        if spec.model is None and not spec.is_list:
            answer = _answer(model, spec, (spec.key,), "", True)
            answer.fixed = spec.key in FIXED
            run.append(answer)
            continue
        flush()
        if spec.is_list:
            table = _table(model, spec, (spec.key,), None, (), taken)
            sheets += _with_subtables(table)
        else:
            assert spec.model is not None
            name = _sheet_name(spec.key, spec.title, taken)
            tables: list[Table] = []
            rows = _form_rows(spec.model, (spec.key,), (), "", True, tables, taken)
            sheets.append(Section(name, spec.title, spec.description, (spec.key,), rows))
            for table in tables:
                sheets += _with_subtables(table)
    flush()
    return tuple(sheets)


def _with_subtables(table: Table) -> list[Part]:
    return [table, *table.subtables]


def _sheet_name(key: str, title: str, taken: set[str]) -> str:
    base = SECTION_NAMES.get(key) or re.sub(r"[\[\]:*?/\\]", "", title).strip()[:31] or key[:31]
    name, number = base, 2
    while name in taken:
        name = f"{base[:28]} {number}"
        number += 1
    taken.add(name)
    return name


def _form_rows(
    model: type[BaseModel],
    base: Keys,
    prefix: Keys,
    label_prefix: str,
    required: bool,
    tables: list[Table],
    taken: set[str],
) -> list[Answer | Pointer]:
    rows: list[Answer | Pointer] = []
    for spec in fields_of(model):
        if spec.is_list:
            table = _table(model, spec, (*base, *prefix, spec.key), None, (), taken)
            tables.append(table)
            rows.append(Pointer(_label(label_prefix, spec.title, False), spec.description, table))
        elif spec.model is not None:
            # A block inside a block: its fields become rows labelled "Block: field".
            inner = label_prefix + spec.title + ": "
            rows += _form_rows(
                spec.model,
                base,
                (*prefix, spec.key),
                inner,
                required and spec.required,
                tables,
                taken,
            )
        else:
            rows.append(_answer(model, spec, (*prefix, spec.key), label_prefix, required))
    return rows


def _table(
    model: type[BaseModel],
    spec: FieldSpec,
    loc: Keys,
    parent: Table | None,
    keys_in_parent: Keys,
    taken: set[str],
) -> Table:
    name = _sheet_name(spec.key, spec.title, taken)
    title = f"{parent.title}: {_lower_first(spec.title)}" if parent is not None else spec.title
    table = Table(name, title, spec.description, loc, spec.required, spec.model is None, [])
    table.parent, table.keys_in_parent = parent, keys_in_parent
    table.rows = int(getattr(spec.model, "form_rows", 0))
    if spec.model is None:
        item = _answer(model, spec, (), "", False)
        item.label, item.many = spec.title, False
        table.columns = [item]
    else:
        nested: list[tuple[type[BaseModel], FieldSpec, Keys]] = []
        table.columns = _columns(spec.model, (), "", True, nested)
        for inner_model, inner, keys in nested:
            if parent is not None:
                raise ValueError(f"{'.'.join(loc)}.{inner.key}: lists nest only two deep")
            table.subtables.append(_table(inner_model, inner, loc + keys, table, keys, taken))
    if parent is not None:
        key = parent.columns[0]
        if key.many or len(key.keys) != 1:
            raise ValueError(f"{'.'.join(loc)}: the parent list's first field cannot name an entry")
        table.link = Answer(
            (PARENT_KEY,),
            _label("", key.label.rstrip(" *"), True),
            key.help,
            True,
            key.value_type,
            key.convert,
            labels=key.labels,
        )
    return table


def _columns(
    model: type[BaseModel],
    prefix: Keys,
    label_prefix: str,
    required: bool,
    nested: list[tuple[type[BaseModel], FieldSpec, Keys]],
) -> list[Answer]:
    """The columns of a list entry; lists inside it go to `nested`, for tables of their own."""
    columns: list[Answer] = []
    for spec in fields_of(model):
        if spec.is_list and spec.model is not None:
            nested.append((model, spec, (*prefix, spec.key)))
        elif spec.model is not None:
            # A block inside an entry (last seen: date, by, ...) becomes a group of columns.
            inner = label_prefix + spec.title + ": "
            columns += _columns(
                spec.model, (*prefix, spec.key), inner, required and spec.required, nested
            )
        else:
            columns.append(_answer(model, spec, (*prefix, spec.key), label_prefix, required))
    return columns


def _lower_first(text: str) -> str:
    # "Date last seen" -> "date last seen", but "GMC number" keeps its capitals.
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _label(prefix: str, title: str, required: bool) -> str:
    text = prefix + (_lower_first(title) if prefix else title)
    return text + (" *" if required else "")


def _answer(
    model: type[BaseModel], spec: FieldSpec, keys: Keys, label_prefix: str, required: bool
) -> Answer:
    convert = _converter(model, spec.name, spec.is_list)
    kind = spec.value_type
    labels: dict[str, str] = {}
    for value in spec.choices or []:
        try:
            out = convert(value)
        except ValidationError:
            continue
        labels[str(value)] = getattr(out, "label", str(value))
    needed = required and spec.required
    return Answer(
        keys=keys,
        label=_label(label_prefix, spec.title, needed),
        help=spec.description,
        required=needed,
        value_type=kind,
        convert=convert,
        many=spec.is_list,
        labels=labels,
        minimum=spec.schema.get("minimum"),
    )


def _converter(model: type[BaseModel], name: str, is_list: bool) -> Callable[[Any], Any]:
    """The model's converter for one value of a field (one item, for a list)."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    metadata: tuple[Any, ...] = tuple(info.metadata)
    if is_list:
        while typing.get_origin(annotation) is not list:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        annotation, metadata = typing.get_args(annotation)[0], ()
    # Most fields share a type (Text, OptDate, ...) and so the very same validator objects:
    # one adapter per type keeps the plan cheap. The entry keeps the objects alive, so that
    # their ids in the key are never reused.
    key = (id(annotation), *(id(m) for m in metadata))
    if key not in _ADAPTERS:
        target: Any = typing.Annotated[annotation, *metadata] if metadata else annotation
        _ADAPTERS[key] = (annotation, metadata, TypeAdapter(target).validate_python)
    return _ADAPTERS[key][2]


_ADAPTERS: dict[tuple[int, ...], tuple[Any, tuple[Any, ...], Callable[[Any], Any]]] = {}


def sentence(text: str | None) -> str:
    if not text:
        return ""
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text + ("" if text.endswith((".", "?", "!")) else ".") + " "


# What each kind of value needs, in words that fit every form; a form may put its own
# (how to type a new line in Excel, where a workbook keeps the children's ids).
KIND_HINTS = {
    "date": "A date: DD/MM/YYYY, for example 12/03/2025.",
    "date-or-text": "A date (DD/MM/YYYY) or words, for example ongoing.",
    "bool": "Pick Yes or No.",
    "score": "A whole number from 0 (unsafe) to 10 (safe).",
    "child": "The child's id, as given under Children.",
}


def hint(answer: Answer, kind_hints: dict[str, str] | None = None) -> str:
    """What the answer needs, in plain words: its description, then what form it takes."""
    kind_hints = {**KIND_HINTS, **(kind_hints or {})}
    text = sentence(answer.help)
    if answer.fixed:
        return "Filled in by sos-reports; leave as it is."
    if answer.many and answer.value_type == "child":
        kind_hint = "The children's ids, separated by commas, for example maisie, leo."
    elif answer.many and answer.value_type == "choice":
        kind_hint = (
            "One or more of: " + ", ".join(answer.labels.values()) + " (separated by commas)."
        )
    elif answer.value_type == "choice":
        kind_hint = "Pick from the list."
    elif answer.value_type == "number":
        kind_hint = f"A whole number of {answer.minimum or 0} or more."
    else:
        kind_hint = kind_hints.get(answer.value_type, "")
    if kind_hint and kind_hint.lower().rstrip(".") in text.lower():
        kind_hint = ""
    if answer.value_type == "score" and "to 10" in text:
        kind_hint = "A whole number."
    if answer.value_type == "bool" and "yes or no" in text.lower():
        kind_hint = ""  # the description says it already, and the answer has the list
    return (text + kind_hint).strip()


def canonical(kind: str, tree: dict[str, Any]) -> dict[str, Any]:
    """The tree with each choice by its value (not the label a form shows) and each date
    as a date; anything else as typed.

    A form gives back what it shows; YAML and JSON written from it should read as if typed
    by hand. A value the model refuses is left as it was, for the check to name.
    """
    out = _canonical_block(KINDS[kind].model, tree)
    return out if isinstance(out, dict) else tree


def _canonical_block(model: type[BaseModel], tree: Any) -> Any:
    if not isinstance(tree, dict):
        return tree
    specs = {spec.key: spec for spec in fields_of(model)}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        spec = specs.get(key)
        if spec is None or value is None:
            out[key] = value
        elif spec.model is not None:
            if spec.is_list and isinstance(value, list):
                out[key] = [_canonical_block(spec.model, v) for v in value]
            else:
                out[key] = _canonical_block(spec.model, value)
        else:
            convert = _converter(model, spec.name, spec.is_list)
            if spec.is_list and isinstance(value, list):
                out[key] = [_canonical_value(spec.value_type, convert, v) for v in value]
            else:
                out[key] = _canonical_value(spec.value_type, convert, value)
    return out


def _canonical_value(kind: str, convert: Callable[[Any], Any], value: Any) -> Any:
    if kind not in ("choice", "date", "date-or-text"):
        return value  # as typed: the check trims text, `true` and `yes` are one answer
    try:
        out = convert(value)
    except ValidationError:
        return value
    if out is None:
        return value
    if kind == "date-or-text" and not isinstance(out, dt.date):
        return value  # words, as typed
    return str(out) if kind == "choice" else out
