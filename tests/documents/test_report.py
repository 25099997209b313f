"""The filled report: everything typed reaches it exactly, and nothing confidential does."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from sos_reports.commands.reports import fill, validate
from sos_reports.kinds import KINDS as REGISTRY
from sos_reports.support.formatting import long_date
from tests.helpers.docx_xml import NS, W, body_paragraphs, docx_parts, docx_text, style_of
from tests.helpers.examples import example_path, example_tree, write_json, write_yaml
from tests.helpers.kinds import KINDS, REPORTS
from tests.helpers.report_text import (
    confidential_or_withheld,
    free_text,
    pieces,
)


def test_every_free_text_value_reaches_the_report_verbatim(filled: tuple[Any, Path]) -> None:
    model, report = filled
    text = docx_text(report)
    values = [(p, v) for p, v in free_text(model) if not confidential_or_withheld(model, p)]
    assert len(values) > 40  # the example exercises the format, not a handful of fields
    missing = [(p, piece) for p, v in values for piece in pieces(v) if piece not in text]
    assert missing == []


def test_confidential_and_withheld_values_are_in_the_annex_only(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["confidential"] = {
        "present": "yes",
        "reason": "whereabouts of a person at risk",
        "chair_informed": "2025-03-05",
        "details": "Craig's new address is 9 Quarry Row, Eastwick; he must not learn Kerry's plans.",
    }
    tree["household"][2]["withhold_from_family"] = "yes"
    tree["household"][2]["address"] = "Flat 9, Hidden Yard, Elsewhere"
    source = write_json(tmp_path / "input.json", tree)
    result = fill(source)
    report, annex = (Path(p) for p in result.written)
    assert annex.name == "input-report-confidential-annex.docx"
    model = validate(source).model
    secret = [(p, v) for p, v in free_text(model) if confidential_or_withheld(model, p)]
    assert {p.split("[")[0].split(".")[0] for p, _ in secret} == {"confidential", "household"}
    annex_text = docx_text(annex)
    for _, value in secret:
        for piece in pieces(value):
            assert piece in annex_text
    # No part of the report's zip holds them, in any encoding Word might use.
    blob = b"".join(docx_parts(report).values())
    for needle in ("Quarry Row", "Hidden Yard", "Craig Fenwick", "Elsewhere"):
        assert needle.encode() not in blob
        assert needle.encode("utf-16-le") not in blob
    report_text = docx_text(report)
    assert "given to the conference chair separately" in report_text
    assert "NOT FOR SHARING WITH THE FAMILY" in annex_text
    assert "TH-CP-2025-0147" in annex_text


HOSTILE = {
    "harm": "Smith & Jones <b>bold</b> \"quoted\" 'single' — {{ 7*7 }} {% if x %}y{% endif %} {_{ x }_} {_% y %_} %}",
    "strengths": "Emoji 👧🏽🏠 and Welsh: Mae'r plentyn yn ddiogel; ŵ ŷ â.\n\nArabic: الطفل آمن\n\n\nThird paragraph\nwith a line break",
    "complicating": "Tab\there, 100% sure; {#comment#} and }} {{",
}


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_text_reaches_the_report_exactly_as_typed(tmp_path: Path, kind: str) -> None:
    tree = example_tree(kind)
    tree["worries"]["harm"] = HOSTILE["harm"]
    tree["working_well"]["strengths"] = HOSTILE["strengths"]
    tree["worries"]["complicating_factors"] = HOSTILE["complicating"]
    tree["author" if "author" in tree else "sign_off"]["name"] = "Ms O'Brien & <Co>"
    source = write_yaml(tmp_path / "hostile.yaml", tree)
    report = Path(fill(source).written[0])
    parts = docx_parts(report)
    for name, data in parts.items():
        if name.endswith(".xml") or name.endswith(".rels"):
            etree.fromstring(data)  # every XML part parses
    paragraphs = [
        "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        for p in etree.fromstring(parts["word/document.xml"]).iter(f"{{{W}}}p")
    ]
    text = docx_text(report)
    assert HOSTILE["harm"] in paragraphs
    # Blank lines start new paragraphs; a single line break stays a line break.
    assert "Emoji 👧🏽🏠 and Welsh: Mae'r plentyn yn ddiogel; ŵ ŷ â." in paragraphs
    assert "Arabic: الطفل آمن" in paragraphs
    assert "Third paragraph\nwith a line break" in text
    assert "Third paragraphwith a line break" in paragraphs  # the break is a w:br, not text
    assert "Tab\there, 100% sure; {#comment#} and }} {{" in text
    assert "Ms O'Brien & <Co>" in text
    assert not re.search(r"\b49\b", text)  # the template syntax in the text was not run


def test_the_report_is_a4_en_gb_with_real_headings_and_set_properties(
    filled: tuple[Any, Path],
) -> None:
    model, report = filled
    parts = docx_parts(report)
    doc = etree.fromstring(parts["word/document.xml"])
    size = doc.find(".//w:sectPr/w:pgSz", NS)
    assert (size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")) == ("11906", "16838")
    styles = etree.fromstring(parts["word/styles.xml"])
    assert styles.find(".//w:docDefaults//w:lang", NS).get(f"{{{W}}}val") == "en-GB"
    fonts = styles.find(".//w:docDefaults//w:rFonts", NS)
    assert fonts.get(f"{{{W}}}ascii") == fonts.get(f"{{{W}}}cs") == "Arial"
    headings = [
        style_of(p) for p in body_paragraphs(report) if (style_of(p) or "").startswith("Heading")
    ]
    assert {"Heading1", "Heading2"} <= set(headings)
    core = etree.fromstring(parts["docProps/core.xml"])
    title = core.find("{http://purl.org/dc/elements/1.1/}title").text
    # The kind's title and the conference's date, as the registry and the model give them (the
    # golden texts pin the words for the shipped kinds).
    assert title == f"{REGISTRY[model.kind].title}, {long_date(model.conference.date)}"
    assert re.fullmatch(r".+, \d{1,2} [A-Z][a-z]+ 20\d\d", title)
    creator = core.find("{http://purl.org/dc/elements/1.1/}creator").text
    # An agency's report is by its author; the conference record, by the chair who signs it.
    signed = model.author if REGISTRY[model.kind].agency_report else model.sign_off
    assert creator == signed.name
    assert "python-docx" not in parts["docProps/core.xml"].decode()
    assert "2013" not in parts["docProps/core.xml"].decode()
    for child in model.children:  # no child's name in the properties
        assert child.name not in parts["docProps/core.xml"].decode()


def test_every_page_has_the_marking_and_page_x_of_y(filled: tuple[Any, Path]) -> None:
    model, report = filled
    parts = docx_parts(report)
    headers = [n for n in parts if re.match(r"word/header\d*\.xml", n)]
    footers = [n for n in parts if re.match(r"word/footer\d*\.xml", n)]
    assert headers and footers
    assert any(b"OFFICIAL-SENSITIVE" in parts[n] for n in headers)
    footer = b"".join(parts[n] for n in footers).decode()
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert long_date(model.conference.date) in footer


def test_table_header_rows_repeat(filled: tuple[Any, Path]) -> None:
    _, report = filled
    doc = etree.fromstring(docx_parts(report)["word/document.xml"])
    for table in doc.iter(f"{{{W}}}tbl"):
        first = table.find("w:tr", NS)
        header_text = "".join(t.text or "" for t in first.iter(f"{{{W}}}t"))
        if header_text in {"What are we worried about?What's working well?What needs to happen?"}:
            assert first.find("w:trPr/w:tblHeader", NS) is not None


def test_the_summary_map_has_the_three_questions_side_by_side(filled: tuple[Any, Path]) -> None:
    model, report = filled
    doc = etree.fromstring(docx_parts(report)["word/document.xml"])
    maps = [
        t
        for t in doc.iter(f"{{{W}}}tbl")
        if "What are we worried about?"
        in "".join(x.text or "" for x in t.find("w:tr", NS).iter(f"{{{W}}}t"))
    ]
    assert len(maps) == 1
    rows = maps[0].findall("w:tr", NS)
    cells = rows[1].findall("w:tc", NS)
    assert len(cells) == 3
    texts = [
        "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in c.iter(f"{{{W}}}p"))
        for c in cells
    ]
    first_danger = pieces(model.worries.danger_statements[0].text)[0].split("\n")[0]
    assert first_danger in texts[0]
    assert pieces(model.working_well.strengths)[0].split("\n")[0] in texts[1]
    assert pieces(model.needs_to_happen.safety_goals[0])[0].split("\n")[0] in texts[2]


@pytest.mark.parametrize("filled", REPORTS, indirect=True)  # a scale per score: a report's
def test_each_child_has_a_scale_with_the_score_marked(filled: tuple[Any, Path]) -> None:
    model, report = filled
    doc = etree.fromstring(docx_parts(report)["word/document.xml"])
    scales = []
    for table in doc.iter(f"{{{W}}}tbl"):
        rows = table.findall("w:tr", NS)
        cells = rows[0].findall("w:tc", NS) if rows else []
        if [("".join(t.text or "" for t in c.iter(f"{{{W}}}t"))) for c in cells] == [
            str(i) for i in range(11)
        ]:
            marked = [
                i
                for i, c in enumerate(cells)
                if c.find("w:tcPr/w:shd", NS).get(f"{{{W}}}fill") != "FFFFFF"
            ]
            scales.append(marked)
    assert scales == [[s.score] for s in model.scaling.scores]
    text = docx_text(report)
    for s in model.scaling.scores:
        assert f"Score: {s.score} out of 10" in text
    assert "0: the child is unsafe\t10: the child is safe" in text


def test_dates_are_long_uk_and_booleans_yes_no(filled: tuple[Any, Path]) -> None:
    model, report = filled
    text = docx_text(report)
    assert long_date(model.conference.date) in text
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    # An agency's author says whether they attend (a GP's and a new kind's may not ask it).
    author = getattr(model, "author", None)  # the record has none
    if author is not None and "attending" in type(author).model_fields:
        assert re.search(r"Attending the conference\nYes", text)
    assert "True" not in text and "False" not in text


def test_filling_never_modifies_the_input(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(example_path("icpc").read_bytes())
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    stat = source.stat()
    fill(source)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert source.stat().st_mtime_ns == stat.st_mtime_ns


def test_the_gp_examples_confidential_details_are_in_no_part_of_the_report(tmp_path: Path) -> None:
    source = tmp_path / "gp.yaml"
    source.write_bytes(example_path("medical").read_bytes())
    report, annex = (Path(p) for p in fill(source).written)
    model = validate(source).model
    assert model.confidential.present
    # A withheld entry's name says whose it is, and is printed in the household anyway;
    # everything the entry says about that person stays out of the report.
    secret = [
        v
        for p, v in free_text(model)
        if confidential_or_withheld(model, p) and not re.fullmatch(r"carer_health\[\d+\]\.name", p)
    ]
    assert any("disclosed domestic abuse" in v for v in secret)  # her health entry is withheld
    blob = b"".join(docx_parts(report).values())
    annex_text = docx_text(annex)
    for value in secret:
        for piece in pieces(value):
            for line in piece.split("\n"):
                assert line.encode() not in blob, line
            assert piece in annex_text


def _filled_text(tmp_path: Path, kind: str) -> str:
    source = tmp_path / f"{kind}.yaml"
    source.write_bytes(example_path(kind).read_bytes())
    return docx_text(Path(fill(source).written[0]))


def test_a_review_shows_each_score_beside_the_previous_one_with_the_direction(
    tmp_path: Path,
) -> None:
    tree = example_tree("rcpc")
    scores = tree["scaling"]["scores"]
    scores[0]["score"], scores[0]["previous"] = "6", "4"
    scores[1]["score"], scores[1]["previous"] = "3", "5"
    text = docx_text(Path(fill(write_yaml(tmp_path / "r.yaml", tree)).written[0]))
    assert (
        "Score: 6 out of 10\nPrevious score: 4 out of 10. Direction of travel: up (safer)" in text
    )
    assert (
        "Score: 3 out of 10\nPrevious score: 5 out of 10. Direction of travel: down (less safe)"
        in text
    )


def test_a_review_counts_core_group_attendance_and_prints_recommendation_labels(
    tmp_path: Path,
) -> None:
    tree = example_tree("rcpc")
    tree["core_group"] = [
        {"date": "2025-03-26", "attended": "yes"},
        {"date": "2025-04-23", "attended": "no"},
        {"date": "2025-05-21", "attended": "yes"},
    ]
    tree["recommendations"][1]["recommendation"] = "end plan - child in need"
    tree["recommendations"][1]["category_change"] = None
    text = docx_text(Path(fill(write_yaml(tmp_path / "r.yaml", tree)).written[0]))
    assert "Attended 2 of 3 core group meetings since the previous conference." in text
    assert "Continue the plan" in text
    assert "End the plan: child in need plan" in text


def test_a_gp_report_says_was_not_brought_and_who_is_not_registered(tmp_path: Path) -> None:
    text = _filled_text(tmp_path, "medical")
    assert "\nWas not brought: Leo Ashby\n" in text
    assert "Did not attend" not in text
    assert "Not registered: no information held" in text


def test_a_withheld_carer_health_entry_is_in_the_annex_only(tmp_path: Path) -> None:
    tree = example_tree("medical")
    carer = tree["carer_health"][0]
    carer["withhold_from_family"] = "yes"
    carer["physical_health"] = "Chronic back pain after a fall at the Old Mill Yard."
    source = write_yaml(tmp_path / "gp.yaml", tree)
    report, annex = (Path(p) for p in fill(source).written)
    blob = b"".join(docx_parts(report).values())
    assert b"Old Mill Yard" not in blob
    assert carer["mental_health"]["impact"].split(".")[0].encode() not in blob
    annex_text = docx_text(annex)
    assert "Health entries withheld from the family's copy" in annex_text
    assert "Chronic back pain after a fall at the Old Mill Yard." in annex_text
