"""The Word form in LibreOffice Writer: filled and saved there, it still reads back whole.

LibreOffice 7.4 keeps the content controls when it saves a .docx but drops their tags (and
the titles of all but plain text ones); the reader then places each answer by the heading
and label beside it. A script can set LibreOffice's rich text (free text), date, dropdown
and check box controls through UNO, not its plain text ones, so the one-line answers are
typed as Word leaves them and the rest are filled in LibreOffice. Marked `pdf`: these need LibreOffice (and its
`uno` module for the system Python), as the PDF tests do, and run in CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sos_reports.checks.validation import check
from sos_reports.commands.reports import fill
from sos_reports.inputs.read import read_input
from tests.helpers.docx_xml import docx_parts, docx_text
from tests.helpers.examples import ROOT, example_path, example_tree
from tests.helpers.kinds import KINDS
from tests.helpers.word_form import (
    NS,
    as_date,
    blank_form,
    document,
    save_document,
    type_into,
    value_at,
)

pytestmark = pytest.mark.pdf


def _in_libreoffice(sdt: object) -> bool:
    """A control LibreOffice 7.4 lets a script set: all but plain text ones."""
    props = sdt.find("w:sdtPr", NS)  # type: ignore[attr-defined]
    return props.find("w:text", NS) is None


def _for_libreoffice(sdt: object, value: object) -> object:
    props = sdt.find("w:sdtPr", NS)  # type: ignore[attr-defined]
    if value is None or value == []:
        return None
    if props.find("w14:checkbox", NS) is not None:
        return str(value).lower() in {"yes", "y", "true"}
    if props.find("w:date", NS) is not None:
        day = as_date(str(value))
        return [f"{day:%d/%m/%Y}", day.isoformat()]
    for item in props.findall("w:dropDownList/w:listItem", NS):
        if item.get(f"{{{NS['w']}}}value").lower() == str(value).strip().lower():
            return item.get(f"{{{NS['w']}}}displayText")
    return str(value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_form_filled_and_saved_in_libreoffice_reads_back_to_the_example(
    tmp_path: Path, kind: str, uno_python: str
) -> None:
    tree = example_tree(kind)
    form = blank_form(tmp_path, kind)
    root = document(form)
    values = []
    for sdt in root.iter(f"{{{NS['w']}}}sdt"):
        tag = sdt.find("w:sdtPr/w:tag", NS).get(f"{{{NS['w']}}}val")
        value = None if tag in ("kind", "format_version") else value_at(tree, tag)
        if _in_libreoffice(sdt):
            values.append(_for_libreoffice(sdt, value))
        elif value is not None and value != []:
            type_into(sdt, value)
    typed = save_document(form, root, tmp_path / "typed.docx")
    (tmp_path / "values.json").write_text(json.dumps(values), "utf-8")
    saved = tmp_path / "saved-in-libreoffice.docx"
    done = subprocess.run(
        [
            uno_python,
            str(ROOT / "tests" / "helpers" / "libreoffice_fill.py"),
            str(typed),
            str(saved),
            str(tmp_path / "values.json"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # LibreOffice 7.4 has dropped every tag: the answers are placed by headings and labels.
    # (A LibreOffice that keeps them fails this line: then say so in docs/decisions.md.)
    assert b"w:tag" not in docx_parts(saved)["word/document.xml"]
    source = read_input(saved)
    from_form, from_yaml = check(source), check(read_input(example_path(kind)))
    assert [str(f) for f in from_form.errors] == []
    assert from_form.model == from_yaml.model
    report_form = fill(saved, tmp_path / "from-form.docx")
    report_yaml = fill(example_path(kind), tmp_path / "from-yaml.docx")
    assert docx_text(Path(report_form.written[0])) == docx_text(Path(report_yaml.written[0]))
