"""Finding and changing workbook cells the way a practitioner would, by the words on the sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from sos_reports.commands.forms import convert
from tests.helpers.examples import example_path

# --- helpers: find cells the way a practitioner would, by the words on the sheet -------------


def answer_cell(wb: Workbook, sheet: str, label: str) -> str:
    """The answer cell beside a label on a form sheet, e.g. `Report date *` -> `B4`."""
    ws = wb[sheet]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == label:
            return f"B{row}"
    raise AssertionError(f"no label {label!r} on {sheet}")


def table_cell(wb: Workbook, sheet: str, header: str, entry: int) -> str:
    """The cell of a table column for its n-th row, e.g. `Score *`, 0 -> `B5`."""
    ws = wb[sheet]
    for row in ws.iter_rows(min_row=1, max_row=10):
        for cell in row:
            if cell.value == header:
                return f"{cell.column_letter}{cell.row + 1 + entry}"
    raise AssertionError(f"no header {header!r} on {sheet}")


def saved(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def example_workbook(tmp_path: Path, kind: str = "icpc") -> Path:
    """The workbook pre-filled from the example, as `sos-reports convert` writes it."""
    target = tmp_path / f"{kind}.xlsx"
    convert(example_path(kind), target)
    return target


def edited(path: Path, changes: dict[str, Any]) -> Path:
    """The workbook with `Sheet!Cell` values changed, as someone typing in Excel would."""
    wb = load_workbook(path)
    for where, value in changes.items():
        sheet, cell = where.split("!")
        wb[sheet][cell] = value
    wb.save(path)
    return path
