"""Fills a Word form's content controls in LibreOffice Writer, and saves it as .docx.

Run by the tests with the system Python that has LibreOffice's `uno` module:
`python3 tests/helpers/libreoffice_fill.py FORM.docx OUT.docx VALUES.json`. VALUES is a list with one
item per content control LibreOffice shows (rich text, dates, dropdowns, check boxes), in document
order: null to leave it, true/false for a check box, the text to type (a line break as
`\n`) or to show for a dropdown, or [text, "YYYY-MM-DD"] for a date. LibreOffice runs headless with its own profile folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uno  # type: ignore[import-not-found]  # noqa: F401  (makes com.sun.star importable)
from com.sun.star.text.ControlCharacter import LINE_BREAK  # type: ignore[import-not-found]
from libreoffice_session import edit  # beside this script


def controls(text: object) -> list[object]:
    """The content controls of a text, tables cell by cell, in document order."""
    found: list[object] = []
    paragraphs = text.createEnumeration()  # type: ignore[attr-defined]
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        if paragraph.supportsService("com.sun.star.text.TextTable"):
            columns = paragraph.getColumns().getCount()
            for row in range(1, paragraph.getRows().getCount() + 1):
                for column in range(columns):
                    cell = paragraph.getCellByName(f"{chr(65 + column)}{row}")
                    if cell is not None:
                        found += controls(cell.getText())
            continue
        portions = paragraph.createEnumeration()
        while portions.hasMoreElements():
            portion = portions.nextElement()
            if portion.TextPortionType == "ContentControl":
                found.append(portion.ContentControl)
    return found


def main(form: str, out: str, values_path: str) -> None:
    values = json.loads(Path(values_path).read_text("utf-8"))

    def fill(document: object) -> None:
        found = controls(document.getText())
        if len(found) != len(values):
            raise SystemExit(f"LibreOffice shows {len(found)} controls, {len(values)} values given")
        for control, value in zip(found, values, strict=True):
            if value is None:
                continue
            if control.Checkbox:
                control.Checked = bool(value)
                continue
            text, day = (value, None) if isinstance(value, str) else value
            # Select what the control shows (its placeholder) and type over it, as a user does.
            shown = len(control.getAnchor().getString())
            cursor = control.createTextCursor()
            cursor.gotoStart(False)
            cursor.goRight(shown, True)
            cursor.setString("")
            for number, line in enumerate(text.split("\n")):
                if number:  # a line break, as Shift+Enter types it
                    control.insertControlCharacter(cursor, LINE_BREAK, False)
                control.insertString(cursor, line, False)
            if day:
                control.CurrentDate = f"{day}T00:00:00Z"
            control.ShowingPlaceHolder = False

    edit(form, out, fill)


if __name__ == "__main__":
    main(*sys.argv[1:4])
