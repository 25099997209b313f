"""The Excel input workbook: a form, generated from the model, that practitioners fill in.

Every sheet, label, dropdown and prompt comes from the forms layout (forms/layout.py, a walk
of the kind's pydantic model), so a field added there appears here without an edit; the
workbook reader uses the same layout. Each answer cell and each table column carries a workbook-level defined
name made from its key path (`sos__conference__date`, `sos__children__id`): Excel and
LibreOffice move defined names with their cells when rows are inserted, so the reader finds
every value without depending on row numbers or on the wording of a label.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import absolute_coordinate
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from sos_reports.errors import SosError
from sos_reports.inputs.forms import layout
from sos_reports.inputs.forms.layout import (
    Answer,
    Keys,
    Part,
    Pointer,
    Section,
    Table,
    hint,
    plan,
    sentence,
)
from sos_reports.kinds import KINDS, get_kind
from sos_reports.model.types import ChoiceValue
from sos_reports.support.tree import as_list, dig

# Bumped when the reader could no longer read older workbooks the same way.
LAYOUT_VERSION = 1
MAP_SHEET = "_map"
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
MAP_MARK = "sos-reports input workbook"
CHILD_IDS = "sos_child_ids"
NAME_PREFIX = "sos__"

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


# The workbook's own words for some kinds of value (forms/layout.py has the rest).
KIND_HINTS = {
    "child": "Pick the child's id (from the Children sheet).",
    "mtext": "Alt+Enter starts a new line.",
}


def name_of(keys: Keys) -> str:
    """The defined name of the cell or column holding the value at `keys`."""
    return NAME_PREFIX + "__".join(keys)


def column_name(table: Table, answer: Answer) -> str:
    return name_of(table.loc + (answer.keys or ()))


# --- writing the workbook --------------------------------------------------------------------


def write_workbook(kind: str, handle: IO[bytes], tree: dict[str, Any] | None = None) -> None:
    """Write the input workbook for `kind` into an open binary file."""
    from io import BytesIO

    from sos_reports.support.ooxml import tidy_workbook

    # openpyxl's own file makes Excel offer a repair: it is tidied before it is written.
    saved = BytesIO()
    build_workbook(kind, tree).save(saved)
    handle.write(tidy_workbook(saved.getvalue()))


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
            for c in as_list(tree.get("children"))
            if isinstance(c, dict) and c.get("id") is not None and str(c["id"]).strip()
        ]

    def build(self) -> Workbook:
        sheets = plan(self.kind)
        instructions = self.wb.active
        instructions.title = INSTRUCTIONS_SHEET
        self.lists_ws = self.wb.create_sheet(LISTS_SHEET)
        for sheet in sheets:
            ws = self.wb.create_sheet(sheet.name, index=len(self.wb.sheetnames) - 1)
            if isinstance(sheet, Section):
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

    def _form(self, ws: Worksheet, form: Section) -> None:
        intro = sentence(form.help)
        intro += (
            "Type your answers in the coloured cells of column B; click one to see what it "
            "needs. * marks a required answer."
        )
        for letter, width in FORM_WIDTHS.items():
            ws.column_dimensions[letter].width = width
        self._heading(ws, form.title, intro, len(FORM_WIDTHS))
        block = dig(self.tree, form.base) if form.base else self.tree
        for row, item in enumerate(form.rows, start=FORM_FIRST_ROW):
            if isinstance(item, Pointer):
                self._text(ws, row, 1, item.label, font=_BOLD)
                link = self._text(
                    ws, row, 2, f"On the sheet '{item.table.name}' →", font=_LINK_FONT
                )
                link.hyperlink = f"#{quote_sheetname(item.table.name)}!A1"
                if item.help:
                    self._text(ws, row, 3, sentence(item.help).strip(), font=_HINT_FONT)
                continue
            self._text(ws, row, 1, item.label, font=_BOLD)
            value = dig(block, item.keys)
            if item.fixed:
                value = self.tree.get(item.keys[-1])
            where = f"{get_column_letter(2)}{row}"
            self._answer_cell(ws, row, 2, item, value, ".".join(form.base + item.keys))
            self._validate(ws, item, where, table=False)
            words = hint(item, KIND_HINTS)
            if words:
                self._text(ws, row, 3, words, font=_HINT_FONT)
            self._name(name_of(form.base + item.keys), ws, where)
        self._set_heights(ws)
        self._protect(ws, landscape=True)

    # -- a list as a table -------------------------------------------------------------------

    def _table(self, ws: Worksheet, table: Table) -> None:
        intro = sentence(table.help) + (
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
                value = dig(entries[offset], answer.keys) if offset < len(entries) else None
                where = ".".join(table.loc) + f"[{offset}]"
                self._answer_cell(ws, first + offset, number, answer, value, where)
            body = f"{letter}{first}:{letter}{last}"
            self._validate(ws, answer, body, table=True)
            # The column's name takes in the header, so that a row inserted just under the
            # header is inside the range and Excel widens the name to hold it.
            self._name(column_name(table, answer), ws, f"{letter}{HEADER_ROW}:{letter}{last}")
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
                key = dig(entry, parent_key)
                for sub in as_list(dig(entry, table.keys_in_parent)):
                    if isinstance(sub, dict):
                        rows.append({**sub, layout.PARENT_KEY: key})
            return rows
        entries = as_list(dig(self.tree, table.loc))
        if not table.scalar:
            entries = [e for e in entries if isinstance(e, dict)]
        first = table.columns[0]
        if not entries and table.required and table.per_child:
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
        if answer.value_type == "date" or (
            answer.value_type == "date-or-text" and isinstance(shown, dt.date)
        ):
            cell.number_format = DATE_FORMAT
        elif answer.value_type in ("text", "child", "choice", "bool") and not answer.fixed:
            cell.number_format = TEXT_FORMAT

    def _validate(self, ws: Worksheet, answer: Answer, where: str, *, table: bool) -> None:
        """A dropdown or range check where Excel can make one, and a prompt on every cell."""
        options: dict[str, Any] = {}
        kind = answer.value_type
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

    def _instructions(self, ws: Worksheet, sheets: tuple[Part, ...]) -> None:
        kind = KINDS[self.kind]
        from sos_reports.support.deadlines import DueDays

        days = DueDays().described(kind.conference_types)
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


def _to_cell(answer: Answer, value: Any) -> Any:
    """A tree value as the cell shows it: a date as a date, a choice by its label, ..."""
    if value is None:
        return None
    if answer.many:
        items = value if isinstance(value, list) else [value]
        shown = [_one(answer, item) for item in items if item is not None]
        separator = ", " if answer.value_type in ("child", "choice") else "\n"
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
    if answer.value_type in ("text", "mtext", "child") and isinstance(value, str):
        return value  # what was typed, spaces and all; the check trims it
    return out


def _prompt(answer: Answer, table: bool) -> str:
    text = hint(answer, KIND_HINTS) or "Text, on one line."
    if answer.required and not answer.fixed:
        text += " Required in every row you use." if table else " Required."
    return _clip(text.strip(), PROMPT_LIMIT)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _width(answer: Answer) -> float:
    if answer.value_type == "choice" and not answer.many:
        base = min(max((len(x) for x in answer.labels.values()), default=12) + 3, 34)
    elif answer.many:
        base = 18
    else:
        base = COLUMN_WIDTHS.get(answer.value_type, 22)
    # Headers wrap, but a single word should not be broken across lines.
    longest_word = max((len(w) for w in answer.label.split()), default=0)
    return max(base, longest_word + 3)


def _header_text(text: str) -> str:
    # & starts a code in a page header; && prints one.
    return text.replace("&", "&&")


def _due_date(tree: dict[str, Any], sheets: tuple[Part, ...]) -> str | None:
    """The due date of this report, when the pre-filled conference gives enough to know it."""
    conference = next(
        (s for s in sheets if isinstance(s, Section) and s.base == ("conference",)), None
    )
    if conference is None:
        return None
    found = {a.keys: a for a in conference.answers()}
    try:
        day = found[("date",)].convert(dig(tree, ("conference", "date")))
        kind = found[("type",)].convert(dig(tree, ("conference", "type")))
    except (KeyError, ValidationError):
        return None
    if not isinstance(day, dt.date) or kind is None:
        return None
    from sos_reports.support.deadlines import DueDays
    from sos_reports.support.formatting import long_date

    return long_date(DueDays().due(str(kind), day)[1])
