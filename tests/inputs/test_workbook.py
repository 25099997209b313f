"""The Excel input workbook: made from the model, filled in, read back to the same report."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel

from sos_reports.checks.validation import Checked, check
from sos_reports.commands.forms import new_input
from sos_reports.commands.reports import fill
from sos_reports.errors import ReadError
from sos_reports.inputs.forms.workbook_reader import read_workbook
from sos_reports.inputs.forms.workbook_writer import build_workbook, write_workbook
from sos_reports.inputs.read import Source, read_input
from sos_reports.kinds import KINDS as REGISTRY
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path
from tests.helpers.kinds import KINDS
from tests.helpers.workbook import (
    answer_cell,
    edited,
    example_workbook,
    saved,
    table_cell,
)


def problems(path: Path) -> dict[str, str]:
    """The errors of a workbook, by cell; the reader's and the checks' come in one run."""
    return {str(f.cell): f.message for f in checked(path).errors}


def checked(path: Path) -> Checked:
    return check(read_workbook(path))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_workbook_prefilled_from_an_example_reads_back_to_the_same_model(
    tmp_path: Path, kind: str
) -> None:
    path = example_workbook(tmp_path, kind)
    before = digest(path)
    result = checked(path)
    assert result.errors == []
    expected = check(read_input(example_path(kind)))
    assert result.model is not None and expected.model is not None
    assert result.model.model_dump() == expected.model.model_dump()
    assert [str(w) for w in result.warnings] == [str(w) for w in expected.warnings]
    assert digest(path) == before, "reading a workbook must never change it"


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_filled_from_the_workbook_is_the_report_filled_from_yaml(
    tmp_path: Path, kind: str
) -> None:
    workbook = example_workbook(tmp_path, kind)
    yaml_input = tmp_path / example_path(kind).name
    yaml_input.write_bytes(example_path(kind).read_bytes())
    before = digest(workbook)
    from_workbook = [Path(p) for p in fill(workbook).written]
    from_yaml = [Path(p) for p in fill(yaml_input).written]
    assert len(from_workbook) == len(from_yaml)
    for ours, theirs in zip(from_workbook, from_yaml, strict=True):
        assert docx_text(ours) == docx_text(theirs)
    assert digest(workbook) == before


def test_read_input_takes_a_workbook_and_records_the_cell_of_every_value(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    source = read_input(path)
    wb = load_workbook(path)
    assert source.tree["conference"]["date"] == dt.date(2025, 3, 12)
    assert source.cell(("conference", "date")) == "Conference!" + answer_cell(
        wb, "Conference", "Conference date *"
    )
    reason = table_cell(wb, "Scores", "Reason *", 1)
    assert source.cell(("scaling", "scores", 1, "reason")) == f"Scores!{reason}"
    assert source.cell(("scaling", "scores")) == "Scores!A4"
    # Text stays as typed: a phone with a leading zero, a time that is not a number.
    assert source.tree["author"]["phone"] == "01609 000111"
    assert source.tree["conference"]["time"] == "10:00"


def test_new_writes_a_workbook_prefilled_for_a_review(tmp_path: Path) -> None:
    out = tmp_path / "review.xlsx"
    new_input("rcpc", out, from_path=example_path("icpc"))
    tree = read_input(out).tree
    initial = read_input(example_path("icpc")).tree
    assert tree["kind"] == "rcpc"
    assert [c["name"] for c in tree["children"]] == [c["name"] for c in initial["children"]]
    assert [s["child"] for s in tree["scaling"]["scores"]] == ["maisie", "leo"]
    assert [s["previous"] for s in tree["scaling"]["scores"]] == [4, 3]


# --- a blank workbook ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_workbook_has_dropdowns_whole_number_and_date_checks(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "blank.xlsx"
    with path.open("wb") as handle:
        write_workbook(kind, handle)
    wb = load_workbook(path)
    counts: dict[str, int] = {}
    for ws in wb.worksheets:
        for validation in ws.data_validations.dataValidation:
            counts[validation.type or "any"] = counts.get(validation.type or "any", 0) + 1
            if validation.type == "list":
                formula = validation.formula1
                assert not formula.startswith('"') or len(formula) <= 255
            if validation.type == "whole" and validation.formula2 == "10":
                counts["score"] = counts.get("score", 0) + 1
            assert validation.prompt and len(validation.prompt) <= 255
            assert validation.promptTitle and len(validation.promptTitle) <= 32
    assert counts["list"] >= 10
    assert counts["score"] >= 1
    assert counts["date"] >= 8
    # Every answer cell is unlocked and has a prompt; every label is locked.
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.protection.sheet and not ws.protection.insertRows
        prompted = {
            str(cell)
            for validation in ws.data_validations.dataValidation
            for rng in validation.sqref.ranges
            for cell in _cells_of(rng.coord)
        }
        for row in ws.iter_rows():
            for cell in row:
                if cell.protection.locked:
                    continue
                assert cell.coordinate in prompted, f"{ws.title}!{cell.coordinate} has no prompt"
        if ws["A1"].value:
            assert ws["A1"].protection.locked


def _cells_of(coord: str) -> list[str]:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    low_col, low_row, high_col, high_row = range_boundaries(coord)
    return [
        f"{get_column_letter(c)}{r}"
        for c in range(low_col, high_col + 1)
        for r in range(low_row, high_row + 1)
    ]


def test_the_score_column_offers_zero_to_ten_and_the_child_column_the_childrens_ids(
    tmp_path: Path,
) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    score = table_cell(wb, "Scores", "Score *", 0)
    child = table_cell(wb, "Scores", "Child *", 0)
    rules = {
        cell: v
        for v in wb["Scores"].data_validations.dataValidation
        for rng in v.sqref.ranges
        for cell in _cells_of(rng.coord)
    }
    assert (rules[score].type, rules[score].formula1, rules[score].formula2) == ("whole", "0", "10")
    assert rules[child].type == "list"
    ids = wb.defined_names[rules[child].formula1]
    sheet, cells = next(iter(ids.destinations))
    assert sheet == "Children"
    assert [wb["Children"][c].value for c in _cells_of(cells.replace("$", ""))][:2] == [
        "maisie",
        "leo",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_validating_a_blank_workbook_lists_each_missing_field_by_its_cell(
    tmp_path: Path, kind: str
) -> None:
    path = saved(build_workbook(kind), tmp_path / "blank.xlsx")
    wb = load_workbook(path)
    result = checked(path)
    assert result.errors and {f.code for f in result.errors} == {"required"}
    cells = {f.path: f.cell for f in result.errors}
    assert cells["conference.date"] == "Conference!" + answer_cell(
        wb, "Conference", "Conference date *"
    )
    if "author" in REGISTRY[kind].model.model_fields:
        assert cells["author.name"] == "Author!" + answer_cell(wb, "Author", "Name *")
    else:  # the conference record: signed by the chair
        assert cells["sign_off.name"] == "Sign-off!" + answer_cell(wb, "Sign-off", "Signed by *")
    assert cells["worries.harm"] == "Worried!" + answer_cell(wb, "Worried", "Harm *")
    assert cells["children"] == "Children!A4"
    assert all(f.cell and re.fullmatch(r"[^!]+![A-Z]+\d+", f.cell) for f in result.errors)


# --- values as Excel holds them ---------------------------------------------------------------


def test_a_score_of_12_and_31_february_are_both_reported_with_their_cells(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    score = "Scores!" + table_cell(wb, "Scores", "Score *", 0)
    date = "Report!" + answer_cell(wb, "Report", "Report date *")
    result = checked(edited(path, {score: 12, date: "31/02/2026"}))
    messages = {f.cell: f.message for f in result.errors}
    assert "a whole number from 0 to 10" in messages[score]
    assert "not a real date" in messages[date]
    # The command line names the cell and the label the practitioner sees beside it.
    from click.testing import CliRunner

    from sos_reports.cli import cli

    out = CliRunner().invoke(cli, ["validate", str(path)]).stderr
    assert f"{score} (Score): a whole number from 0 to 10" in out
    assert f"{date} (Report date):" in out


def test_a_date_with_a_time_of_day_is_reported_not_rounded(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    date = "Report!" + answer_cell(load_workbook(path), "Report", "Report date *")
    result = checked(edited(path, {date: dt.datetime(2025, 3, 6, 14, 30)}))
    assert "time of day" in {f.cell: f.message for f in result.errors}[date]


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_a_date_typed_as_a_serial_number_or_as_uk_text_is_read_as_that_date(
    tmp_path: Path, epoch: dt.datetime | None
) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    if epoch is not None:
        wb.epoch = epoch
    report = answer_cell(wb, "Report", "Report date *")
    sent = answer_cell(wb, "Report", "Sent to the chair")
    wb["Report"][report] = int(to_excel(dt.datetime(2025, 3, 5), epoch or wb.epoch))
    wb["Report"][report].number_format = "General"
    wb["Report"][sent] = "6/3/2025"
    saved(wb, path)
    tree = read_workbook(path).tree
    assert tree["report"]["date"] == dt.date(2025, 3, 5)
    assert checked(path).model.report.sent_to_chair == dt.date(2025, 3, 6)  # type: ignore[union-attr]


def test_numbers_typed_in_text_fields_and_stored_as_text_are_both_read(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    phone = "Author!" + answer_cell(wb, "Author", "Phone *")
    nhs = "Children!" + table_cell(wb, "Children", "NHS number", 0)
    score = "Scores!" + table_cell(wb, "Scores", "Score *", 1)
    result = checked(edited(path, {phone: 1609000111, nhs: 9990273154.0, score: " 7 "}))
    assert result.errors == []
    assert result.model is not None
    assert result.model.author.phone == "1609000111"
    assert result.model.children[0].nhs_number == "9990273154"
    assert result.model.scaling.scores[1].score == 7


def test_a_formula_uses_the_result_excel_saved(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    phone = answer_cell(wb, "Author", "Phone *")
    wb["Author"][phone] = '="01609 " & "000999"'
    saved(wb, path)
    # Excel saves each formula with its result; openpyxl cannot, so the test writes it in.
    part = f"xl/worksheets/sheet{wb.sheetnames.index('Author') + 1}.xml"
    _rewrite_part(
        path,
        part,
        lambda xml: re.sub(
            rf'(<c r="{phone}"[^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)',
            r'\1 t="str"><f>\2</f><v>01609 000999</v>',
            xml,
        ),
    )
    assert read_workbook(path).tree["author"]["phone"] == "01609 000999"


def test_a_formula_without_a_saved_result_and_an_error_value_are_named(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    phone = "Author!" + answer_cell(wb, "Author", "Phone *")
    base = "Author!" + answer_cell(wb, "Author", "Work base *")
    score = "Scores!" + table_cell(wb, "Scores", "Score *", 0)
    found = problems(edited(path, {phone: "=1+1", base: "#N/A", score: 12}))
    assert "formula" in found[phone]
    assert "#N/A" in found[base]
    assert "whole number from 0 to 10" in found[score]


def test_blank_rows_in_the_middle_of_a_table_are_skipped(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    ws = wb["Next steps"]
    # Move the third step two rows down, leaving two empty rows in the middle.
    for column in "ABC":
        ws[f"{column}9"], ws[f"{column}7"] = ws[f"{column}7"].value, None
    saved(wb, path)
    source = read_workbook(path)
    assert len(source.tree["needs_to_happen"]["next_steps"]) == 3
    assert source.cell(("needs_to_happen", "next_steps", 2, "action")) == "Next steps!A9"
    expected = check(read_input(example_path("icpc"))).model
    assert check(source).model == expected


def test_a_cell_merged_down_a_column_gives_its_value_to_each_row(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    who = table_cell(wb, "Next steps", "Who *", 0)
    below = table_cell(wb, "Next steps", "Who *", 1)
    wb["Next steps"].merge_cells(f"{who}:{below}")
    saved(wb, path)
    steps = read_workbook(path).tree["needs_to_happen"]["next_steps"]
    assert steps[0]["who"] == steps[1]["who"] == "Ms Joanna Pryce"


def test_line_breaks_and_excel_escapes_are_kept(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    harm = "Worried!" + answer_cell(load_workbook(path), "Worried", "Harm *")
    result = checked(edited(path, {harm: "First line_x000D_\nsecond line\n\nNew paragraph  "}))
    assert result.model is not None
    assert result.model.worries.harm == "First line\nsecond line\n\nNew paragraph"


def test_values_typed_outside_the_form_are_reported_not_dropped(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    found = problems(
        edited(path, {"Next steps!E6": "Call Dean on Friday", "Conference!E4": "Room 3"})
    )
    assert set(found) == {"Next steps!E6", "Conference!E4"}
    assert "outside the form" in found["Next steps!E6"]
    assert "Call Dean on Friday" in found["Next steps!E6"]


def test_a_sheet_added_by_hand_is_not_silently_ignored(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    wb = load_workbook(path)
    wb.create_sheet("My notes")["B2"] = "Dean was seen at the school gate."
    saved(wb, path)
    assert "My notes!B2" in problems(path)


# --- files that are not workbooks ----------------------------------------------------------------


def _rewrite_part(path: Path, name: str, change: Any) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == name:
                data = change(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info.filename, data)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "password-protected"),
        (b"kind: icpc\n", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
    ],
    ids=["password-protected", "text", "empty"],
)
def test_files_that_are_not_workbooks_are_refused(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=fragment):
        read_input(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReadError, match="not an Excel workbook"):
        read_workbook(path)


def test_a_workbook_not_made_by_sos_reports_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "kind"
    wb.active["B1"] = "icpc"
    with pytest.raises(ReadError, match="not a workbook made by `sos-reports new`"):
        read_workbook(saved(wb, tmp_path / "own.xlsx"))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        # Twenty megabytes of one character pack into a few kilobytes.
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(ReadError, match="zip bomb"):
        read_workbook(path)
    assert time.perf_counter() - started < 1


def test_a_workbook_that_would_unpack_to_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sos_reports.inputs.container as container

    monkeypatch.setattr(container, "MAX_UNPACKED_BYTES", 64 * 1024)
    with pytest.raises(ReadError, match="would unpack to"):
        read_workbook(example_workbook(tmp_path))


def test_the_source_is_the_same_shape_as_a_yaml_files(tmp_path: Path) -> None:
    source: Source = read_workbook(example_workbook(tmp_path, "medical"))
    tree = source.tree
    assert tree["kind"] == "medical"
    health = tree["child_health"][1]
    assert health["last_seen"]["by"] == "Dr Helen Ward"
    assert [a["service"] for a in health["missed_appointments"]] == [
        "Practice nurse immunisation clinic"
    ]
    assert "missed_appointments" not in tree["child_health"][0]
    assert tree["carer_health"][0]["mental_health"]["status"] == "Current"  # as the cell shows it
    assert tree["household"][1]["parental_responsibility_for"] == ["leo"]
    assert (
        source.cell(("child_health", 1, "missed_appointments", 0, "date")) == "Was not brought!B5"
    )


def test_a_formula_in_a_table_cell_is_reported_once_with_its_label(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    score = "Scores!" + table_cell(load_workbook(path), "Scores", "Score *", 0)
    result = checked(edited(path, {score: "=3+4"}))
    at_cell = [f for f in result.errors if f.cell == score]
    assert len(at_cell) == 1
    assert at_cell[0].path == "scaling.scores[0].score"
    assert at_cell[0].where == f"{score} (Score)"
    assert "formula" in at_cell[0].message


def test_a_workbook_missing_one_of_its_parts_is_a_clear_error(tmp_path: Path) -> None:
    path = example_workbook(tmp_path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                target.writestr(info, source.read(info.filename))
    with pytest.raises(ReadError, match="cannot be read as an Excel workbook"):
        read_input(broken)
