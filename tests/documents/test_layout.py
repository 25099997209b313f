"""How the filled report holds together on the page, asserted in its Word XML: what must stay
together keeps with the next or cannot split, dates stay on one line, and each block sits
where a reader looks for it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from sos_reports.commands.reports import fill, validate
from sos_reports.kinds import KINDS as REGISTRY
from tests.helpers.docx_xml import NS, W, docx_parts
from tests.helpers.examples import example_path
from tests.helpers.kinds import KINDS, REPORTS

SCALE = [str(i) for i in range(11)]
LONG_DATE = re.compile(
    r"\d{1,2} (January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4}"
)
TWIPS_PER_CM = 1440 / 2.54


@pytest.fixture(scope="module", params=KINDS)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, etree._Element]:
    kind = request.param
    folder = tmp_path_factory.mktemp(kind)
    source = folder / example_path(kind).name
    source.write_bytes(example_path(kind).read_bytes())
    report = Path(fill(source).written[0])
    return validate(source).model, etree.fromstring(docx_parts(report)["word/document.xml"])


def text_of(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t"))


def keeps_with_next(p: etree._Element) -> bool:
    """The paragraph's own keep-with-next; a heading keeps with the next by its style (the
    report's styles are tested in test_report)."""
    keep = p.find("w:pPr/w:keepNext", NS)
    style = p.find("w:pPr/w:pStyle", NS)
    if style is not None and style.get(f"{{{W}}}val", "").startswith(("Heading", "Title")):
        return True
    return keep is not None and keep.get(f"{{{W}}}val") not in {"0", "false"}


def cannot_split(tr: etree._Element) -> bool:
    return tr.find("w:trPr/w:cantSplit", NS) is not None


def tables(body: etree._Element) -> list[etree._Element]:
    return list(body.iter(f"{{{W}}}tbl"))


def first_row_text(tbl: etree._Element) -> list[str]:
    return [text_of(tc) for tc in tbl.find("w:tr", NS).findall("w:tc", NS)]


def held_together(tbl: etree._Element) -> bool:
    """Word keeps the table on one page when every paragraph keeps with the next and no row
    splits; LibreOffice then marks the table as one that may not break."""
    return all(keeps_with_next(p) for p in tbl.iter(f"{{{W}}}p")) and all(
        cannot_split(tr) for tr in tbl.findall("w:tr", NS)
    )


@pytest.mark.parametrize("filled", REPORTS, indirect=True)  # a scale per score: a report's
def test_each_childs_scale_legend_and_score_are_one_block(filled: tuple[Any, Any]) -> None:
    model, body = filled
    scales = [t for t in tables(body) if first_row_text(t) == SCALE]
    assert len(scales) == len(model.scaling.scores)
    for tbl, entry in zip(scales, model.scaling.scores, strict=True):
        rows = [text_of(tr) for tr in tbl.findall("w:tr", NS)]
        assert rows[1].startswith("0: ") and "10: " in rows[1], rows
        score = f"{entry.score} out of 10" if entry.score is not None else "No score given"
        assert f"Score: {score}" in rows[2]
        assert held_together(tbl)
        # The child's name above keeps with the scale, and the reason follows it.
        before = tbl.getprevious()
        assert keeps_with_next(before) and text_of(before) == model_child_name(model, entry)
        assert text_of(tbl.getnext()).startswith("Reason: ")


def model_child_name(model: Any, entry: Any) -> str:
    return next(c.name for c in model.children if c.id == entry.child)


def test_a_childs_details_are_in_the_children_table_under_the_child(
    filled: tuple[Any, Any],
) -> None:
    model, body = filled
    (children,) = [
        t for t in tables(body) if first_row_text(t)[:3] == ["Name", "Date of birth", "Gender"]
    ]
    rows = [text_of(tr) for tr in children.findall("w:tr", NS)]
    for child in model.children:
        (at,) = [i for i, row in enumerate(rows) if row.startswith(child.name)]
        details = [
            f"{label}: {value}"
            for label, value in (
                ("NHS number", child.nhs_number),
                ("Disability or special educational needs", child.disability),
                ("Address", child.address),
            )
            if value is not None
        ]
        row = children.findall("w:tr", NS)[at]
        # A child's row keeps with its details (Word keeps a row with the next when a
        # paragraph in it does), and a row with none keeps with nothing, so that a long list
        # of children may break between two of them.
        assert keeps_with_next(row.find(".//w:p", NS)) == bool(details)
        if details:
            below = rows[at + 1]
            assert all(d.split("\n")[0] in below for d in details), below
    assert not held_together(children)
    assert not any(keeps_with_next(p) for p in children.findall("w:tr", NS)[-1].iter(f"{{{W}}}p"))
    # Nothing about a child is left between the table and the next heading.
    after = children.getnext()
    assert after.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val").startswith("Heading")


def test_dates_in_tables_never_wrap(filled: tuple[Any, Any]) -> None:
    _, body = filled
    checked = 0
    for tbl in tables(body):
        header = tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
        widths = [int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
        headers = first_row_text(tbl)
        for tr in tbl.findall("w:tr", NS):
            column = 0
            for tc in tr.findall("w:tc", NS):
                span = tc.find("w:tcPr/w:gridSpan", NS)
                wide = int(span.get(f"{{{W}}}val")) if span is not None else 1
                if LONG_DATE.fullmatch(text_of(tc)):
                    checked += 1
                    width = sum(widths[column : column + wide]) / TWIPS_PER_CM
                    assert width >= 3.5 - 0.01, f"{text_of(tc)!r} in a {width:.2f} cm column"
                    if header and headers[column] == "Date of birth":  # a date and only that
                        assert tc.find("w:tcPr/w:noWrap", NS) is not None, text_of(tc)
                column += wide
    assert checked >= 5


def test_a_gp_reports_tables_for_a_child_name_the_child(tmp_path: Path) -> None:
    source = tmp_path / "gp.yaml"
    source.write_bytes(example_path("medical").read_bytes())
    body = etree.fromstring(docx_parts(Path(fill(source).written[0]))["word/document.xml"])
    model = validate(source).model
    names = {c.name for c in model.children}
    current = None
    seen = 0
    for p in body.iter(f"{{{W}}}p"):
        style = p.find("w:pPr/w:pStyle", NS)
        level = style.get(f"{{{W}}}val") if style is not None else None
        if level == "Heading1":
            current = None
        elif level == "Heading2" and text_of(p) in names:
            current = text_of(p)
        elif level == "Heading3" and current is not None:
            assert text_of(p).endswith(f": {current}"), text_of(p)
            assert keeps_with_next(p)
            seen += 1
    assert seen >= 4


def test_the_gmc_number_stands_beside_the_gps_signature(tmp_path: Path) -> None:
    source = tmp_path / "gp.yaml"
    source.write_bytes(example_path("medical").read_bytes())
    body = etree.fromstring(docx_parts(Path(fill(source).written[0]))["word/document.xml"])
    gmc = validate(source).model.practice.gmc_number
    labelled = {
        tuple(text_of(tr.findall("w:tc", NS)[0]) for tr in t.findall("w:tr", NS)): t
        for t in tables(body)
    }
    (sign_off,) = [rows for rows in labelled if rows and rows[0] == "Signed by"]
    assert sign_off[:2] == ("Signed by", "GMC number")
    table = labelled[sign_off]
    assert text_of(table.findall("w:tr", NS)[1].findall("w:tc", NS)[1]) == gmc
    (practice,) = [rows for rows in labelled if rows and rows[0] == "Practice"]
    assert "GMC number" not in practice


def test_the_signatures_and_each_sections_opening_lines_stay_on_one_page(
    filled: tuple[Any, Any],
) -> None:
    model, body = filled
    (sign_off,) = [t for t in tables(body) if first_row_text(t)[0].startswith("Signed by")]
    document = REGISTRY[model.kind].document
    assert held_together(sign_off)
    paragraphs = list(body.iter(f"{{{W}}}p"))
    openings = [
        p
        for p in paragraphs
        if text_of(p).startswith("Family address: ")
        or text_of(p).endswith(f"in the Signs of Safety summary near the start of this {document}.")
    ]
    assert len(openings) == 4
    assert all(keeps_with_next(p) for p in openings)
