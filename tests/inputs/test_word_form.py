"""The Word form: content controls tagged by path, filled as Word leaves them, read back."""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from sos_reports.checks.validation import check
from sos_reports.cli import cli
from sos_reports.commands.forms import new_input
from sos_reports.commands.reports import fill
from sos_reports.errors import ReadError
from sos_reports.inputs.read import read_input
from tests.helpers.docx_xml import W, docx_parts, docx_text
from tests.helpers.examples import example_path, example_tree
from tests.helpers.kinds import KINDS
from tests.helpers.word_form import (
    NS,
    blank_form,
    controls,
    document,
    q,
    save_document,
    type_into,
    value_at,
)


def filled_form(tmp_path: Path, kind: str, tree: dict[str, Any]) -> Path:
    """A blank form with every control that has a value in `tree` filled, as in Word."""
    form = blank_form(tmp_path, kind, f"blank-{kind}.docx")
    root = document(form)
    for tag, sdt in controls(root).items():
        if tag in ("kind", "format_version"):
            continue
        value = value_at(tree, tag)
        if value is not None and value != []:
            type_into(sdt, value)
    return save_document(form, root, tmp_path / f"filled-{kind}.docx")


# --- filled forms read back to the input ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_form_filled_in_word_reads_back_to_the_example_and_the_same_report(
    tmp_path: Path, kind: str
) -> None:
    form = filled_form(tmp_path, kind, example_tree(kind))
    from_form = check(read_input(form))
    from_yaml = check(read_input(example_path(kind)))
    assert from_form.errors == []
    assert from_form.model == from_yaml.model
    report_form = fill(form, tmp_path / "from-form.docx")
    report_yaml = fill(example_path(kind), tmp_path / "from-yaml.docx")
    assert docx_text(Path(report_form.written[0])) == docx_text(Path(report_yaml.written[0]))


def test_validate_on_an_unfilled_form_lists_the_missing_fields_by_label(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    result = CliRunner().invoke(cli, ["validate", str(form)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert "Conference: Conference date (conference.date): is required" in result.stderr
    assert "Author: Name (author.name): is required" in result.stderr
    assert "Children (children): needs at least one entry" in result.stderr
    # Placeholder text is never taken for an answer.
    assert "Pick a date" not in result.stderr


def test_a_form_prefilled_with_new_from_carries_the_children(tmp_path: Path) -> None:
    out = tmp_path / "review.docx"
    result = CliRunner().invoke(
        cli, ["new", "rcpc", "--from", str(example_path("icpc")), "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    tree = read_input(out).tree
    assert [c["id"] for c in tree["children"]] == ["maisie", "leo"]
    assert tree["conference"]["review_number"] == "1"
    # One entry per child in each per-child list, the child already named.
    assert [s["child"] for s in tree["scaling"]["scores"]] == ["maisie", "leo"]


def test_entries_left_empty_are_dropped_and_problems_named_by_the_entry_shown(
    tmp_path: Path,
) -> None:
    tree = example_tree("icpc")
    maisie, leo = tree["children"]
    del leo["ethnicity"]
    tree["children"] = [maisie, {}, leo]  # the second entry of the form is left empty
    source = read_input(filled_form(tmp_path, "icpc", tree))
    assert [c["id"] for c in source.tree["children"]] == ["maisie", "leo"]
    [error] = check(source).errors
    assert error.path == "children[1].ethnicity"
    assert error.label == "Children, entry 3: Ethnicity"  # as the form numbers it


# --- what each answer is ----------------------------------------------------------------------


def test_each_answer_is_a_control_of_its_kind_tagged_with_its_path(tmp_path: Path) -> None:
    found = controls(document(blank_form(tmp_path, "rcpc")))
    assert found["conference.date"].find("w:sdtPr/w:date", NS) is not None
    assert found["conference.date"].find("w:sdtPr/w:showingPlcHdr", NS) is not None
    assert found["confidential.present"].find("w:sdtPr/w14:checkbox", NS) is not None
    items = found["conference.type"].findall("w:sdtPr/w:dropDownList/w:listItem", NS)
    assert [i.get(q("w:value")) for i in items] == ["review"]
    scores = found["scaling.scores[1].score"].findall("w:sdtPr/w:dropDownList/w:listItem", NS)
    assert [i.get(q("w:value")) for i in scores] == [str(n) for n in range(11)]
    # Free text takes several lines (a rich text control); a one-line field does not.
    harm = found["worries.harm"].find("w:sdtPr", NS)
    assert harm.find("w:text", NS) is None and harm.find("w:date", NS) is None
    name = found["children[0].name"].find("w:sdtPr/w:text", NS)
    assert name is not None and name.get(q("w:multiLine")) is None
    assert "needs_to_happen.safety_goals[0]" in found
    assert "recommendations[0].recommendation" in found
    # An optional yes/no is a dropdown, so that it can be left unanswered.
    seen_alone = found["involvement.last_seen[0].seen_alone"]
    assert seen_alone.find("w:sdtPr/w:dropDownList", NS) is not None
    placeholder = "".join(found["conference.date"].itertext())
    assert "DD/MM/YYYY" in placeholder
    alias = found["children[0].name"].find("w:sdtPr/w:alias", NS).get(q("w:val"))
    assert alias == "Name"


def test_a_prefilled_control_shows_its_value_not_a_placeholder(tmp_path: Path) -> None:
    out = tmp_path / "pre.docx"
    CliRunner().invoke(cli, ["convert", str(example_path("icpc")), "-o", str(out)])
    found = controls(document(out))
    date = found["conference.date"].find("w:sdtPr/w:date", NS)
    assert date.get(q("w:fullDate")).startswith(example_tree()["conference"]["date"])
    assert found["conference.date"].find("w:sdtPr/w:showingPlcHdr", NS) is None
    shared = found["sharing.shared"].find("w:sdtPr/w14:checkbox/w14:checked", NS)
    assert shared.get(q("w14:val")) == "1"
    present = found["confidential.present"].find("w:sdtPr/w14:checkbox/w14:checked", NS)
    assert present.get(q("w14:val")) == "0"


def test_the_form_is_a4_en_gb_arial_with_the_signs_of_safety_headings(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    parts = docx_parts(form)
    root = document(form)
    size = root.find(".//w:sectPr/w:pgSz", NS)
    assert (size.get(q("w:w")), size.get(q("w:h"))) == ("11906", "16838")
    styles = etree.fromstring(parts["word/styles.xml"])
    assert styles.find(".//w:docDefaults//w:lang", NS).get(q("w:val")) == "en-GB"
    fonts = styles.find(".//w:docDefaults//w:rFonts", NS)
    assert {fonts.get(q(f"w:{s}")) for s in ("ascii", "hAnsi", "cs")} == {"Arial"}
    headings = [
        "".join(p.itertext())
        for p in root.iter(q("w:p"))
        if (s := p.find("w:pPr/w:pStyle", NS)) is not None and s.get(q("w:val")) == "Heading1"
    ]
    order = ["What are we worried about?", "What's working well?", "What needs to happen?"]
    assert [h for h in headings if h in order] == order
    assert headings.index("Children") < headings.index("What are we worried about?")


def test_the_form_is_lean_without_stock_template_parts(tmp_path: Path) -> None:
    parts = docx_parts(blank_form(tmp_path, "medical"))
    assert not [n for n in parts if "thumbnail" in n or "stylesWithEffects" in n]
    assert b"latentStyles" not in parts["word/styles.xml"]
    assert len(parts["word/styles.xml"]) < 20_000
    assert b"sos-reports" in parts["docProps/app.xml"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_passes_an_independent_office_open_xml_validator(
    tmp_path: Path, kind: str
) -> None:
    import subprocess
    import sys

    blank = blank_form(tmp_path, kind)
    prefilled = tmp_path / "prefilled.docx"
    CliRunner().invoke(cli, ["convert", str(example_path(kind)), "-o", str(prefilled)])
    audit = Path(sys.executable).with_name("openxml-audit")
    for form in (blank, prefilled):
        done = subprocess.run(
            [str(audit), str(form)], capture_output=True, text=True, timeout=120, check=False
        )
        assert "Errors: 0" in done.stdout, done.stdout[-3000:]


# --- what is not an answer ------------------------------------------------------------------


def _answer_cell_paragraph(root: etree._Element, tag: str) -> etree._Element:
    sdt = controls(root)[tag]
    return sdt.getparent()


def test_text_typed_outside_the_boxes_is_reported_by_its_label(tmp_path: Path) -> None:
    form = filled_form(tmp_path, "icpc", example_tree())
    root = document(form)
    paragraph = _answer_cell_paragraph(root, "conference.venue")
    run = etree.SubElement(paragraph, q("w:r"))
    etree.SubElement(run, q("w:t")).text = "Room 4, upstairs"
    heading = next(p for p in root.iter(q("w:p")) if "".join(p.itertext()) == "Conference")
    after = etree.fromstring(f'<w:p xmlns:w="{W}"><w:r><w:t>Please call me first</w:t></w:r></w:p>')
    heading.addnext(after)
    source = read_input(save_document(form, root, tmp_path / "strays.docx"))
    messages = {f.message: f for f in source.findings}
    venue = next(f for m, f in messages.items() if "Room 4, upstairs" in m)
    assert venue.label == "Venue" and venue.path == "conference.venue"
    assert "outside any answer box" in venue.message
    assert any("Please call me first" in m for m in messages)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "strays.docx")])
    assert result.exit_code == 1 and "Venue (conference.venue)" in result.stderr


def test_a_box_whose_tag_was_damaged_is_reported_by_its_label(tmp_path: Path) -> None:
    form = filled_form(tmp_path, "icpc", example_tree())
    root = document(form)
    controls(root)["conference.venue"].find("w:sdtPr/w:tag", NS).set(q("w:val"), "conferenc.venu")
    source = read_input(save_document(form, root, tmp_path / "damaged.docx"))
    [finding] = source.findings
    assert finding.label == "Venue"
    assert example_tree()["conference"]["venue"] in finding.message
    assert "conference" not in source.tree["conference"] or "venue" not in source.tree["conference"]


def test_a_date_typed_instead_of_picked_is_read_from_its_text(tmp_path: Path) -> None:
    form = filled_form(tmp_path, "icpc", example_tree())
    root = document(form)
    sdt = controls(root)["report.date"]
    date = sdt.find("w:sdtPr/w:date", NS)
    del date.attrib[q("w:fullDate")]
    sdt.find(".//w:t", NS).text = "31/02/2026"
    source = read_input(save_document(form, root, tmp_path / "typed.docx"))
    assert source.tree["report"]["date"] == "31/02/2026"
    errors = check(source).errors
    assert [(f.path, f.label) for f in errors] == [("report.date", "Report: Report date")]
    assert "not a real date" in errors[0].message


def test_a_check_box_is_read_from_its_state(tmp_path: Path) -> None:
    tree = example_tree()
    form = filled_form(tmp_path, "icpc", tree)
    root = document(form)
    checked = controls(root)["confidential.present"].find("w:sdtPr/w14:checkbox/w14:checked", NS)
    del checked.attrib[q("w14:val")]  # no value means checked
    assert (
        read_input(save_document(form, root, tmp_path / "a.docx")).tree["confidential"]["present"]
        is True
    )
    checked.set(q("w14:val"), "0")
    assert (
        read_input(save_document(form, root, tmp_path / "b.docx")).tree["confidential"]["present"]
        is False
    )


# --- hostile and wrong files --------------------------------------------------------------------


def _zip(path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.docx"
    path.write_text("Dear conference chair,")
    with pytest.raises(ReadError, match="is not a Word form"):
        read_input(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    parts = docx_parts(form)
    parts["word/media/image1.png"] = b"\0" * (200 * 1024 * 1024)
    bomb = _zip(tmp_path / "bomb.docx", parts)
    started = time.perf_counter()
    with pytest.raises(ReadError, match=r"zip bomb|would unpack"):
        read_input(bomb)
    assert time.perf_counter() - started < 2


def test_xml_entity_expansion_is_refused(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    parts = docx_parts(form)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b"]>"
    )
    parts["word/document.xml"] = laughs + parts["word/document.xml"].split(b"?>", 1)[1].replace(
        b"<w:t>", b"<w:t>&i;", 1
    )
    started = time.perf_counter()
    with pytest.raises(ReadError, match="document type or entities"):
        read_input(_zip(tmp_path / "laughs.docx", parts))
    assert time.perf_counter() - started < 1


def test_a_huge_number_of_controls_is_refused_quickly(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    parts = docx_parts(form)
    one = b'<w:sdt><w:sdtPr><w:tag w:val="marking"/></w:sdtPr><w:sdtContent/></w:sdt>'
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:body>", b"<w:body><w:p>" + one * 20_000 + b"</w:p>", 1
    )
    started = time.perf_counter()
    with pytest.raises(ReadError, match=r"20[0-9]+ answer boxes"):
        # Stored, not compressed: repeated boxes compress like a zip bomb, caught sooner.
        read_input(_zip(tmp_path / "many.docx", parts, zipfile.ZIP_STORED))
    assert time.perf_counter() - started < 2


def test_a_document_part_too_large_for_a_form_is_refused_before_it_is_parsed(
    tmp_path: Path,
) -> None:
    form = blank_form(tmp_path, "icpc")
    parts = docx_parts(form)
    # Varied text, so that it compresses as a real document does, not as a zip bomb.
    filler = "".join(f"<w:p><w:r><w:t>{n:x} {n * 7919:x}</w:t></w:r></w:p>" for n in range(400_000))
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:body>", b"<w:body>" + filler.encode(), 1
    )
    started = time.perf_counter()
    with pytest.raises(ReadError, match="far more than a form"):
        read_input(_zip(tmp_path / "large.docx", parts))
    assert time.perf_counter() - started < 2


def test_a_word_document_that_is_not_a_form_says_so(tmp_path: Path) -> None:
    report = fill(example_path("icpc"), tmp_path / "report.docx").written[0]
    with pytest.raises(ReadError, match="not a Word form made by `sos-reports new`"):
        read_input(Path(report))


def test_a_workbook_named_docx_says_it_is_a_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "form.xlsx"
    new_input("icpc", workbook)
    renamed = tmp_path / "form.docx"
    renamed.write_bytes(workbook.read_bytes())
    with pytest.raises(ReadError, match=r"an Excel workbook \(.xlsx\), not a Word form"):
        read_input(renamed)
    form = blank_form(tmp_path, "icpc", "word.docx")
    misnamed = tmp_path / "form-too.xlsx"
    misnamed.write_bytes(form.read_bytes())
    with pytest.raises(ReadError, match=r"a Word form \(.docx\), not an Excel workbook"):
        read_input(misnamed)


def test_a_form_whose_kind_box_was_changed_says_which_kind_it_is(tmp_path: Path) -> None:
    form = blank_form(tmp_path, "icpc")
    root = document(form)
    controls(root)["kind"].find(".//w:t", NS).text = "rcpc"
    with pytest.raises(ReadError, match=r"Word form for .* \(icpc\), but its Report kind box"):
        read_input(save_document(form, root, tmp_path / "changed.docx"))


def test_cli_new_writes_a_word_form(tmp_path: Path) -> None:
    out = tmp_path / "form.docx"
    result = CliRunner().invoke(cli, ["new", "medical", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert read_input(out).tree["kind"] == "medical"


def test_a_form_whose_tags_were_all_dropped_is_read_by_its_headings_and_labels(
    tmp_path: Path,
) -> None:
    """LibreOffice 7.4 drops every tag, the form's mark and most titles when it saves."""
    form = filled_form(tmp_path, "medical", example_tree("medical"))
    root = document(form)
    for props in root.iter(q("w:sdtPr")):
        for name in ("w:tag", "w:showingPlcHdr"):
            for element in props.findall(name, NS):
                props.remove(element)
        alias = props.find("w:alias", NS)
        if alias is not None and props.find("w:text", NS) is None:
            props.remove(alias)
    parts = docx_parts(form)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    parts["word/settings.xml"] = re.sub(
        rb"<w:docVars>.*</w:docVars>", b"", parts["word/settings.xml"]
    )
    untagged = _zip(tmp_path / "untagged.docx", parts)
    source = read_input(untagged)
    assert check(source).model == check(read_input(example_path("medical"))).model


def test_text_typed_beside_a_placeholder_is_read_without_it(tmp_path: Path) -> None:
    """In LibreOffice a plain text box's placeholder is not selected on a click. LibreOffice
    drops the box's tag and its placeholder flag as it saves."""
    form = blank_form(tmp_path, "icpc")
    root = document(form)
    sdt = controls(root)["author.name"]
    sdt.find("w:sdtPr", NS).remove(sdt.find("w:sdtPr/w:showingPlcHdr", NS))
    sdt.find("w:sdtPr", NS).remove(sdt.find("w:sdtPr/w:tag", NS))
    t = sdt.find(".//w:t", NS)
    t.text = "Jane Example" + t.text
    source = read_input(save_document(form, root, tmp_path / "beside.docx"))
    assert source.tree["author"]["name"] == "Jane Example"


def test_an_answer_that_is_the_placeholder_s_words_is_kept_where_the_flag_is_kept(
    tmp_path: Path,
) -> None:
    """Found by the property tests: a value typed as "Type here." was read as an empty box.
    Word keeps the placeholder flag, so only a box without it (and without its tag, as
    LibreOffice leaves it) is read by its words."""
    tree = example_tree("icpc")
    tree["children"][0]["known_as"] = "Type here."  # the words of that box's placeholder
    source = tmp_path / "input.json"
    source.write_text(json.dumps(tree), "utf-8")
    form = tmp_path / "form.docx"
    assert CliRunner().invoke(cli, ["convert", str(source), "-o", str(form)]).exit_code == 0
    assert read_input(form).tree["children"][0]["known_as"] == "Type here."


def test_findings_of_a_word_form_carry_the_label_in_json_and_fill_refuses_it(
    tmp_path: Path,
) -> None:
    import json

    form = blank_form(tmp_path, "rcpc")
    result = CliRunner().invoke(cli, ["validate", str(form), "--format", "json"])
    assert result.exit_code == 1
    findings = {f["path"]: f for f in json.loads(result.stdout)}
    assert findings["conference.review_number"]["label"] == "Conference: Review number"
    refused = CliRunner().invoke(cli, ["fill", str(form)])
    assert refused.exit_code == 1 and "nothing was written" in refused.stderr
    assert "Traceback" not in refused.output + refused.stderr
    assert not (tmp_path / "form-report.docx").exists()
