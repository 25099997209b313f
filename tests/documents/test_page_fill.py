"""No page is more than half empty before a document's last: every example's report, annex,
map, record and Word form, converted by LibreOffice and measured page by page.

A page's filled height is how far down its body (between the top and bottom margins the
document sets, so the running header and footer do not count) its lowest word reaches,
read from poppler's word boxes (`pdftotext -bbox`). None of these documents asks for a page
break anywhere, so no page is excused.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from sos_reports.commands.forms import convert as convert_input
from sos_reports.commands.forms import new_input
from sos_reports.commands.merge import merge
from sos_reports.commands.reports import fill
from sos_reports.documents.pdf import convert
from sos_reports.kinds import KINDS
from tests.helpers.docx_xml import NS, W, docx_parts
from tests.helpers.examples import EXAMPLES, example_path, example_tree, write_yaml

pytestmark = pytest.mark.pdf

HALF = 0.5
POINTS_PER_TWIP = 1 / 20
CONFERENCE = EXAMPLES / "conference"


@dataclass(frozen=True)
class Page:
    number: int
    filled: float  # the share of the body's height that the page's words reach down to
    last_words: str


def body_margins(docx: Path) -> tuple[float, float]:
    """The top and bottom page margins (points) of the document's last section."""
    document = etree.fromstring(docx_parts(docx)["word/document.xml"])
    (margins,) = document.findall(".//w:body/w:sectPr/w:pgMar", NS)
    return (
        int(margins.get(f"{{{W}}}top")) * POINTS_PER_TWIP,
        int(margins.get(f"{{{W}}}bottom")) * POINTS_PER_TWIP,
    )


WORD = re.compile(
    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
)


def pages(pdf: Path, margins: tuple[float, float]) -> list[Page]:
    """Each page's filled height, from the word boxes poppler reads off it."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    top_margin, bottom_margin = margins
    found = []
    for number, match in enumerate(
        re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', html, re.S), 1
    ):
        height = float(match[1])
        top, bottom = top_margin, height - bottom_margin
        # A point's leeway: a line's box may stand a hair outside the margin it sits on.
        body = [
            (float(y_min), float(y_max), text)
            for y_min, y_max, text in WORD.findall(match[2])
            if float(y_min) >= top - 1 and float(y_max) <= bottom + 1
        ]
        lowest = max((y_max for _, y_max, _ in body), default=top)
        last = " ".join(text for _, _, text in body[-8:])
        found.append(Page(number, (lowest - top) / (bottom - top), last))
    return found


def gaps(pdf: Path, docx: Path) -> list[str]:
    """The pages before the last that are more than half empty, in words."""
    measured = pages(pdf, body_margins(docx))
    return [
        f"{docx.name}, page {p.number} of {len(measured)}: filled to {p.filled:.0%}, "
        f"ending {p.last_words!r}"
        for p in measured[:-1]
        if p.filled < HALF
    ]


def example_documents(folder: Path) -> list[Path]:
    """Every example's documents: each report (and annex) and the record, the map of the
    conference's reports, and the Word forms, blank and filled with each example."""
    inputs = folder / "inputs"
    inputs.mkdir()
    sources = [example_path(kind) for kind in KINDS] + sorted(CONFERENCE.glob("*.yaml"))
    written: list[Path] = []
    for source in sources:
        name = f"{source.parent.name}-{source.stem}" if source.parent == CONFERENCE else source.stem
        copied = inputs / f"{name}.yaml"
        shutil.copy(source, copied)
        written += fill(copied, output=folder / f"{name}-report.docx").written
        if source.parent != CONFERENCE:
            written += convert_input(copied, folder / f"{name}-form.docx").written
    written += merge([CONFERENCE], folder / "conference-map.docx").written
    for kind in KINDS:
        written += new_input(kind, folder / f"blank-{kind}-form.docx").written
    return [Path(p) for p in written]


@pytest.fixture(scope="module")
def converted(
    tmp_path_factory: pytest.TempPathFactory, libreoffice: str
) -> Iterator[list[tuple[Path, Path]]]:
    folder = tmp_path_factory.mktemp("documents")
    documents = example_documents(folder)
    yield list(zip(convert(documents, folder, timeout=600), documents, strict=True))


def test_every_example_document_is_converted(converted: list[tuple[Path, Path]]) -> None:
    names = {docx.name for _, docx in converted}
    for kind in KINDS:
        stem = example_path(kind).stem
        assert f"{stem}-report.docx" in names
        assert f"{stem}-form.docx" in names
        assert f"blank-{kind}-form.docx" in names
    assert "conference-map.docx" in names
    assert sum(name.endswith("-confidential-annex.docx") for name in names) >= 3


def test_no_page_before_the_last_is_more_than_half_empty(
    converted: list[tuple[Path, Path]],
) -> None:
    found = [gap for pdf, docx in converted for gap in gaps(pdf, docx)]
    assert found == []


# --- the measure itself ----------------------------------------------------------------------


def _document(folder: Path, name: str, lines_before: int, lines_after: int) -> Path:
    """A document of lines, a page break after the first `lines_before` (none if 0), and
    more lines."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    for i in range(lines_before):
        doc.add_paragraph(f"Line {i + 1} before the break.")
    if lines_before:
        doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    for i in range(lines_after):
        doc.add_paragraph(f"Line {i + 1} after the break.")
    path = folder / f"{name}.docx"
    doc.save(str(path))
    return path


def test_the_measure_finds_a_page_left_half_empty_and_passes_full_ones(
    tmp_path: Path, libreoffice: str
) -> None:
    short = _document(tmp_path, "short", 3, 10)
    full = _document(tmp_path, "full", 0, 100)
    short_pdf, full_pdf = convert([short, full], tmp_path)
    (gap,) = gaps(short_pdf, short)
    assert gap.startswith("short.docx, page 1 of 2: filled to ")
    assert gap.endswith("Line 3 before the break.'")
    assert gaps(full_pdf, full) == []
    measured = pages(full_pdf, body_margins(full))
    assert len(measured) >= 3 and all(p.filled > 0.9 for p in measured[:-1])


# --- what used to leave the gaps ---------------------------------------------------------------


def _pdf_pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


NAMES = ("Ada", "Bea", "Cal", "Dot", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jem", "Kit", "Lou")


def _many_children(tree: dict[str, Any], count: int) -> dict[str, Any]:
    """The example with `count` children, each a sibling of the first with every per-child
    list answered for them."""
    tree = copy.deepcopy(tree)
    first = tree["children"][0]
    tree["children"] = [
        {**first, "id": f"c{i}", "name": f"{NAMES[i]} Fenwick", "known_as": None}
        for i in range(count)
    ]
    tree["children"] = [{k: v for k, v in c.items() if v is not None} for c in tree["children"]]
    ids = [c["id"] for c in tree["children"]]

    def per_child(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**entries[0], "child": child} for child in ids]

    tree["scaling"]["scores"] = per_child(tree["scaling"]["scores"])
    tree["child_voice"] = per_child(tree["child_voice"])
    tree["involvement"]["last_seen"] = per_child(tree["involvement"]["last_seen"])
    if "view_on_plan" in tree:
        tree["view_on_plan"] = per_child(tree["view_on_plan"])
    for statement in tree["worries"]["danger_statements"]:
        statement.pop("children", None)
    for person in tree["household"]:
        person.pop("parental_responsibility_for", None)
    return tree


def test_a_long_children_table_breaks_between_children_under_its_repeated_header(
    tmp_path: Path, libreoffice: str
) -> None:
    source = write_yaml(tmp_path / "six.yaml", _many_children(example_tree("icpc"), 6))
    (report, *_) = fill(source).written
    (pdf,) = convert([Path(report)], tmp_path)
    texts = _pdf_pages_text(pdf)
    header = re.compile(r"Name\s+Date of birth\s+Gender\s+Ethnicity")
    on = [i for i, text in enumerate(texts) if header.search(text)]
    assert len(on) >= 2 and on == list(range(on[0], on[0] + len(on))), on  # page after page
    assert "Ada Fenwick" in texts[on[0]] and "Fay Fenwick" in texts[on[-1]]
    table = "".join(texts[i] for i in on)
    assert all(f"{name} Fenwick" in table for name in NAMES[:6])
    assert gaps(pdf, Path(report)) == []


def test_a_long_gp_health_table_repeats_whose_health_it_is_on_the_next_page(
    tmp_path: Path, libreoffice: str
) -> None:
    tree = example_tree("medical")
    entry = tree["child_health"][0]
    entry["conditions"] = "\n\n".join(
        f"Consultation {i + 1}: seen for a cough and a sore ear, treated and reviewed."
        for i in range(45)
    )
    source = write_yaml(tmp_path / "gp.yaml", tree)
    (report, *_) = fill(source).written
    (pdf,) = convert([Path(report)], tmp_path)
    child = next(c["name"] for c in tree["children"] if c["id"] == entry["child"])
    texts = _pdf_pages_text(pdf)
    header = re.compile(rf"Health: {child}\s+What the practice holds")
    on = [i for i, text in enumerate(texts) if header.search(text)]
    assert len(on) >= 2 and on[1] == on[0] + 1, on  # the table runs on to the next page
    # The long answer flows on from the first page: it does not move whole to the next.
    assert "Consultation 1:" in texts[on[0]] and "Consultation 45:" in texts[on[1]]
    assert gaps(pdf, Path(report)) == []


def test_the_maps_agencies_answers_flow_on_under_their_agencys_name(
    converted: list[tuple[Path, Path]],
) -> None:
    (pdf,) = [pdf for pdf, docx in converted if docx.name == "conference-map.docx"]
    texts = _pdf_pages_text(pdf)
    gp = re.compile(r"General practice: Dr Anil Mehra, Salaried GP")
    on = [i for i, text in enumerate(texts) if gp.search(text)]
    # The GP's answers start under the three questions' heading and run on to the next page,
    # which names the agency again above them.
    assert len(on) == 2 and on[1] == on[0] + 1, on
    assert "The three questions" in texts[on[0]]
    assert "What are we worried about?" in texts[on[1]]
