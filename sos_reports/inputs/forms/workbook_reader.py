"""Reads a filled Excel input workbook back into the plain tree that a YAML file gives.

The workbook's layout is the forms layout (forms/layout.py): each answer cell and table column is found by
its defined name, so inserted rows, moved labels and renamed sheets do not matter, and
every value's cell is recorded so that findings name `Sheet!Cell`. Values are turned into
what the YAML reader would give (text as typed, dates as dates) and left to the model to
judge, so that one run reports every problem. What the model cannot see is reported here,
all at once: a formula whose result was never saved, an Excel error value, and anything
typed outside the form, which would otherwise never reach the report.

The file is only read, never saved: it is checked as a zip (forms/container.py: size,
compression ratio) before openpyxl parses it, so a hostile file fails fast and small.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.escape import unescape

from sos_reports.errors import Finding, ReadError
from sos_reports.inputs.container import WORKBOOK, check_package
from sos_reports.inputs.forms.layout import Answer, Section, Table, plan
from sos_reports.inputs.forms.workbook_writer import (
    LAYOUT_VERSION,
    MAP_MARK,
    MAP_SHEET,
    column_name,
    name_of,
)
from sos_reports.inputs.source import Source
from sos_reports.kinds import KINDS
from sos_reports.model.types import shown
from sos_reports.support.tree import Loc, block_at, dig, path_of, put

ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
# In a column that takes a date or words, a number is read as a date only in this range of
# serial numbers (1950 to 2100); anything else is more likely a number someone typed.
PLAUSIBLE_SERIALS = (18264, 73415)
# Past this many, the cells typed outside the form on one sheet are counted, not listed.
MAX_STRAYS = 20
_LIST_SEPARATORS = {"child": r"[,;\n]", "choice": r"[,;\n]"}
_MOVE_IT = (
    "move it into an answer cell or a table row (to add a row, right-click a row number "
    "inside the table and choose Insert)"
)


class _Blank:
    """No value: an empty cell, or one of only spaces."""


BLANK = _Blank()


def read_workbook(path: Path) -> Source:
    """Read an input workbook made by `sos-reports new`, or raise ReadError / InputError."""
    path = Path(path)
    check_package(path, WORKBOOK)
    uncomputed = _formulas_without_results(path)
    workbook = _open(path)
    kind, texts = _layout(workbook, path)
    return _Reader(path, workbook, kind, texts, uncomputed).read()


# --- the file itself --------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# The start of a formula element (`<f>`, `<f t="shared" ...>`, `<x:f/>`): a sheet without
# one is not parsed. Not `<formula1>` of a data validation, which nearly every sheet has.
_FORMULA_TAG = re.compile(rb"<(?:[^\s<>/]*:)?f[\s/>]")


def _formulas_without_results(path: Path) -> set[tuple[str, str]]:
    """(sheet, cell) of each formula with no saved result.

    openpyxl's data_only mode gives None both for those and for an empty cell, so the
    worksheet XML is read for them; a sheet without formulas costs one byte search.
    """
    found: set[tuple[str, str]] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            for part, title in _sheet_parts(archive).items():
                try:
                    data = archive.read(part)
                except KeyError:
                    continue
                if not _FORMULA_TAG.search(data):
                    continue
                for _event, element in ElementTree.iterparse(io.BytesIO(data)):
                    if _local(element.tag) != "c":
                        continue
                    parts = {_local(child.tag): child for child in element}
                    if "f" in parts and element.get("r") and not _has_result(element, parts):
                        found.add((title, str(element.get("r"))))
                    element.clear()
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError, KeyError):
        # openpyxl opens the file next and says what is wrong with it.
        return found
    return found


def _has_result(cell: ElementTree.Element, parts: dict[str, ElementTree.Element]) -> bool:
    # An empty result is a saved empty text only in a cell of type "str"; elsewhere (as
    # openpyxl and other scripts write formulas) it means nothing was ever calculated.
    value = parts.get("v")
    return value is not None and (bool(value.text) or cell.get("t") == "str")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """The worksheet parts of a workbook and the sheets' names."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): str(r.get("Target")) for r in rels if _local(r.tag) == "Relationship"}
    parts: dict[str, str] = {}
    for element in book.iter():
        if _local(element.tag) != "sheet":
            continue
        rel = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rel)
        if target is None:
            continue
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        parts[part] = str(element.get("name"))
    return parts


def _open(path: Path) -> Any:
    # openpyxl warns about parts it drops on load (Excel's validation extensions, ...):
    # harmless here, as the file is only read and never saved.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load_workbook(path, data_only=True, keep_links=False, keep_vba=False)
        except Exception as exc:  # openpyxl raises many kinds for a malformed part
            raise ReadError(
                f"cannot be read as an Excel workbook: {exc}", source=str(path)
            ) from None


def _layout(workbook: Any, path: Path) -> tuple[str, set[str]]:
    """The kind the workbook was made for, and the words of its labels and help."""
    if MAP_SHEET not in workbook.sheetnames or workbook[MAP_SHEET]["A1"].value != MAP_MARK:
        raise ReadError(
            "is not a workbook made by `sos-reports new`, so its cells cannot be matched to "
            "the report: start from `sos-reports new KIND -o form.xlsx`",
            source=str(path),
        )
    ws = workbook[MAP_SHEET]
    if ws["B1"].value != LAYOUT_VERSION:
        raise ReadError(
            f"was made by another version of sos-reports (layout {ws['B1'].value!r}; this "
            f"version reads layout {LAYOUT_VERSION}): make a new one with `sos-reports new`",
            source=str(path),
        )
    kind = ws["B2"].value
    if kind not in KINDS:
        raise ReadError(f"names an unknown report kind {kind!r} in its layout", source=str(path))
    texts = {
        unescape(str(row[0]))
        for row in ws.iter_rows(min_row=4, max_col=1, values_only=True)
        if row[0] is not None
    }
    return kind, texts


# --- the values -------------------------------------------------------------------------------


@dataclass
class _Place:
    ws: Any
    column: int
    first: int
    last: int


@dataclass
class _Row:
    values: dict[int, Any]  # by column position in the table
    cells: dict[int, str]


class _Reader:
    def __init__(
        self,
        path: Path,
        workbook: Any,
        kind: str,
        texts: set[str],
        uncomputed: set[tuple[str, str]],
    ) -> None:
        self.path = path
        self.wb = workbook
        self.kind = kind
        self.texts = texts
        self.uncomputed = uncomputed
        self.cells: dict[Loc, str] = {}
        self.problems: list[Finding] = []
        self.read_cells: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self._max_rows: dict[str, tuple[int, int]] = {}
        self._merged: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}

    def read(self) -> Source:
        tree: dict[str, Any] = {}
        for sheet in plan(self.kind):
            if isinstance(sheet, Section):
                self._form(sheet, tree)
            elif sheet.parent is None:
                self._table(sheet, tree)
        self._strays()
        # Problems only the workbook can show (formulas, error values, stray cells) are
        # reported with the model's own findings, in one run.
        return Source(path=self.path, tree=tree, cells=self.cells, findings=self.problems)

    # -- where things are ----------------------------------------------------------------------

    def _place(self, name: str) -> _Place | None:
        """Where a defined name points now (rows may have been inserted since)."""
        defined = self.wb.defined_names.get(name)
        if defined is None:
            return None
        try:
            destinations = list(defined.destinations)
        except Exception:  # a name broken by deleting its cells reads as #REF!
            return None
        if len(destinations) != 1:
            return None
        # openpyxl leaves a quoted sheet name's doubled apostrophe ('Child''s voice') as is.
        title, ref = destinations[0][0].replace("''", "'"), destinations[0][1]
        if title not in self.wb.sheetnames:
            return None
        ws = self.wb[title]
        column, first, _, last = range_boundaries(ref.replace("$", ""))
        first = first or 1
        # A name stretched over a whole column must not make us walk a million empty rows.
        max_row = self._max_row(ws)
        return _Place(ws, column, first, min(last or max_row, max(max_row, first)))

    def _max_row(self, ws: Any) -> int:
        """`ws.max_row`, which openpyxl counts afresh over every cell at each call: kept
        until the sheet gains a cell (reading an empty position makes one)."""
        count = len(ws._cells)
        kept = self._max_rows.get(ws.title)
        if kept is None or kept[0] != count:
            kept = self._max_rows[ws.title] = (count, ws.max_row)
        return kept[1]

    @staticmethod
    def _where(ws: Any, row: int, column: int) -> str:
        return f"{ws.title}!{get_column_letter(column)}{row}"

    def _problem(self, where: str, loc: Loc | str, message: str, label: str | None = None) -> None:
        path = loc if isinstance(loc, str) else path_of(loc)
        finding = Finding("error", path, message, cell=where, code="read", label=label)
        self.problems.append(finding)

    def _origin(self, ws: Any, row: int, column: int) -> tuple[int, int]:
        """The cell holding the value shown at (row, column).

        A cell merged down a column shows its top cell's value on every row (one "who"
        for two steps), so each row takes it. Across columns, a merge covers other answers,
        which stay blank rather than take a value that was never meant for them.
        """
        merged = self._merged.get(ws.title)
        if merged is None:
            merged = {}
            for bounds in ws.merged_cells.ranges:
                for r in range(bounds.min_row, bounds.max_row + 1):
                    merged[(r, bounds.min_col)] = (bounds.min_row, bounds.min_col)
            self._merged[ws.title] = merged
        return merged.get((row, column), (row, column))

    # -- one cell ------------------------------------------------------------------------------

    def _value(self, ws: Any, row: int, column: int, answer: Answer, loc: Loc) -> Any:
        self.read_cells[ws.title].add((row, column))
        where = self._where(ws, row, column)
        origin_row, origin_column = self._origin(ws, row, column)
        cell = ws.cell(row=origin_row, column=origin_column)
        if (ws.title, cell.coordinate) in self.uncomputed:
            self._problem(
                where,
                loc,
                "holds a formula whose result was never saved (the file was not saved by a "
                "spreadsheet program since); type the value itself instead of the formula",
                answer.label.rstrip(" *"),
            )
            return BLANK
        raw = cell.value
        if cell.data_type == "e" or (cell.data_type != "s" and raw in ERROR_VALUES):
            self._problem(
                where,
                loc,
                f"shows the Excel error {raw} instead of a value; type the value itself",
                answer.label.rstrip(" *"),
            )
            return BLANK
        if raw is None:
            return BLANK
        if isinstance(raw, str):
            if "_x" in raw:  # what unescape looks for, found without its per-call set-up
                raw = unescape(raw)
            if not raw.strip():
                return BLANK
        return _convert(raw, answer, self.wb.epoch)

    # -- a block -------------------------------------------------------------------------------

    def _form(self, form: Section, tree: dict[str, Any]) -> None:
        block = block_at(tree, form.base) if form.base else tree
        first: str | None = None
        for answer in form.answers():
            loc = form.base + answer.keys
            place = self._place(name_of(loc))
            if place is None:
                continue
            where = self._where(place.ws, place.first, place.column)
            self.cells[loc] = where
            first = first or where
            value = self._value(place.ws, place.first, place.column, answer, loc)
            if value is not BLANK:
                put(block, answer.keys, value)
        _ensure_required_blocks(block, form.answers())
        if form.base and first is not None:
            self.cells[form.base] = first

    # -- a list --------------------------------------------------------------------------------

    def _rows(self, table: Table, indexed: bool = True) -> tuple[str | None, list[_Row]]:
        """The table's header cell and its rows that hold anything (blank rows skipped).

        With `indexed`, a cell's problem is placed at the entry its row becomes (the rows
        before it that hold anything, counted); a sub-table's rows are placed by their key
        later, so theirs name the list only.
        """
        columns = table.all_columns()
        places = [self._place(column_name(table, a)) for a in columns]
        located = [(i, p) for i, p in enumerate(places) if p is not None]
        if not located:
            return None, []
        header = min(p.first for _, p in located)
        last = max(p.last for _, p in located)
        for _, place in located:
            self.read_cells[place.ws.title].add((place.first, place.column))
        corner = located[0][1]
        rows: list[_Row] = []
        for row in range(header + 1, last + 1):
            values: dict[int, Any] = {}
            cells: dict[int, str] = {}
            for i, place in located:
                cells[i] = self._where(place.ws, row, place.column)
                entry = (len(rows),) if indexed else ()
                loc = (*table.loc, *entry, *columns[i].keys)
                value = self._value(place.ws, row, place.column, columns[i], loc)
                if value is not BLANK:
                    values[i] = value
            if values:
                rows.append(_Row(values, cells))
        return self._where(corner.ws, header, corner.column), rows

    def _entry(self, table: Table, row: _Row, base: Loc) -> Any:
        """One row as an entry of the list; records the cell of each of its fields."""
        offset = 1 if table.link is not None else 0
        if table.scalar:
            self.cells[base] = row.cells[offset]
            return row.values.get(offset)
        entry: dict[str, Any] = {}
        self.cells[base] = row.cells[0]
        for i, answer in enumerate(table.columns, start=offset):
            where = row.cells.get(i)
            if where is None:
                continue
            self.cells[base + answer.keys] = where
            for depth in range(1, len(answer.keys)):
                self.cells.setdefault(base + answer.keys[:depth], where)
            if i in row.values:
                put(entry, answer.keys, row.values[i])
        _ensure_required_blocks(entry, table.columns)
        return entry

    def _table(self, table: Table, tree: dict[str, Any]) -> None:
        header, rows = self._rows(table)
        if header is not None:
            self.cells[table.loc] = header
        entries = [self._entry(table, row, (*table.loc, i)) for i, row in enumerate(rows)]
        if entries or table.required:
            put(tree, table.loc, entries)
        for sub in table.subtables:
            self._subtable(sub, table, entries)

    def _subtable(self, sub: Table, parent: Table, entries: list[Any]) -> None:
        """Rows of a list inside each entry (a child's admissions), matched by their key."""
        header, rows = self._rows(sub, indexed=False)
        key_keys = parent.columns[0].keys
        index: dict[str, int] = {}
        for i, entry in enumerate(entries):
            key = dig(entry, key_keys)
            if key is not None:
                index.setdefault(str(key).strip(), i)
            if header is not None:
                self.cells[(*parent.loc, i, *sub.keys_in_parent)] = header
        found: dict[int, list[Any]] = defaultdict(list)
        label = parent.columns[0].label.rstrip(" *").lower()
        for row in rows:
            key = row.values.get(0)
            if key is None:
                self._problem(
                    row.cells[0],
                    sub.loc,
                    f"is blank, but the row has values: say which {label} the row is for",
                )
                continue
            found_at = index.get(str(key).strip())
            if found_at is None:
                self._problem(
                    row.cells[0],
                    sub.loc,
                    f"{shown(key)} has no row on the sheet '{parent.name}': add one there, "
                    "or correct this one",
                )
                continue
            base: Loc = (*parent.loc, found_at, *sub.keys_in_parent, len(found[found_at]))
            found[found_at].append(self._entry(sub, row, base))
        for i, entry in enumerate(entries):
            if found.get(i) or sub.required:
                put(entry, sub.keys_in_parent, found.get(i, []))

    # -- anything else ---------------------------------------------------------------------------

    def _strays(self) -> None:
        """Values typed where the form does not read: reported, never dropped in silence."""
        for ws in self.wb.worksheets:
            if ws.title == MAP_SHEET:
                continue
            read = self.read_cells.get(ws.title, set())
            strays = []
            # The cells the file holds; iter_rows would make one for every empty position.
            for (row, column), cell in sorted(ws._cells.items()):
                value = cell.value
                if value is None or (row, column) in read:
                    continue
                if isinstance(value, str):
                    text = unescape(value)
                    if not text.strip() or text in self.texts:
                        continue
                strays.append((self._where(ws, row, column), value))
            for where, value in strays[:MAX_STRAYS]:
                self._problem(
                    where,
                    "",
                    f"holds {shown(value)} outside the form, where it would not reach the "
                    f"report: {_MOVE_IT}",
                )
            if len(strays) > MAX_STRAYS:
                self._problem(
                    strays[MAX_STRAYS][0],
                    "",
                    f"and {len(strays) - MAX_STRAYS} more cells of the sheet '{ws.title}' hold "
                    "values outside the form",
                )


# --- conversions ----------------------------------------------------------------------------


def _convert(raw: Any, answer: Answer, epoch: dt.datetime) -> Any:
    """A cell's value as the YAML reader would give it; the model judges it after."""
    kind = answer.value_type
    if answer.many:
        separator = _LIST_SEPARATORS.get(kind, r"\n")
        parts = re.split(separator, _as_text(raw))
        return [p.strip() for p in parts if p.strip()]
    if kind == "date":
        return _as_date(raw, epoch, (1, 2958465))
    if kind == "date-or-text":
        value = _as_date(raw, epoch, PLAUSIBLE_SERIALS)
        return value if isinstance(value, dt.date) else _as_text(raw)
    if kind in ("bool", "score", "number"):
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if kind == "choice" and isinstance(raw, bool):
        return "yes" if raw else "no"
    return _as_text(raw)


def _as_date(raw: Any, epoch: dt.datetime, serials: tuple[int, int]) -> Any:
    if isinstance(raw, dt.datetime):
        # A time of day stays, for the model to say that only a date is wanted.
        return raw.date() if raw.time() == dt.time() else raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if serials[0] <= raw <= serials[1]:
            # A date typed into a cell of General format, or pasted as a value: a serial
            # number, counted from 1900 or (a workbook from an old Mac) from 1904.
            day = from_excel(raw, epoch)
            return day.date() if day.time() == dt.time() else day
        return _as_text(raw)
    return raw


def _as_text(raw: Any) -> str:
    """A value as the text the cell shows: a phone typed as a number keeps its digits."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, dt.datetime):
        return f"{raw:%d/%m/%Y}" if raw.time() == dt.time() else f"{raw:%d/%m/%Y %H:%M}"
    if isinstance(raw, dt.date):
        return f"{raw:%d/%m/%Y}"
    if isinstance(raw, dt.time):
        return f"{raw:%H:%M}" if raw.second == 0 else f"{raw:%H:%M:%S}"
    return str(raw)


# --- the tree ---------------------------------------------------------------------------------


def _ensure_required_blocks(entry: dict[str, Any], answers: Any) -> None:
    # A required block inside an entry (a carer's mental health) is given even when blank,
    # so that each missing answer in it is reported at its own cell.
    for answer in answers:
        if len(answer.keys) > 1 and answer.required:
            block_at(entry, answer.keys[:-1])
