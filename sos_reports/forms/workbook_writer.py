"""The Excel input workbook: a form, generated from the model, that practitioners fill in.

Every sheet, label, dropdown and prompt comes from a walk of the kind's pydantic model, so a
field added there appears here without an edit. `plan` is that walk; the workbook reader
uses the same plan. Each answer cell and each table column carries a workbook-level defined
name made from its key path (`sos__conference__date`, `sos__children__id`): Excel and
LibreOffice move defined names with their cells when rows are inserted, so the reader finds
every value without depending on row numbers or on the wording of a label.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import absolute_coordinate
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, TypeAdapter, ValidationError

from sos_reports.errors import SosError
from sos_reports.kinds import KINDS, get_kind
from sos_reports.model.fields import FieldSpec, fields_of
from sos_reports.model.types import ChoiceValue
from sos_reports.skeleton import PER_CHILD

Loc = tuple[str, ...]

# Bumped when the reader could no longer read older workbooks the same way.
LAYOUT_VERSION = 1
MAP_SHEET = "_map"
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
MAP_MARK = "sos-reports input workbook"
CHILD_IDS = "sos_child_ids"
NAME_PREFIX = "sos__"
PARENT_KEY = "_parent"
# Top-level values that say what the workbook is; the tool writes them, nobody types them.
FIXED = ("kind", "format_version")

# Short sheet names (Excel allows 31 characters) by the key of the block or list; a field
# not listed here gets its title, so a new block still has a sheet.
SHEET_NAMES = {
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
# whatever was pre-filled. More can be inserted (sheet protection allows it).
TABLE_ROWS = 10
SPARE_ROWS = 5
# Excel refuses (or "repairs") longer prompts, prompt titles and cell texts.
PROMPT_LIMIT = 255
PROMPT_TITLE_LIMIT = 32
CELL_LIMIT = 32767

FORM_FIRST_ROW = 4
HEADER_ROW = 4
FORM_WIDTHS = {"A": 30, "B": 56, "C": 40}
INSTRUCTIONS_WIDTH = 70
COLUMN_WIDTHS = {
    "text": 22,
    "mtext": 46,
    "date": 13,
    "date-or-text": 16,
    "bool": 11,
    "score": 9,
    "number": 11,
    "child": 14,
}
# Text cells are formatted as text so that Excel keeps what is typed: `0000000` keeps its
# zeros and `10:00` stays 10:00. Free text is not, because Excel shows a text-formatted
# cell of more than 255 characters as ####.
TEXT_FORMAT = "@"
DATE_FORMAT = "dd/mm/yyyy"

_ANSWER_FILL = PatternFill("solid", fgColor="FFF8E1")
_FIXED_FILL = PatternFill("solid", fgColor="EEEEEE")
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_EDGE = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
# Arial, as in the reports: on Windows, and metric-compatible with Liberation Sans on Linux.
_FONT = Font(name="Arial", size=10)
_TITLE_FONT = Font(name="Arial", size=14, bold=True)
_INTRO_FONT = Font(name="Arial", size=10, italic=True, color="404040")
_HINT_FONT = Font(name="Arial", size=9, italic=True, color="595959")
_BOLD = Font(name="Arial", size=10, bold=True)
_LINK_FONT = Font(name="Arial", size=10, color="0563C1", underline="single")
# LibreOffice does not size a row to its wrapped text when it opens a file, so rows that
# hold long text get a height from an estimate: characters per unit of column width for
# Arial 10 (kept low, so that Excel's narrower units never cut text), and points per line.
# Rows left blank keep no fixed height, and grow as the practitioner types.
CHARS_PER_WIDTH = 1.1
# Units of column width that fit across an A4 page at full size (LibreOffice's units are
# the wider), and the smallest print scale that stays readable.
PAGE_WIDTH = 106
PORTRAIT_WIDTH = 72
MIN_SCALE = 70
LINE_POINTS = 13.0
_TOP = Alignment(vertical="top", wrap_text=True)
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- the plan: where each field of the model lives ------------------------------------------


@dataclass
class Answer:
    """One value in one cell: a field of a block (a form row) or of a list entry (a column)."""

    keys: Loc  # from the form's block or the table's entry to the field
    label: str
    help: str | None
    required: bool
    kind: str  # text, mtext, date, date-or-text, bool, choice, score, number, child
    convert: Callable[[Any], Any]  # the model's own converter for one value of the field
    many: bool = False  # a list of values in one cell (children's ids, categories)
    labels: dict[str, str] = field(default_factory=dict)  # choice value -> label
    minimum: int | None = None
    fixed: bool = False


@dataclass
class Table:
    """A list of the input laid out as a table: a header row and one row per entry."""

    name: str
    title: str
    help: str | None
    loc: Loc  # the list's keys from the root, without indexes
    required: bool
    scalar: bool  # a list of plain values (safety goals): one column, one value per row
    columns: list[Answer]
    parent: Table | None = None  # a list inside each entry of another list
    keys_in_parent: Loc = ()
    link: Answer | None = None  # in a sub-table: the column that names the parent entry
    subtables: list[Table] = field(default_factory=list)

    def all_columns(self) -> list[Answer]:
        return ([self.link] if self.link is not None else []) + self.columns

    def column_name(self, answer: Answer) -> str:
        return name_of(self.loc + (answer.keys or ()))


@dataclass
class Pointer:
    """A form row that sends the reader to the sheet holding a list of the block."""

    label: str
    help: str | None
    table: Table


@dataclass
class Form:
    """A block of the input as label/answer rows."""

    name: str
    title: str
    help: str | None
    base: Loc  # the block's keys from the root; () for the top-level values
    rows: list[Answer | Pointer]

    def answers(self) -> Iterator[Answer]:
        return (row for row in self.rows if isinstance(row, Answer))


Sheet = Form | Table


def name_of(loc: Loc) -> str:
    """The defined name of the cell or column holding the value at `loc`."""
    return NAME_PREFIX + "__".join(loc)


@lru_cache(maxsize=8)
def plan(kind: str) -> tuple[Sheet, ...]:
    """The workbook's sheets for a kind, in model order, each list on a sheet of its own."""
    model = KINDS[kind].model
    sheets: list[Sheet] = []
    taken: set[str] = {INSTRUCTIONS_SHEET, LISTS_SHEET, MAP_SHEET}
    run: list[Answer] = []

    def flush() -> None:
        if not run:
            return
        if not sheets:
            sheets.append(Form("General", KINDS[kind].title, None, (), list(run)))
            taken.add("General")
        else:
            first = run[0]
            name = _sheet_name(first.keys[-1], first.label.rstrip(" *"), taken)
            sheets.append(Form(name, first.label.rstrip(" *"), None, (), list(run)))
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
            sheets.append(Form(name, spec.title, spec.description, (spec.key,), rows))
            for table in tables:
                sheets += _with_subtables(table)
    flush()
    return tuple(sheets)


def _with_subtables(table: Table) -> list[Sheet]:
    return [table, *table.subtables]


def _sheet_name(key: str, title: str, taken: set[str]) -> str:
    base = SHEET_NAMES.get(key) or re.sub(r"[\[\]:*?/\\]", "", title).strip()[:31] or key[:31]
    name, number = base, 2
    while name in taken:
        name = f"{base[:28]} {number}"
        number += 1
    taken.add(name)
    return name


def _form_rows(
    model: type[BaseModel],
    base: Loc,
    prefix: Loc,
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
    loc: Loc,
    parent: Table | None,
    keys_in_parent: Loc,
    taken: set[str],
) -> Table:
    name = _sheet_name(spec.key, spec.title, taken)
    title = f"{parent.title}: {_lower_first(spec.title)}" if parent is not None else spec.title
    table = Table(name, title, spec.description, loc, spec.required, spec.model is None, [])
    table.parent, table.keys_in_parent = parent, keys_in_parent
    if spec.model is None:
        item = _answer(model, spec, (), "", False)
        item.label, item.many = spec.title, False
        table.columns = [item]
    else:
        nested: list[tuple[type[BaseModel], FieldSpec, Loc]] = []
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
            key.kind,
            key.convert,
            labels=key.labels,
        )
    return table


def _columns(
    model: type[BaseModel],
    prefix: Loc,
    label_prefix: str,
    required: bool,
    nested: list[tuple[type[BaseModel], FieldSpec, Loc]],
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
    model: type[BaseModel], spec: FieldSpec, keys: Loc, label_prefix: str, required: bool
) -> Answer:
    convert = _converter(model, spec.name, spec.is_list)
    kind = spec.value_kind
    # Text and free text share a schema; only free text takes a line break.
    if kind == "text" and spec.schema == {"type": "string"}:
        kind = "mtext" if _accepts(convert, "line one\nline two") else "text"
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
        kind=kind,
        convert=convert,
        many=spec.is_list,
        labels=labels,
        minimum=spec.schema.get("minimum"),
    )


def _accepts(convert: Callable[[Any], Any], value: Any) -> bool:
    try:
        convert(value)
    except ValidationError:
        return False
    return True


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


# --- writing the workbook --------------------------------------------------------------------


def write_workbook(kind: str, handle: IO[bytes], tree: dict[str, Any] | None = None) -> None:
    """Write the input workbook for `kind` into an open binary file."""
    build_workbook(kind, tree).save(handle)


def build_workbook(kind: str, tree: dict[str, Any] | None = None) -> Workbook:
    """The input workbook for `kind`, pre-filled with every field `tree` gives a value."""
    kind = get_kind(kind).name
    return _Builder(kind, dict(tree or {})).build()


class _Builder:
    def __init__(self, kind: str, tree: dict[str, Any]) -> None:
        self.kind = kind
        self.tree = tree
        self.tree["kind"] = kind
        self.tree.setdefault("format_version", 1)
        self.wb = Workbook()
        self.static: set[str] = set()
        self.lines: dict[tuple[str, int], int] = {}
        self.lists: dict[tuple[str, ...], str] = {}
        self.child_ids = [
            str(c["id"]).strip()
            for c in _as_list(tree.get("children"))
            if isinstance(c, dict) and c.get("id") is not None and str(c["id"]).strip()
        ]

    def build(self) -> Workbook:
        sheets = plan(self.kind)
        instructions = self.wb.active
        instructions.title = INSTRUCTIONS_SHEET
        self.lists_ws = self.wb.create_sheet(LISTS_SHEET)
        for sheet in sheets:
            ws = self.wb.create_sheet(sheet.name, index=len(self.wb.sheetnames) - 1)
            if isinstance(sheet, Form):
                self._form(ws, sheet)
            else:
                self._table(ws, sheet)
        self._instructions(instructions, sheets)
        self._finish_lists()
        self._map()
        self.wb.active = 0
        properties = self.wb.properties
        properties.creator = "sos-reports"
        properties.lastModifiedBy = "sos-reports"
        properties.title = f"{KINDS[self.kind].title}: input workbook"
        return self.wb

    # -- static text ------------------------------------------------------------------------

    def _text(
        self,
        ws: Worksheet,
        row: int,
        column: int,
        text: str,
        width: float | None = None,
        **style: Any,
    ) -> Any:
        """A cell of the form's own words (title, label, header, help), locked."""
        cell = ws.cell(row=row, column=column, value=text)
        cell.protection = _LOCKED
        cell.alignment = style.pop("alignment", _TOP)
        cell.font = style.pop("font", _FONT)
        for key, value in style.items():
            setattr(cell, key, value)
        self.static.add(text)
        self._fit(ws, row, column, text, width)
        return cell

    def _fit(self, ws: Worksheet, row: int, column: int, text: str, width: float | None) -> None:
        """Remember how many lines the text needs in its column, for the row's height."""
        if width is None:
            width = ws.column_dimensions[get_column_letter(column)].width or 10
        size = getattr(ws.cell(row=row, column=column).font, "size", None) or 10
        per_line = max(int(width * CHARS_PER_WIDTH * 10 / float(size)), 1)
        lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        key = (ws.title, row)
        self.lines[key] = max(self.lines.get(key, 1), lines)

    def _set_heights(self, ws: Worksheet) -> None:
        for (title, row), lines in self.lines.items():
            if title == ws.title and lines > 1:
                ws.row_dimensions[row].height = lines * LINE_POINTS + 4

    def _heading(self, ws: Worksheet, title: str, intro: str, last_column: int) -> None:
        self._text(ws, 1, 1, title, 200, font=_TITLE_FONT, alignment=Alignment(vertical="top"))
        ws.row_dimensions[1].height = 24
        # The introduction wraps across as many columns as fit on the first printed page:
        # left to overflow, it would run off the page.
        width, end = 0.0, 0
        for column in range(1, last_column + 1):
            more = ws.column_dimensions[get_column_letter(column)].width or 10
            if end and width + more > PAGE_WIDTH:
                break
            width, end = width + more, column
        self._text(ws, 2, 1, intro, width, font=_INTRO_FONT)
        if end > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=end)

    # -- a block as label / answer / help rows ------------------------------------------------

    def _form(self, ws: Worksheet, form: Form) -> None:
        intro = _sentence(form.help)
        intro += (
            "Type your answers in the coloured cells of column B; click one to see what it "
            "needs. * marks a required answer."
        )
        for letter, width in FORM_WIDTHS.items():
            ws.column_dimensions[letter].width = width
        self._heading(ws, form.title, intro, len(FORM_WIDTHS))
        block = _dig(self.tree, form.base) if form.base else self.tree
        for row, item in enumerate(form.rows, start=FORM_FIRST_ROW):
            if isinstance(item, Pointer):
                self._text(ws, row, 1, item.label, font=_BOLD)
                link = self._text(
                    ws, row, 2, f"On the sheet '{item.table.name}' →", font=_LINK_FONT
                )
                link.hyperlink = f"#{quote_sheetname(item.table.name)}!A1"
                if item.help:
                    self._text(ws, row, 3, _sentence(item.help).strip(), font=_HINT_FONT)
                continue
            self._text(ws, row, 1, item.label, font=_BOLD)
            value = _dig(block, item.keys)
            if item.fixed:
                value = self.tree.get(item.keys[-1])
            where = f"{get_column_letter(2)}{row}"
            self._answer_cell(ws, row, 2, item, value, ".".join(form.base + item.keys))
            self._validate(ws, item, where, table=False)
            hint = _hint(item)
            if hint:
                self._text(ws, row, 3, hint, font=_HINT_FONT)
            self._name(name_of(form.base + item.keys), ws, where)
        self._set_heights(ws)
        self._protect(ws, landscape=True)

    # -- a list as a table -------------------------------------------------------------------

    def _table(self, ws: Worksheet, table: Table) -> None:
        intro = _sentence(table.help) + (
            "One row per entry; leave the rows you do not need empty. Need more rows? "
            "Right-click a row number inside the table and choose Insert."
        )
        if table.link is not None and table.parent is not None:
            intro += f" In the first column, say which entry of '{table.parent.name}' it is for."
        if table.subtables:
            intro += (
                " Lists for each entry are on the sheets "
                + ", ".join(f"'{sub.name}'" for sub in table.subtables)
                + "."
            )
        if any(a.required for a in table.all_columns()):
            intro += " * marks a column every row you use needs."
        columns = table.all_columns()
        for number, answer in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(number)].width = _width(answer)
        self._heading(ws, table.title, intro, len(columns))
        entries = self._entries(table)
        rows = max(TABLE_ROWS, len(entries) + SPARE_ROWS)
        first, last = HEADER_ROW + 1, HEADER_ROW + rows
        for number, answer in enumerate(columns, start=1):
            letter = get_column_letter(number)
            self._text(
                ws, HEADER_ROW, number, answer.label, font=_BOLD, fill=_HEADER_FILL, border=_BOX
            )
            for offset in range(rows):
                value = _dig(entries[offset], answer.keys) if offset < len(entries) else None
                where = ".".join(table.loc) + f"[{offset}]"
                self._answer_cell(ws, first + offset, number, answer, value, where)
            body = f"{letter}{first}:{letter}{last}"
            self._validate(ws, answer, body, table=True)
            # The column's name takes in the header, so that a row inserted just under the
            # header is inside the range and Excel widens the name to hold it.
            self._name(table.column_name(answer), ws, f"{letter}{HEADER_ROW}:{letter}{last}")
            if table.loc == ("children",) and answer.keys == ("id",):
                self._name(CHILD_IDS, ws, body)
        ws.freeze_panes = f"A{first}"
        self._set_heights(ws)
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        self._protect(ws, landscape=True)

    def _entries(self, table: Table) -> list[Any]:
        """The pre-filled rows: the tree's entries (a sub-table's with their parent's key)."""
        if table.parent is not None and table.link is not None:
            rows: list[Any] = []
            parent_key = table.parent.columns[0].keys
            for entry in self._entries(table.parent):
                key = _dig(entry, parent_key)
                for sub in _as_list(_dig(entry, table.keys_in_parent)):
                    if isinstance(sub, dict):
                        rows.append({**sub, PARENT_KEY: key})
            return rows
        entries = _as_list(_dig(self.tree, table.loc))
        if not table.scalar:
            entries = [e for e in entries if isinstance(e, dict)]
        first = table.columns[0]
        per_child = not table.scalar and first.kind == "child" and _per_child(table)
        if not entries and table.required and per_child:
            # As in the YAML skeleton: one row per child, so that no child is forgotten.
            entries = [{first.keys[0]: cid} for cid in self.child_ids]
        return entries

    # -- cells ---------------------------------------------------------------------------------

    def _answer_cell(
        self, ws: Worksheet, row: int, column: int, answer: Answer, value: Any, where: str
    ) -> None:
        cell = ws.cell(row=row, column=column)
        cell.font = _FONT
        # The workbook's own kind and format are written as they are, not as choice labels.
        shown = value if answer.fixed else _to_cell(answer, value)
        if isinstance(shown, str):
            if len(shown) > CELL_LIMIT:
                raise SosError(
                    f"{where}: is {len(shown)} characters long; an Excel cell holds at most "
                    f"{CELL_LIMIT}"
                )
            # Characters a worksheet cannot hold go in Excel's own _xHHHH_ spelling, which
            # the reader turns back, so that the check names them instead of losing them.
            shown = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", shown)
        cell.value = shown
        if isinstance(shown, str):
            cell.data_type = "s"  # a text starting with = is text, never a formula
            self._fit(ws, row, column, shown, None)
        cell.border = _BOX
        cell.alignment = _LEFT_TOP
        if answer.fixed:
            cell.fill = _FIXED_FILL
            cell.protection = _LOCKED
        else:
            cell.fill = _ANSWER_FILL
            cell.protection = _UNLOCKED
        if answer.kind == "date" or (answer.kind == "date-or-text" and isinstance(shown, dt.date)):
            cell.number_format = DATE_FORMAT
        elif answer.kind in ("text", "child", "choice", "bool") and not answer.fixed:
            cell.number_format = TEXT_FORMAT

    def _validate(self, ws: Worksheet, answer: Answer, where: str, *, table: bool) -> None:
        """A dropdown or range check where Excel can make one, and a prompt on every cell."""
        options: dict[str, Any] = {}
        kind = answer.kind
        if answer.fixed:
            options = {"type": None}
        elif kind == "bool":
            options = {"type": "list", "formula1": '"Yes,No"', "error": "Pick Yes or No."}
        elif kind == "choice" and not answer.many:
            options = {
                "type": "list",
                "formula1": self._list_range(answer),
                "error": "Pick one of the choices in the list.",
            }
        elif kind == "child" and not answer.many:
            options = {
                "type": "list",
                "formula1": CHILD_IDS,
                "error": "Pick a child's id, as given on the Children sheet.",
                "errorStyle": "warning",
            }
        elif kind == "score":
            options = {
                "type": "whole",
                "operator": "between",
                "formula1": "0",
                "formula2": "10",
                "error": "A whole number from 0 (unsafe) to 10 (safe) is needed.",
            }
        elif kind == "number":
            minimum = answer.minimum or 0
            options = {
                "type": "whole",
                "operator": "greaterThanOrEqual",
                "formula1": str(minimum),
                "error": f"A whole number of {minimum} or more is needed.",
            }
        elif kind == "date":
            options = {
                "type": "date",
                "operator": "between",
                "formula1": "DATE(1900,1,1)",
                "formula2": "DATE(2100,12,31)",
                "error": "Type a date as DD/MM/YYYY, for example 12/03/2025.",
            }
        error = options.pop("error", None)
        validation = DataValidation(
            allow_blank=True,
            showInputMessage=True,
            promptTitle=_clip(answer.label.rstrip(" *"), PROMPT_TITLE_LIMIT),
            prompt=_prompt(answer, table),
            **options,
        )
        if error:
            validation.showErrorMessage = True
            validation.errorTitle = _clip(answer.label.rstrip(" *"), PROMPT_TITLE_LIMIT)
            validation.error = error
        ws.add_data_validation(validation)
        validation.add(where)

    def _list_range(self, answer: Answer) -> str:
        """The choices' labels on the hidden Lists sheet (an inline list is capped at 255)."""
        labels = tuple(answer.labels.values())
        if labels not in self.lists:
            column = len(self.lists) + 1
            letter = get_column_letter(column)
            ws = self.lists_ws
            self._text(ws, 1, column, answer.label.rstrip(" *"), font=_BOLD)
            for row, label in enumerate(labels, start=2):
                self._text(ws, row, column, label)
            ws.column_dimensions[letter].width = max(len(x) for x in labels) + 2
            self.lists[labels] = (
                f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
            )
        return self.lists[labels]

    def _name(self, name: str, ws: Worksheet, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(
            name, attr_text=f"{quote_sheetname(ws.title)}!{absolute_coordinate(ref)}"
        )

    def _protect(self, ws: Worksheet, *, landscape: bool) -> None:
        # Labels are locked; answers are not. Protection has no password: it guards
        # against slips, and the reader re-checks every value anyway.
        protection = ws.protection
        protection.sheet = True
        protection.insertRows = False
        protection.formatRows = False
        protection.formatColumns = False
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        ws.page_margins.left = ws.page_margins.right = 0.5
        # A fixed scale, because LibreOffice ignores "fit to page width" in these files: a
        # sheet a little too wide is shrunk onto the page, a wide table goes across pages.
        total = sum(
            ws.column_dimensions[get_column_letter(c)].width or 10
            for c in range(1, ws.max_column + 1)
        )
        page = PAGE_WIDTH if landscape else PORTRAIT_WIDTH
        setup.scale = 100 if total <= page else max(int(100 * page / total), MIN_SCALE)
        # Each printed page says which report and sheet it is, and where it falls.
        ws.oddHeader.left.text = _header_text(KINDS[self.kind].title)
        ws.oddHeader.right.text = "&A"
        ws.oddFooter.right.text = "Page &P of &N"
        for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.right):
            part.size, part.font = 8, "Arial,Regular"

    # -- instructions, lists, map ---------------------------------------------------------------

    def _instructions(self, ws: Worksheet, sheets: tuple[Sheet, ...]) -> None:
        kind = KINDS[self.kind]
        review = self.kind == "rcpc"
        days = (
            "5 working days before the review conference"
            if review
            else (
                "2 working days before an initial (pre-birth, transfer-in) conference, "
                "5 before a review conference"
            )
        )
        lines: list[tuple[str, Font | None]] = [
            (kind.title, _TITLE_FONT),
            ("Input workbook for sos-reports", _INTRO_FONT),
            ("", None),
            ("What this report is for", _BOLD),
            (
                f"This workbook collects {kind.summary}. Before a child protection conference "
                "every agency that knows the family writes a report for the conference chair. "
                "It follows Signs of Safety: what are we worried about, what's working well, "
                "what needs to happen, and a score for each child from 0 (the child is unsafe) "
                "to 10 (the child is safe).",
                None,
            ),
            (
                "The report is the family's copy: it is shared with them before the conference. "
                "Anything they must not see goes only on the 'Confidential' sheet; it is given "
                "to the chair separately.",
                None,
            ),
            ("", None),
            ("How to fill in this workbook", _BOLD),
            ("• Work through the sheets from left to right; each is one part of the report.", None),
            ("• Type in the coloured cells; labels are locked. * marks a needed answer.", None),
            ("• Click a cell to see what it needs. Where a cell has a list, pick from it.", None),
            ("• Dates: type them as DD/MM/YYYY, for example 12/03/2025.", None),
            ("• A new line inside a cell: press Alt+Enter (Option+Enter on a Mac).", None),
            (
                "• Tables: one row per entry (a child, a person, a step). Leave rows you do not "
                "need empty. To add rows, right-click a row number inside the table and choose "
                "Insert.",
                None,
            ),
            (
                "• Give each child a short id on the 'Children' sheet (letters and digits, such "
                "as maisie). The other sheets pick children by that id; where a cell takes "
                "several children, separate their ids with commas.",
                None,
            ),
            ("• Keep the file as an Excel workbook (.xlsx), without a password.", None),
            ("", None),
            ("What happens next", _BOLD),
            (
                "Save the workbook and send it back, or check it yourself: the command "
                "sos-reports validate form.xlsx lists anything missing or wrong by sheet and "
                "cell (for example Conference!B5), and sos-reports fill form.xlsx writes the "
                "Word report.",
                None,
            ),
            ("", None),
            ("When the report is due", _BOLD),
            (
                f"The report is due with the conference chair, and shared with the family, "
                f"{days}. Working days leave out weekends and bank holidays; some areas set "
                "other deadlines.",
                None,
            ),
        ]
        due = _due_date(self.tree, sheets)
        if due is not None:
            lines.append((f"For this conference the report is due by {due}.", _BOLD))
        lines += [("", None), ("The sheets", _BOLD)]
        for sheet in sheets:
            name, title = sheet.name.lower(), sheet.title.lower()
            same = title.startswith(name) or title.endswith(name)
            lines.append((f"• {sheet.name}" + ("" if same else f": {sheet.title}"), None))
        ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
        for row, (text, font) in enumerate(lines, start=1):
            if text:
                self._text(ws, row, 1, text, font=font or _FONT)
        ws.row_dimensions[1].height = 24
        self._set_heights(ws)
        self._protect(ws, landscape=False)

    def _finish_lists(self) -> None:
        self.lists_ws.sheet_state = "hidden"
        self._protect(self.lists_ws, landscape=False)

    def _map(self) -> None:
        """What the reader needs beside the defined names: the kind and the form's own words."""
        ws = self.wb.create_sheet(MAP_SHEET)
        ws["A1"], ws["B1"] = MAP_MARK, LAYOUT_VERSION
        ws["A2"], ws["B2"] = "kind", self.kind
        ws["A3"] = "texts"
        for row, text in enumerate(sorted(self.static), start=4):
            ws.cell(row=row, column=1, value=text).data_type = "s"
        ws.sheet_state = "veryHidden"
        ws.protection.sheet = True


# --- values -----------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dig(tree: Any, keys: Loc) -> Any:
    for key in keys:
        if not isinstance(tree, dict):
            return None
        tree = tree.get(key)
    return tree


def _per_child(table: Table) -> bool:
    return table.loc[-1] in PER_CHILD


def _to_cell(answer: Answer, value: Any) -> Any:
    """A tree value as the cell shows it: a date as a date, a choice by its label, ..."""
    if value is None:
        return None
    if answer.many:
        items = value if isinstance(value, list) else [value]
        shown = [_one(answer, item) for item in items if item is not None]
        separator = ", " if answer.kind in ("child", "choice") else "\n"
        return separator.join(str(s) for s in shown if s is not None) or None
    return _one(answer, value)


def _one(answer: Answer, value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    try:
        out = answer.convert(value)
    except ValidationError:
        # Written as given: the reader hands it back and the check names its cell.
        return value if isinstance(value, (str, int, float, dt.date)) else str(value)
    if out is None:
        return None
    if isinstance(out, bool):
        return "Yes" if out else "No"
    if isinstance(out, ChoiceValue):
        return out.label
    if answer.kind in ("text", "mtext", "child") and isinstance(value, str):
        return value  # what was typed, spaces and all; the check trims it
    return out


def _sentence(text: str | None) -> str:
    if not text:
        return ""
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text + ("" if text.endswith((".", "?", "!")) else ".") + " "


_KIND_HINTS = {
    "date": "A date: DD/MM/YYYY, for example 12/03/2025.",
    "date-or-text": "A date (DD/MM/YYYY) or words, for example ongoing.",
    "bool": "Pick Yes or No.",
    "score": "A whole number from 0 (unsafe) to 10 (safe).",
    "child": "Pick the child's id (from the Children sheet).",
    "mtext": "Alt+Enter starts a new line.",
}


def _hint(answer: Answer) -> str:
    """What the answer needs, in plain words: its description, then what form it takes."""
    text = _sentence(answer.help)
    if answer.fixed:
        return "Filled in by sos-reports; leave as it is."
    if answer.many and answer.kind == "child":
        kind_hint = "The children's ids, separated by commas, for example maisie, leo."
    elif answer.many and answer.kind == "choice":
        kind_hint = (
            "One or more of: " + ", ".join(answer.labels.values()) + " (separated by commas)."
        )
    elif answer.kind == "choice":
        kind_hint = "Pick from the list."
    elif answer.kind == "number":
        kind_hint = f"A whole number of {answer.minimum or 0} or more."
    else:
        kind_hint = _KIND_HINTS.get(answer.kind, "")
    if kind_hint and kind_hint.lower().rstrip(".") in text.lower():
        kind_hint = ""
    if answer.kind == "score" and "to 10" in text:
        kind_hint = "A whole number."
    if answer.kind == "bool" and "yes or no" in text.lower():
        kind_hint = ""  # the description says it already, and the cell has the list
    return (text + kind_hint).strip()


def _prompt(answer: Answer, table: bool) -> str:
    text = _hint(answer) or "Text, on one line."
    if answer.required and not answer.fixed:
        text += " Required in every row you use." if table else " Required."
    return _clip(text.strip(), PROMPT_LIMIT)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _width(answer: Answer) -> float:
    if answer.kind == "choice" and not answer.many:
        base = min(max((len(x) for x in answer.labels.values()), default=12) + 3, 34)
    elif answer.many:
        base = 18
    else:
        base = COLUMN_WIDTHS.get(answer.kind, 22)
    # Headers wrap, but a single word should not be broken across lines.
    longest_word = max((len(w) for w in answer.label.split()), default=0)
    return max(base, longest_word + 3)


def _header_text(text: str) -> str:
    # & starts a code in a page header; && prints one.
    return text.replace("&", "&&")


def _due_date(tree: dict[str, Any], sheets: tuple[Sheet, ...]) -> str | None:
    """The due date of this report, when the pre-filled conference gives enough to know it."""
    conference = next(
        (s for s in sheets if isinstance(s, Form) and s.base == ("conference",)), None
    )
    if conference is None:
        return None
    found = {a.keys: a for a in conference.answers()}
    try:
        day = found[("date",)].convert(_dig(tree, ("conference", "date")))
        kind = found[("type",)].convert(_dig(tree, ("conference", "type")))
    except (KeyError, ValidationError):
        return None
    if not isinstance(day, dt.date) or kind is None:
        return None
    from sos_reports.deadlines import DueDays, working_days_before
    from sos_reports.formatting import long_date

    return long_date(working_days_before(day, DueDays().for_conference(str(kind))))
