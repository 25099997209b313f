"""The python-docx toolkit the report templates are built with: page, styles, tables, tags.

Every Jinja tag is written as one whole run, so no template the project ships has a tag
that Word split across runs. Layout choices live here, once, for all kinds:
A4, Arial (Liberation Sans on Linux), en-GB, real heading styles, header rows that repeat,
rows that never break across a page, and headings and the lines that introduce a table kept
with what follows them. LibreOffice keeps no table with the paragraph after it, so what must
stay with a table is built into it, as rows across it.

Only what the templates use is kept of python-docx's default document (see finish()).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from sos_reports.support.ooxml import LANGUAGE, order_cell_properties

FONT = "Arial"
ACCENT = RGBColor(0x1F, 0x38, 0x64)  # dark blue: 12:1 contrast on white
HEADER_FILL = "DCE3EE"  # light blue-grey behind table header rows; black text on it
LABEL_FILL = "F2F2F2"
PAGE_WIDTH = Cm(21.0)
MARGIN = Cm(2.0)
TEXT_WIDTH = Cm(17.0)  # A4 less two 2 cm margins
MIN_COLUMN = 1.0  # cm: room for a number; a column of words needs far more (see table())
# cm: the widest long date, "28 September 2017" in 10 pt Arial, is 3.1 cm; with the cell's
# margins a date column needs 3.5 cm to hold it on one line.
DATE_WIDTH = 3.5
CELL_PAD_TOP = 60  # twips (3 pt): the same as Table Text's space after, so text sits centred
CELL_PAD_SIDE = 108  # twips (0.19 cm): Word's default, written out so every reader agrees


def new_document(title: str) -> DocxDocument:
    """An empty A4 document with the house styles, in British English."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, MARGIN)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _set_defaults(doc)
    _style_text(doc)
    _clean_properties(doc, title)
    _drop_stock_parts(doc)
    return doc


# Parts of python-docx's default document that no report uses: a thumbnail of an empty page,
# Word 2010's copy of the styles (stylesWithEffects, 438 KB, which Word checks against
# styles.xml and finds different), a bibliography store (customXml), the numbering of list
# styles the reports do not have, and web-page settings.
_STOCK_RELATIONSHIPS = {
    RT.THUMBNAIL,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.CUSTOM_XML,
    RT.NUMBERING,
    RT.WEB_SETTINGS,
}

APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>sos-reports</Application></Properties>'
)

FONT_TABLE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>'
    b'<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>'
)


def landscape(doc: DocxDocument) -> None:
    """Turn the page: A4 landscape, for a document whose tables need more columns (the
    conference map sets each agency beside the others)."""
    section = doc.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)


def text_width(doc: DocxDocument) -> float:
    """The width between the margins, in cm: 17 on A4 portrait, 25.7 on A4 landscape."""
    section = doc.sections[-1]
    page, left, right = section.page_width or 0, section.left_margin or 0, section.right_margin or 0
    return round(Emu(page - left - right).cm, 2)


def _drop_stock_parts(doc: DocxDocument) -> None:
    """Leave out what python-docx's default document brings and no report uses, and name
    this program, not "Microsoft Macintosh Word", as the one that wrote the file."""
    package = doc.part.package
    for owner in (package, doc.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in _STOCK_RELATIONSHIPS:
                del owner.rels[rid]
    app = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, APP_XML, package)
    _replace_part(package, RT.EXTENDED_PROPERTIES, app)
    # The stock font table lists Cambria, Calibri and MS Mincho; the reports use Arial only.
    fonts = Part(PackURI("/word/fontTable.xml"), CT.WML_FONT_TABLE, FONT_TABLE, package)
    _replace_part(doc.part, RT.FONT_TABLE, fonts)
    settings = doc.settings.element
    # Without this, Word saves a new thumbnail of the first page (with a child's name on it).
    for unwanted in ("w:savePreviewPicture", "w:rsids"):
        for element in settings.findall(qn(unwanted)):
            settings.remove(element)


def _replace_part(owner: OpcPackage | Part, reltype: str, part: Part) -> None:
    for rid, rel in list(owner.rels.items()):
        if rel.reltype == reltype:
            del owner.rels[rid]
    owner.relate_to(part, reltype)


def finish(doc: DocxDocument) -> None:
    """Keep only the styles the template uses (and those they are based on), without the
    hundreds of latent and table styles of the default document: a report is smaller,
    faster to write, and its style list shows what it is made of."""
    order_cell_properties(doc.element)  # the kit appends cell properties as it goes
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    used: set[str] = set()
    parts = [doc.part] + [
        rel.target_part for rel in doc.part.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used |= {e.get(qn("w:val")) for e in part.element.iter(qn(tag))}
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep = {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"} | used
    todo = list(keep)
    while todo:
        style = by_id.get(todo.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            styles.remove(style)
            continue
        link = style.find(qn("w:link"))
        if link is not None and link.get(qn("w:val")) not in keep:
            style.remove(link)


def _set_defaults(doc: DocxDocument) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")
    # Never one line of a paragraph alone at the foot or head of a page. Unset, the property
    # is off (OOXML), and LibreOffice then leaves single lines behind, in table cells too.
    if ppr.find(qn("w:widowControl")) is None:
        spacing.addprevious(OxmlElement("w:widowControl"))
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:val"), LANGUAGE)


def _fonts(rpr: object) -> None:
    """Name the font outright for every script, instead of the theme's Calibri/Cambria."""
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)


def _style_text(doc: DocxDocument) -> None:
    sizes = {"Normal": 11, "Title": 20, "Heading 1": 15, "Heading 2": 12.5, "Heading 3": 11}
    for name, size in sizes.items():
        style = doc.styles[name]
        style.font.name = FONT
        _size(style, size)
        _fonts(style.element.get_or_add_rPr())
        if name == "Normal":
            continue
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = ACCENT
        fmt = style.paragraph_format
        fmt.keep_with_next = True
        fmt.space_before = Pt({"Title": 0, "Heading 1": 18, "Heading 2": 12}.get(name, 8))
        fmt.space_after = Pt(6 if name != "Title" else 4)
    title = doc.styles["Title"].element.get_or_add_pPr()
    border = title.find(qn("w:pBdr"))
    # The default Title has a coloured rule under it; a plain one reads better.
    if border is not None:
        title.remove(border)
    small = doc.styles.add_style("Small", 1)
    small.base_style = doc.styles["Normal"]
    _size(small, 9.5)
    small.paragraph_format.space_after = Pt(2)
    table_text = doc.styles.add_style("Table Text", 1)
    table_text.base_style = doc.styles["Normal"]
    _size(table_text, 10)
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(3)
    table_text.paragraph_format.line_spacing = 1.05


def _size(style: Any, points: float) -> None:
    """The size of a style for every script: the stock styles give complex scripts (Arabic,
    Urdu) sizes of their own, so a name in Arabic would print larger than its heading."""
    style.font.size = Pt(points)
    rpr = style.element.get_or_add_rPr()
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(size_cs)
    size_cs.set(qn("w:val"), str(round(points * 2)))


def _clean_properties(doc: DocxDocument, title: str) -> None:
    import datetime as dt

    from sos_reports.support.ooxml import reset_core_properties

    # A fixed stamp keeps regenerated templates identical.
    reset_core_properties(doc.core_properties, title=title, when=dt.datetime(2025, 1, 1))


# --- paragraphs ------------------------------------------------------------------------------


# A run of text, or (text, "b" | "i" | "bi") for bold and italic; a line of a cell is one run
# or a list of runs. Builders annotate their lists with these (`lines: list[Line] = [...]`).
Run = str | tuple[str, str]
Line = Run | Sequence[Run]


def para(container: object, *runs: Run, style: str | None = None) -> Paragraph:
    """A paragraph of runs; a tuple run is (text, 'b'|'i'|'bi') for bold/italic."""
    p: Paragraph = container.add_paragraph(style=style)  # type: ignore[attr-defined]
    for run in runs:
        text, fmt = (run, "") if isinstance(run, str) else run
        r = p.add_run(text)
        r.bold = "b" in fmt or None
        r.italic = "i" in fmt or None
    return p


def tag(container: object, text: str) -> Paragraph:
    """A paragraph that holds only a `{%p ... %}` tag (it disappears when rendered)."""
    return para(container, text)


def heading(doc: DocxDocument, text: str, level: int) -> Paragraph:
    p = doc.add_paragraph(style=f"Heading {level}")
    p.add_run(text)
    return p


def field_run(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result, as Word writes them."""

    def run_with(child: object) -> None:
        r = paragraph.add_run()
        r._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def header_and_footer(doc: DocxDocument, header: str, footer: str) -> None:
    """The marking on top of every page; the report, date and Page X of Y at the foot."""
    section = doc.sections[0]
    top = section.header.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = top.add_run(header)
    run.bold = True
    run.font.size = Pt(11)
    bottom = section.footer.paragraphs[0]
    bottom.style = doc.styles["Small"]
    bottom.paragraph_format.tab_stops.add_tab_stop(Cm(text_width(doc)), WD_TAB_ALIGNMENT.RIGHT)
    bottom.add_run(footer)
    bottom.add_run("\t")
    bottom.add_run("Page ")
    field_run(bottom, "PAGE", "1")
    bottom.add_run(" of ")
    field_run(bottom, "NUMPAGES", "1")


# --- tables ----------------------------------------------------------------------------------


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _mark_header(row: _Row) -> None:
    """A header row: repeated on every page, announced as headers by screen readers."""
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    trpr.append(header)
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)


def _no_split(row: _Row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _cell_text(
    cell: _Cell, text: str, *, bold: bool = False, style: str = "Table Text"
) -> Paragraph:
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style]  # type: ignore[attr-defined]
    if text:
        r = p.add_run(text)
        r.bold = bold or None
    return p


def table(doc: DocxDocument, widths: Sequence[float], header: Sequence[str] | None = None) -> Table:
    """A full-width grid table with fixed column widths (cm) and an optional header row.

    The paragraph just before it (a heading, or a line that introduces the table) is kept on
    the same page as the table's first row. A column of words needs its longest word plus
    0.4 cm of cell margins: in 10 pt Arial "responsibility" (bold) is 2.3 cm, "Yorkshire"
    1.6 cm, and a long date on one line DATE_WIDTH.
    """
    width = text_width(doc)
    if abs(sum(widths) - width) > 0.01 or min(widths) < MIN_COLUMN:
        raise ValueError(
            f"table columns {widths} must fill the {width:g} cm text width, "
            f"none narrower than {MIN_COLUMN:g} cm"
        )
    _keep_with_table(doc)
    t = doc.add_table(rows=0, cols=len(widths))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False  # python-docx writes the fixed layout: columns keep the widths given
    _cell_margins(t)
    for col, width in zip(t.columns, widths, strict=True):
        col.width = Cm(width)
    if header:
        header_row(t, widths, header)
    return t


def header_row(t: Table, widths: Sequence[float], header: Sequence[str]) -> _Row:
    """A header row of the table: a cell a column, or one across the table for one text;
    repeated at the top of every page the table runs on to."""
    row = add_row(t, widths)
    _mark_header(row)
    cells = list(row.cells) if len(header) == len(widths) else [row.cells[0].merge(row.cells[-1])]
    for cell, text in zip(cells, header, strict=True):
        _shade(cell, HEADER_FILL)
        # Word keeps the header row on the page of the first row under it.
        _cell_text(cell, text, bold=True).paragraph_format.keep_with_next = True
    return row


def _keep_with_table(doc: DocxDocument) -> None:
    blocks = [child for child in doc.element.body if child.tag != qn("w:sectPr")]
    if not blocks or blocks[-1].tag != qn("w:p"):
        return
    paragraph = Paragraph(blocks[-1], doc._body)
    if paragraph.text.startswith("{%"):  # a tag paragraph disappears when rendered
        return
    if not (paragraph.style is not None and paragraph.style.paragraph_format.keep_with_next):
        paragraph.paragraph_format.keep_with_next = True


def _cell_margins(t: Table) -> None:
    """Room above the text in every cell; Table Text's space after gives the same below."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (
        ("top", CELL_PAD_TOP),
        ("left", CELL_PAD_SIDE),
        ("bottom", 0),
        ("right", CELL_PAD_SIDE),
    ):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    # The schema orders tblPr's children: tblCellMar goes before tblLook (when present).
    tblpr = t._tbl.tblPr
    look = tblpr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tblpr.append(margins)


def add_row(t: Table, widths: Sequence[float]) -> _Row:
    row = t.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Cm(width)
    return row


def tag_row(t: Table, widths: Sequence[float], text: str) -> None:
    """A row holding only a `{%tr ... %}` tag; it is replaced by the tag when rendered."""
    row = add_row(t, widths)
    _cell_text(row.cells[0], text)


def data_row(
    t: Table,
    widths: Sequence[float],
    texts: Iterable[str],
    *,
    label_first: bool = False,
    dates: Collection[int] = (),
    flows: bool = False,
) -> _Row:
    """A row of cells; it moves to the next page whole rather than break across pages (a row
    taller than a page still flows on, as OOXML asks), so no line is cut from its row.

    A row that `flows` may break across pages: one whose cells hold whole answers, which
    moved whole would leave most of a page empty above them (the table's header rows are
    repeated over the rest).

    The cells numbered in `dates` hold a date alone: wide enough for the longest, and marked
    not to wrap, so that no reader sees "11 February" over "1994".
    """
    row = add_row(t, widths)
    if not flows:
        _no_split(row)
    for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        is_label = label_first and i == 0
        if is_label:
            _shade(cell, LABEL_FILL)
        if i in dates:
            if widths[i] < DATE_WIDTH:
                raise ValueError(f"a date column needs {DATE_WIDTH} cm, not {widths[i]}")
            cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
        _cell_text(cell, text, bold=is_label)
    return row


@dataclass(frozen=True)
class Row:
    """One line of a label/value table; `when` is the Jinja test that shows it (always if None)."""

    label: str
    value: str
    when: str | None = None


LABEL_WIDTHS = (5.0, 12.0)


def label_table(
    doc: DocxDocument,
    rows: Sequence[Row],
    widths: Sequence[float] = LABEL_WIDTHS,
    header: Sequence[str] | None = None,
) -> Table:
    """A two-column table of labels and values, leaving out rows whose value is not given.

    A table with a `header` (saying whose the values are) may break inside a row, since the
    header is repeated above the rest on the next page: a long answer then flows on rather
    than move whole and leave the page before it half empty.
    """
    t = table(doc, widths, header)
    for row in rows:
        if row.when:
            tag_row(t, widths, f"{{%tr if {row.when} %}}")
        data_row(t, widths, (row.label, row.value), label_first=True, flows=header is not None)
        if row.when:
            tag_row(t, widths, "{%tr endif %}")
    return t


def optional(value: str) -> str:
    """The Jinja test for an optional value."""
    return f"{value} is not none"


def loop_table(
    doc: DocxDocument,
    header: Sequence[str],
    widths: Sequence[float],
    loop: str,
    cells: Sequence[str],
    *,
    dates: Collection[int] = (),
) -> Table:
    """A table with a header row and one row per item of a list (`dates`: see data_row)."""
    t = table(doc, widths, header)
    tag_row(t, widths, f"{{%tr for {loop} %}}")
    data_row(t, widths, cells, dates=dates)
    tag_row(t, widths, "{%tr endfor %}")
    return t


@dataclass(frozen=True)
class ScaleLine:
    """A line of runs under the scale; `when` is the Jinja test that shows it (always if None)."""

    runs: Sequence[Run]
    when: str | None = None


def scale_table(
    doc: DocxDocument, score: str, zero: str, ten: str, below: Sequence[ScaleLine] = ()
) -> Table:
    """The visual 0..10 scale: the scored cell dark with a white bold number, the rest light;
    under it, the meanings of 0 and 10 and the lines that say the score in words.

    The score is also written in words, so colour is never the only carrier. The lines are
    rows of the same table, each one cell across the scale without borders, and every
    paragraph keeps with the next: Word then keeps the block on one page with the reason
    after it, and LibreOffice, which keeps a table with nothing after it, does not split a
    table whose paragraphs all keep with the next.
    """
    widths = [TEXT_WIDTH.cm / 11] * 11
    t = table(doc, widths)
    row = add_row(t, widths)
    _no_split(row)
    for i, cell in enumerate(row.cells):
        p = cell.paragraphs[0]
        p.style = doc.styles["Table Text"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(1)  # plus the cell's 3 pt: 4 pt above and below
        p.paragraph_format.space_after = Pt(4)
        p.add_run(f"{{% cellbg '{ACCENT}' if {score} == {i} else 'FFFFFF' %}}")
        p.add_run(f"{{%r if {score} == {i} %}}")
        marked = p.add_run(str(i))
        marked.bold = True
        marked.font.size = Pt(13)
        marked.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        p.add_run("{%r else %}")
        plain = p.add_run(str(i))
        plain.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        p.add_run("{%r endif %}")
    legend = _line_under(t, widths, "Small", rule_above=True)
    legend.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    legend.paragraph_format.space_after = Pt(2)
    for text, fmt in (("0: ", "b"), (zero, ""), ("\t", ""), ("10: ", "b"), (ten, "")):
        legend.add_run(text).bold = fmt == "b" or None
    for line in below:
        if line.when:
            tag_row(t, widths, f"{{%tr if {line.when} %}}")
        p = _line_under(t, widths, "Normal")
        p.paragraph_format.space_after = Pt(6)
        for run in line.runs:
            text, fmt = (run, "") if isinstance(run, str) else run
            r = p.add_run(text)
            r.bold = "b" in fmt or None
            r.italic = "i" in fmt or None
        if line.when:
            tag_row(t, widths, "{%tr endif %}")
    return t


def spanning_row(t: Table, widths: Sequence[float]) -> _Cell:
    """A row of one cell across the whole table, kept whole on its page."""
    row = add_row(t, widths)
    _no_split(row)
    return row.cells[0].merge(row.cells[-1])


def keep_together(t: Table) -> None:
    """Every paragraph of the table keeps with the next: one page for the whole table."""
    for p in t._tbl.iter(qn("w:p")):
        Paragraph(p, t._parent).paragraph_format.keep_with_next = True


def _line_under(
    t: Table, widths: Sequence[float], style: str, *, rule_above: bool = False
) -> Paragraph:
    """A row of one cell across the table, its text at the page margin, with no border but
    (with `rule_above`) the line that closes off the row above."""
    cell = spanning_row(t, widths)
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("left", "bottom", "right") if rule_above else ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tcpr.append(borders)
    margins = OxmlElement("w:tcMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tcpr.append(margins)
    p = cell.paragraphs[0]
    p.style = t.part.document.styles[style]  # type: ignore[attr-defined]
    p.paragraph_format.keep_with_next = True
    return p


def cell_paragraphs(cell: _Cell, lines: Sequence[Line]) -> None:
    """Fill a cell with paragraphs; each line is a run, a (text, fmt) run, or a list of runs."""
    first = True
    for line in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.style = cell.part.document.styles["Table Text"]  # type: ignore[attr-defined]
        runs = [line] if isinstance(line, (str, tuple)) else list(line)
        for run in runs:
            text, fmt = (run, "") if isinstance(run, str) else run
            r = p.add_run(text)
            r.bold = "b" in fmt or None
            r.italic = "i" in fmt or None
