"""Accessibility of every filled report, checked in its Word XML (public sector rules apply).

Each kind's example is filled and read back with lxml, independently of the code under test.
The rules, and the one judgement among them (which tables need a header row):

- headings form an outline: the first is the Title or a Heading 1, and no level is skipped;
- every table is one of three shapes: a data table, whose first row is marked as a header
  row (`w:tblHeader`) and names every column; a label/value table of exactly two columns,
  whose first cell in every row is the label (shaded and bold) and which has no header row,
  as each row carries its own; or the 0..10 scale, one row of the numbers with, under it,
  rows of one cell across the scale that explain 0 and 10 and give the score in words;
- the document has a title and is in British English;
- no empty paragraph is used for spacing;
- colour never carries meaning alone: each shaded cell's text is also bold, the marked score
  is also written out in words, and text keeps a contrast of at least 4.5:1;
- every section has a header and a footer: the marking, and Page X of Y.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from lxml import etree

from sos_reports.commands.reports import fill, validate
from tests.helpers.docx_xml import NS, W, docx_parts
from tests.helpers.examples import ROOT, example_path
from tests.helpers.kinds import KINDS, REPORTS

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DC = "http://purl.org/dc/elements/1.1/"
SCALE = [str(i) for i in range(11)]


class Report:
    """A filled report's XML parts, parsed."""

    def __init__(self, path: Path, kind: str, model: object) -> None:
        self.path = path
        self.kind = kind
        self.model = model
        self.parts = docx_parts(path)
        self.document = etree.fromstring(self.parts["word/document.xml"])
        self.body = self.document.find("w:body", NS)
        self.styles = etree.fromstring(self.parts["word/styles.xml"])

    def style(self, style_id: str) -> etree._Element | None:
        return self.styles.find(f"w:style[@w:styleId='{style_id}']", NS)

    def style_chain(self, style_id: str | None) -> list[etree._Element]:
        chain = []
        while style_id and (style := self.style(style_id)) is not None and style not in chain:
            chain.append(style)
            based = style.find("w:basedOn", NS)
            style_id = based.get(f"{{{W}}}val") if based is not None else None
        return chain


@pytest.fixture(scope="module", params=KINDS)
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Report:
    kind = request.param
    # A missing template fails here: a suite that skipped it would pass with nothing checked.
    template = ROOT / "templates" / kind / "report.docx"
    assert template.is_file(), (
        f"{template} is missing: run `python -m sos_reports.documents.builders`"
    )
    folder = tmp_path_factory.mktemp(f"a11y-{kind}")
    source = folder / example_path(kind).name
    source.write_bytes(example_path(kind).read_bytes())
    return Report(Path(fill(source).written[0]), kind, validate(source).model)


def text_of(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t"))


def paragraph_style(p: etree._Element) -> str | None:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(f"{{{W}}}val") if style is not None else None


def heading_level(report: Report, p: etree._Element) -> int | None:
    """0 for the Title, N for Heading N, by the style's name (as Word's navigation pane)."""
    style_id = paragraph_style(p)
    style = report.style(style_id) if style_id else None
    if style is None:
        return None
    name = style.find("w:name", NS).get(f"{{{W}}}val").lower()
    if name == "title":
        return 0
    match = re.fullmatch(r"heading (\d)", name)
    return int(match.group(1)) if match else None


def is_on(element: etree._Element | None) -> bool:
    return element is not None and element.get(f"{{{W}}}val", "true") not in {"0", "false", "off"}


def is_bold(report: Report, run: etree._Element, p: etree._Element) -> bool:
    own = run.find("w:rPr/w:b", NS)
    if own is not None:
        return is_on(own)
    return any(
        is_on(style.find("w:rPr/w:b", NS)) for style in report.style_chain(paragraph_style(p))
    )


def cell_fill(tc: etree._Element) -> str:
    shd = tc.find("w:tcPr/w:shd", NS)
    value = shd.get(f"{{{W}}}fill", "auto") if shd is not None else "auto"
    return "FFFFFF" if value.lower() == "auto" else value.upper()


def shaded(tc: etree._Element) -> bool:
    return cell_fill(tc) != "FFFFFF"


def body_tables(report: Report) -> list[etree._Element]:
    return report.body.findall("w:tbl", NS)


def rows_of(tbl: etree._Element) -> list[list[etree._Element]]:
    return [tr.findall("w:tc", NS) for tr in tbl.findall("w:tr", NS)]


def is_header_row(tr: etree._Element) -> bool:
    return is_on(tr.find("w:trPr/w:tblHeader", NS))


def is_scale(tbl: etree._Element) -> bool:
    rows = rows_of(tbl)
    if not rows or [text_of(tc).strip() for tc in rows[0]] != SCALE:
        return False
    # Under the numbers, only lines that span the whole scale (the legend, the score).
    for cells in rows[1:]:
        span = cells[0].find("w:tcPr/w:gridSpan", NS) if len(cells) == 1 else None
        if span is None or span.get(f"{{{W}}}val") != str(len(SCALE)):
            return False
    return True


def describe(tbl: etree._Element) -> str:
    first = tbl.find("w:tr", NS)
    return f"the table starting {text_of(first)[:60]!r}" if first is not None else "an empty table"


# --- headings --------------------------------------------------------------------------------


def test_heading_levels_go_down_one_at_a_time(report: Report) -> None:
    levels = []
    for p in report.body.iter(f"{{{W}}}p"):
        level = heading_level(report, p)
        if level is not None:
            assert text_of(p).strip(), (
                f"an empty heading (level {level}) in the {report.kind} report"
            )
            levels.append((level, text_of(p)))
    assert levels, "the report has no headings"
    assert levels[0][0] in (0, 1), f"the report starts with {levels[0]}"
    assert [level for level, _ in levels].count(0) <= 1, "more than one Title"
    for (before, _), (level, text) in itertools.pairwise(levels):
        assert level <= before + 1, f"{text!r} is a Heading {level} right after a level {before}"
        assert level != 0, f"{text!r} is a second Title"
    assert {1, 2} <= {level for level, _ in levels}


# --- tables ----------------------------------------------------------------------------------


def test_every_table_is_a_marked_data_table_a_label_table_or_the_scale(report: Report) -> None:
    tables = body_tables(report)
    assert tables
    for tbl in tables:
        if is_scale(tbl):
            continue
        trs = tbl.findall("w:tr", NS)
        if is_header_row(trs[0]):
            flags = [is_header_row(tr) for tr in trs]
            count = flags.index(False) if False in flags else len(flags)
            assert not any(flags[count:]), f"{describe(tbl)}: a header row below the data"
            assert count < len(trs), f"{describe(tbl)}: header rows and no data"
            continue
        # No header row: only a label/value table may go without, and it must be one.
        columns = tbl.findall("w:tblGrid/w:gridCol", NS)
        assert len(columns) == 2, f"{describe(tbl)} has {len(columns)} columns and no header row"
        for cells in rows_of(tbl):
            assert len(cells) == 2, f"{describe(tbl)}: a label/value row of {len(cells)} cells"
            label = cells[0]
            assert text_of(label).strip(), f"{describe(tbl)}: a row without a label"
            assert shaded(label), f"{describe(tbl)}: the label {text_of(label)!r} is not shaded"
            runs = [
                (r, p)
                for p in label.iter(f"{{{W}}}p")
                for r in p.iter(f"{{{W}}}r")
                if text_of(r).strip()
            ]
            assert all(is_bold(report, r, p) for r, p in runs), (
                f"the label {text_of(label)!r} is not bold"
            )
            assert not shaded(cells[1]), (
                f"{describe(tbl)}: the value of {text_of(label)!r} is shaded"
            )


def test_every_header_cell_names_its_column(report: Report) -> None:
    empty = []
    for tbl in body_tables(report):
        for tr in tbl.findall("w:tr", NS):
            if is_header_row(tr):
                empty += [describe(tbl) for tc in tr.findall("w:tc", NS) if not text_of(tc).strip()]
    # A screen reader announces each cell with its column's header: a blank one says nothing.
    assert empty == []


def test_header_rows_repeat_and_stay_whole(report: Report) -> None:
    for tbl in body_tables(report):
        for tr in tbl.findall("w:tr", NS):
            if is_header_row(tr):
                assert is_on(tr.find("w:trPr/w:cantSplit", NS)), (
                    f"{describe(tbl)}: its header row can split"
                )


# --- title, language, spacing ----------------------------------------------------------------


def test_the_document_has_a_title_and_is_in_british_english(report: Report) -> None:
    core = etree.fromstring(report.parts["docProps/core.xml"])
    title = core.find(f"{{{DC}}}title")
    assert title is not None and (title.text or "").strip()
    language = core.find(f"{{{DC}}}language")
    assert language is not None and language.text == "en-GB"
    lang = report.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(f"{{{W}}}val") == "en-GB"
    # Nothing in the body switches the language back to another one.
    others = {
        el.get(f"{{{W}}}val")
        for el in report.document.iter(f"{{{W}}}lang")
        if el.get(f"{{{W}}}val") not in (None, "en-GB")
    }
    assert others == set()


def test_no_empty_paragraph_is_used_for_spacing(report: Report) -> None:
    empty = []
    body_paragraphs = report.body.findall("w:p", NS)  # direct children: not inside table cells
    for i, p in enumerate(body_paragraphs):
        if p.find("w:pPr/w:sectPr", NS) is not None and i == len(body_paragraphs) - 1:
            continue  # the paragraph that carries the last section's properties
        has_content = text_of(p).strip() or p.find(".//w:drawing", NS) is not None
        if not has_content:
            before = p.getprevious()
            empty.append(text_of(before)[:60] if before is not None else "(start of the document)")
    assert empty == [], f"empty paragraphs after: {empty}"


# --- colour ----------------------------------------------------------------------------------


def test_every_shaded_cell_also_has_bold_text(report: Report) -> None:
    for tbl in report.body.iter(f"{{{W}}}tbl"):
        for tc in tbl.iter(f"{{{W}}}tc"):
            if not shaded(tc) or not text_of(tc).strip():
                continue
            runs = [
                (r, p)
                for p in tc.iter(f"{{{W}}}p")
                for r in p.iter(f"{{{W}}}r")
                if text_of(r).strip()
            ]
            assert all(is_bold(report, r, p) for r, p in runs), (
                f"{text_of(tc)!r} is shaded but not bold"
            )


@pytest.mark.parametrize("report", REPORTS, indirect=True)  # a scale per score: a report's
def test_the_marked_score_is_also_written_in_words(report: Report) -> None:
    scales = [tbl for tbl in body_tables(report) if is_scale(tbl)]
    assert len(scales) == len(report.model.scaling.scores)  # type: ignore[attr-defined]
    for tbl in scales:
        cells = rows_of(tbl)[0]
        marked = [i for i, tc in enumerate(cells) if shaded(tc)]
        assert len(marked) == 1, f"{len(marked)} cells of a scale are marked"
        score = marked[0]
        runs = [
            (r, p)
            for p in cells[score].iter(f"{{{W}}}p")
            for r in p.iter(f"{{{W}}}r")
            if text_of(r).strip()
        ]
        assert runs and all(is_bold(report, r, p) for r, p in runs)
        # The lines under the numbers, or what follows the scale up to the next heading or
        # table, say the score in words.
        after = [text_of(tr) for tr in tbl.findall("w:tr", NS)[1:]]
        for sibling in tbl.itersiblings():
            if sibling.tag == f"{{{W}}}tbl" or heading_level(report, sibling) is not None:
                break
            after.append(text_of(sibling))
        assert f"Score: {score} out of 10" in "\n".join(after)


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_has_enough_contrast_with_its_background(report: Report) -> None:
    low = []
    for tc in report.body.iter(f"{{{W}}}tc"):
        background = cell_fill(tc)
        for p in tc.iter(f"{{{W}}}p"):
            for run in p.iter(f"{{{W}}}r"):
                if not text_of(run).strip():
                    continue
                colour = _run_colour(report, run, p)
                if contrast(colour, background) < 4.5:
                    low.append((text_of(run), colour, background))
    for p in report.body.findall("w:p", NS):
        for run in p.iter(f"{{{W}}}r"):
            colour = _run_colour(report, run, p)
            if text_of(run).strip() and contrast(colour, "FFFFFF") < 4.5:
                low.append((text_of(run), colour, "FFFFFF"))
    assert low == []


def _run_colour(report: Report, run: etree._Element, p: etree._Element) -> str:
    own = run.find("w:rPr/w:color", NS)
    candidates = [own] + [
        style.find("w:rPr/w:color", NS) for style in report.style_chain(paragraph_style(p))
    ]
    for colour in candidates:
        if colour is not None and colour.get(f"{{{W}}}val", "auto") != "auto":
            return colour.get(f"{{{W}}}val").upper()
    return "000000"


# --- header and footer -----------------------------------------------------------------------


def test_every_section_has_a_header_with_the_marking_and_a_footer_with_page_x_of_y(
    report: Report,
) -> None:
    rels = etree.fromstring(report.parts["word/_rels/document.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    settings = etree.fromstring(report.parts["word/settings.xml"])
    sections = list(report.document.iter(f"{{{W}}}sectPr"))
    assert sections
    for sect in sections:
        kinds = ["default"]
        if is_on(sect.find("w:titlePg", NS)):
            kinds.append("first")
        if is_on(settings.find("w:evenAndOddHeaders", NS)):
            kinds.append("even")
        for which in kinds:
            for part, check in (("header", _has_marking), ("footer", _has_page_x_of_y)):
                ref = sect.find(f"w:{part}Reference[@w:type='{which}']", NS)
                assert ref is not None, f"a section has no {which} {part}"
                xml = report.parts["word/" + targets[ref.get(f"{{{R}}}id")]]
                assert check(xml), f"the {which} {part} lacks what every page must show"


def _has_marking(xml: bytes) -> bool:
    return b"OFFICIAL-SENSITIVE" in xml


def _has_page_x_of_y(xml: bytes) -> bool:
    root = etree.fromstring(xml)
    instructions = " ".join(t.text or "" for t in root.iter(f"{{{W}}}instrText"))
    instructions += " ".join(f.get(f"{{{W}}}instr", "") for f in root.iter(f"{{{W}}}fldSimple"))
    return "NUMPAGES" in instructions and re.search(r"\bPAGE\b", instructions) is not None
