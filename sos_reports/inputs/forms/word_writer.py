"""The Word form: the input as a .docx whose answers are content controls, tagged by path.

Every heading, label, answer box and placeholder comes from the forms layout
(forms/layout.py), as the workbook's do, so a field added to the model appears here with no
edit. Each answer is a content control (plain text, rich text for free text over several
lines, a date picker, a dropdown for a choice, a score or an optional yes/no, a check box
for a required yes/no) whose `w:tag` is the
field's input path with list indexes (`children[0].name`), so the reader finds every value
by its tag, wherever the user moved it, and names a problem by the control's title.

The document is written part by part with lxml, not on python-docx's default template: no
stock thumbnail, styles-with-effects or latent styles, A4, en-GB, Arial, as the reports.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import IO, Any

from lxml import etree
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from sos_reports.errors import SosError
from sos_reports.inputs.forms.layout import (
    Answer,
    Section,
    Table,
    hint,
    plan,
    sentence,
)
from sos_reports.kinds import KINDS, get_kind
from sos_reports.model.types import ChoiceValue, check_xml_safe, normalise_breaks
from sos_reports.support.tree import Loc, as_list, child_ids, dig, path_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML = "http://www.w3.org/XML/1998/namespace"
NSMAP = {"w": W, "r": R, "w14": W14, "mc": MC}

# Bumped when the reader could no longer read older forms the same way.
LAYOUT_VERSION = "1"
# The document variable that marks a form made by sos-reports, and says its kind.
MARK = "sos-reports-form"
# Room to write in: a list has this many entries on a blank form (a household more; a list
# inside each entry, SUB_ENTRIES), and one more than it was given on a pre-filled one. A
# per-child list has one entry per child when the children are known. A form has no "add
# an entry" button that works everywhere, so the room is there from the start.
BLANK_ENTRIES = 4
ROOM = {"household": 6, "registered_household": 6, "members": 10}
SUB_ENTRIES = 2
SPARE_ENTRIES = 1
DATE_FORMAT = "dd/MM/yyyy"
CHECKED, UNCHECKED = "\u2612", "\u2610"  # ☒ ☐
BOX_FONT = "MS Gothic"  # as Word writes its own check boxes

FONT = "Arial"
ACCENT = "1F3864"  # the reports' dark blue
GREY = "595959"  # 7:1 on white
ANSWER_FILL = "FFF8E1"  # the workbook's answer colour: where to type
LABEL_FILL = "F2F2F2"
BORDER = "A6A6A6"
# A4 with 2 cm margins, in twentieths of a point.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1134
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 3400

# The Word form's own words for some kinds of value (forms/layout.py has the rest).
KIND_HINTS = {
    "date": "Pick a date, or type it as DD/MM/YYYY.",
    "mtext": "Press Enter for a new line.",
    "choice": "Pick from the list.",
    "bool": "Pick Yes or No.",
}
INSTRUCTIONS = (
    "Type your answers in the shaded boxes; until you type, each box says what it needs. "
    "* marks a required answer.",
    "Dates: pick from the calendar, or type DD/MM/YYYY. Where a box has a list, pick from it; "
    "tick the boxes that apply.",
    "Give each child a short id under Children (letters and digits, such as maisie); the "
    "other parts name the children by that id. Leave entries you do not need empty.",
    "Only what is inside the boxes reaches the report: text typed anywhere else is reported "
    "as a problem, not read.",
    "The report is the family's copy: anything they must not see goes only under "
    "Confidential information, which goes to the chair separately.",
    "When you have finished, save the form as a Word Document (.docx) and send it back, or "
    "check it yourself: sos-reports validate form.docx lists anything missing or wrong by "
    "its label, and sos-reports fill form.docx writes the report.",
)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _el(tag: str, attrs: dict[str, str] | None = None, *children: Any) -> etree._Element:
    """An element `w:x` (or `w14:x`) with `w:`-prefixed attributes and children."""
    prefix, _, local = tag.rpartition(":")
    element = etree.Element(f"{{{NSMAP[prefix or 'w']}}}{local}")
    for key, value in (attrs or {}).items():
        a_prefix, _, a_local = key.rpartition(":")
        element.set(f"{{{NSMAP[a_prefix or 'w']}}}{a_local}", value)
    for child in children:
        if child is not None:
            element.append(child)
    return element


def _val(tag: str, value: str) -> etree._Element:
    return _el(tag, {"w:val": value})


# --- the tree's values as a control shows them ----------------------------------------------


def _typed(answer: Answer, value: Any, where: str) -> Any:
    """One tree value as the form shows it: a date, a choice by its label, text as typed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        out = answer.convert(value)
    except ValidationError:
        # Shown as given: the reader hands it back and the check names its control.
        out = None
    if out is None:
        if answer.value_type == "bool" and answer.required:
            raise SosError(
                f"{where}: {value!r} is not yes or no, and a Word form's check box holds only "
                "yes or no: correct it first"
            )
        return _text_of(value, where)
    if isinstance(out, bool):
        return out
    if isinstance(out, ChoiceValue):
        return out.label
    if isinstance(out, dt.date):
        return out
    if isinstance(value, str):
        return _text_of(value, where)  # what was typed, spaces and all
    return _text_of(out, where)


def _text_of(value: Any, where: str) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = value if isinstance(value, str) else str(value)
    try:
        check_xml_safe(text.replace("\x0b", "\n"))
    except PydanticCustomError as exc:  # the model's message: which character, where
        raise SosError(f"{where}: {exc.message()}") from None
    return normalise_breaks(text)


def _shown(answer: Answer, value: Any, where: str) -> Any:
    if answer.many:
        items = value if isinstance(value, list) else ([] if value is None else [value])
        shown = [_typed(answer, item, where) for item in items]
        separator = ", " if answer.value_type in ("child", "choice") else "\n"
        texts = [_text_of(s, where) for s in shown if s is not None]
        return separator.join(texts) or None
    return _typed(answer, value, where)


# --- the document ---------------------------------------------------------------------------


@dataclass
class _Writer:
    kind: str
    tree: dict[str, Any]
    body: etree._Element = field(default_factory=lambda: _el("body"))
    next_id: int = 1
    texts: set[str] = field(default_factory=set)
    children: list[str] = field(default_factory=list)

    # -- paragraphs ---------------------------------------------------------------------------

    def para(self, text: str, style: str | None = None, *, bold: bool = False) -> etree._Element:
        """A paragraph of the form's own words, remembered so the reader can tell them apart
        from what a user typed outside the answer boxes."""
        self.texts.add(text)
        props = _el("pPr", None, _val("pStyle", style)) if style else None
        run_props = _el("rPr", None, _el("b")) if bold else None
        run = _el("r", None, run_props, _t(text)) if text else None
        return _el("p", None, props, run)

    def add(self, element: etree._Element) -> None:
        self.body.append(element)

    # -- controls -----------------------------------------------------------------------------

    def control(self, answer: Answer, loc: Loc, value: Any) -> etree._Element:
        """The content control of one answer, tagged with its path, showing `value`."""
        where = path_of(loc)
        shown = value if answer.fixed else _shown(answer, value, where)
        label = answer.label.rstrip(" *")
        props = _el("sdtPr")
        content = _el("sdtContent")
        empty = shown is None or shown == ""
        kind = "text" if answer.many else answer.value_type
        box = kind == "bool" and answer.required
        props.append(_val("alias", label))
        props.append(_val("tag", where))
        props.append(_val("id", str(self.next_id)))
        self.next_id += 1
        # The box itself cannot be deleted; the kind and format are not to be changed.
        props.append(_val("lock", "sdtContentLocked" if answer.fixed else "sdtLocked"))
        if empty and not box:
            props.append(_el("showingPlcHdr"))
        if box:
            state = bool(shown)
            props.append(
                _el(
                    "w14:checkbox",
                    None,
                    _el("w14:checked", {"w14:val": "1" if state else "0"}),
                    _el("w14:checkedState", {"w14:val": "2612", "w14:font": BOX_FONT}),
                    _el("w14:uncheckedState", {"w14:val": "2610", "w14:font": BOX_FONT}),
                )
            )
            fonts = {f"w:{s}": BOX_FONT for s in ("ascii", "hAnsi", "eastAsia")}
            content.append(
                _el(
                    "r",
                    None,
                    _el("rPr", None, _el("rFonts", fonts)),
                    _t(CHECKED if state else UNCHECKED),
                )
            )
            return _el("sdt", None, props, content)
        items = self._items(answer, kind)
        if kind == "date":
            date_props = {} if not isinstance(shown, dt.date) else {"w:fullDate": _full(shown)}
            props.append(
                _el(
                    "date",
                    date_props,
                    _val("dateFormat", DATE_FORMAT),
                    _val("lid", "en-GB"),
                    _val("storeMappedDataAs", "dateTime"),
                    _val("calendar", "gregorian"),
                )
            )
        elif items is not None:
            listing = _el("dropDownList")
            for display, stored in items:
                listing.append(_el("listItem", {"w:displayText": display, "w:value": stored}))
            props.append(listing)
        elif kind == "mtext":
            # Free text is a rich text control, not a multi-line plain text one: LibreOffice
            # (7.4) drops the line breaks of a plain text control when it saves, and keeps
            # them in a rich text one. Word takes Enter in it as a new paragraph; the reader
            # reads paragraphs and line breaks alike.
            pass
        else:
            props.append(_el("text"))
        if empty:
            content.append(_el("r", None, _placeholder_props(), _t(placeholder(answer))))
        else:
            text = _text_of(shown, where)
            for run in _runs(text):
                content.append(run)
        return _el("sdt", None, props, content)

    def _items(self, answer: Answer, kind: str) -> list[tuple[str, str]] | None:
        """A dropdown's entries (shown, stored), or None for a control typed into."""
        if answer.fixed:
            return None
        if kind == "choice":
            return [(label, value) for value, label in answer.labels.items()]
        if kind == "score":
            return [(str(n), str(n)) for n in range(11)]
        if kind == "bool":  # an optional yes/no: a dropdown, so that it can be left unsaid
            return [("Yes", "yes"), ("No", "no")]
        if kind == "child" and self.children:
            return [(cid, cid) for cid in self.children]
        return None

    # -- tables of labels and answers ---------------------------------------------------------

    def rows(self, answers: list[tuple[Answer, Loc, Any]]) -> etree._Element:
        """A table of label / answer rows."""
        table = _el(
            "tbl",
            None,
            _el(
                "tblPr",
                None,
                _val("tblStyle", "FormTable"),
                _el("tblW", {"w:w": str(TEXT_WIDTH), "w:type": "dxa"}),
                _el("tblLayout", {"w:type": "fixed"}),
                _el(
                    "tblLook",
                    {
                        "w:val": "0000",
                        "w:firstRow": "0",
                        "w:lastRow": "0",
                        "w:firstColumn": "0",
                        "w:lastColumn": "0",
                        "w:noHBand": "1",
                        "w:noVBand": "1",
                    },
                ),
            ),
            _el(
                "tblGrid",
                None,
                _el("gridCol", {"w:w": str(LABEL_WIDTH)}),
                _el("gridCol", {"w:w": str(TEXT_WIDTH - LABEL_WIDTH)}),
            ),
        )
        for answer, loc, value in answers:
            self.texts.add(answer.label)
            label = _el(
                "tc",
                None,
                _cell_props(LABEL_WIDTH, LABEL_FILL),
                _el(
                    "p",
                    None,
                    _el("pPr", None, _val("pStyle", "FormLabel")),
                    _el("r", None, _t(answer.label)),
                ),
            )
            answer_cell = _el(
                "tc",
                None,
                _cell_props(TEXT_WIDTH - LABEL_WIDTH, "EEEEEE" if answer.fixed else ANSWER_FILL),
                _el(
                    "p",
                    None,
                    _el("pPr", None, _val("pStyle", "FormAnswer")),
                    self.control(answer, loc, value),
                ),
            )
            table.append(_el("tr", None, _el("trPr", None, _el("cantSplit")), label, answer_cell))
        return table

    # -- the parts of the form ----------------------------------------------------------------

    def build(self) -> etree._Element:
        self.children = child_ids(self.tree)
        title = KINDS[self.kind].title
        self.add(self.para(title, "Title"))
        self.add(self.para("Word form for sos-reports", "Subtitle"))
        self.add(self.para("How to fill in this form", "Heading1"))
        for line in INSTRUCTIONS:
            self.add(self.para(line, "FormIntro"))
        for part in plan(self.kind):
            if isinstance(part, Section):
                self.section(part)
            elif part.parent is None:
                self.table(part)
        self.add(_section_properties())
        return self.body

    def section(self, section: Section) -> None:
        heading = section_heading(section)
        self.add(self.para(heading, "Heading1"))
        if section.help:
            self.add(self.para(sentence(section.help).strip(), "FormHelp"))
        block = dig(self.tree, section.base) if section.base else self.tree
        answers: list[tuple[Answer, Loc, Any]] = []
        for answer in section.answers():
            value = dig(block, answer.keys)
            if answer.fixed:
                value = self.tree.get(answer.keys[-1])
            answers.append((answer, (*section.base, *answer.keys), value))
        if answers:
            self.add(self.rows(answers))

    def table(self, table: Table) -> None:
        level = "Heading1" if len(table.loc) == 1 else "Heading2"
        self.add(self.para(table.title, level))
        if table.help:
            self.add(self.para(sentence(table.help).strip(), "FormHelp"))
        entries = as_list(dig(self.tree, table.loc))
        blank = table.rows or ROOM.get(table.loc[-1], BLANK_ENTRIES)
        self.entries(table, table.loc, entries, blank, "Heading3")

    def entries(self, table: Table, base: Loc, given: list[Any], blank: int, level: str) -> None:
        count = len(given) + SPARE_ENTRIES if given else blank
        if table.per_child and table.required and self.children:
            count = max(len(given), len(self.children), table.rows)
            given = given + [{table.columns[0].keys[0]: cid} for cid in self.children[len(given) :]]
        if table.scalar:
            answer = table.columns[0]
            rows = []
            for i in range(count):
                value = given[i] if i < len(given) else None
                numbered = replace(answer, label=f"{answer.label} {i + 1}")
                rows.append((numbered, (*base, i), value))
            self.add(self.rows(rows))
            return
        for i in range(count):
            entry = given[i] if i < len(given) and isinstance(given[i], dict) else {}
            self.add(self.para(entry_heading(table, i), level))
            rows = [
                (answer, (*base, i, *answer.keys), dig(entry, answer.keys))
                for answer in table.columns
            ]
            self.add(self.rows(rows))
            for sub in table.subtables:
                self.add(self.para(sub_heading(sub), "Heading4"))
                sub_given = as_list(dig(entry, sub.keys_in_parent))
                sub_base = (*base, i, *sub.keys_in_parent)
                self.entries(sub, sub_base, sub_given, SUB_ENTRIES, "Heading5")


def section_heading(section: Section) -> str:
    # The top-level values come first, under the section's short name ("General"), as the
    # kind's title already heads the form.
    return section.name if not section.base else section.title


def placeholder(answer: Answer) -> str:
    """What an empty answer box says it needs, until the user types in it."""
    words = hint(answer, KIND_HINTS) or "Type here."
    if answer.required and not answer.fixed:
        words += " Required."
    return words


def sub_heading(table: Table) -> str:
    """The heading of a list inside each entry of another list: `Admissions`."""
    title = table.title.split(": ", 1)[-1]
    return title[:1].upper() + title[1:]


def entry_heading(table: Table, index: int) -> str:
    """The heading of one entry of a list: `Children, entry 1`."""
    title = table.title.split(": ", 1)[-1]
    return f"{title[:1].upper()}{title[1:]}, entry {index + 1}"


ENTRY_HEADING = re.compile(r"^.+, entry [0-9]+$")


def _t(text: str) -> etree._Element:
    element = _el("t")
    element.text = text
    if text != text.strip() or "  " in text:
        element.set(f"{{{XML}}}space", "preserve")
    return element


def _runs(text: str) -> Iterator[etree._Element]:
    """A text as runs, a line break as `w:br` and a tab as `w:tab` (Word's own spelling)."""
    for number, line in enumerate(text.split("\n")):
        run = _el("r")
        if number:
            run.append(_el("br"))
        for i, piece in enumerate(line.split("\t")):
            if i:
                run.append(_el("tab"))
            if piece:
                t = _t(piece)
                t.set(f"{{{XML}}}space", "preserve")
                run.append(t)
        yield run


def _placeholder_props() -> etree._Element:
    # The style, as Word writes it; the grey italics also directly, because LibreOffice
    # shows a plain text control's placeholder in the style of the text around it.
    return _el("rPr", None, _val("rStyle", "PlaceholderText"), _el("i"), _val("color", GREY))


def _full(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}T00:00:00Z"


def _cell_props(width: int, fill: str) -> etree._Element:
    return _el(
        "tcPr",
        None,
        _el("tcW", {"w:w": str(width), "w:type": "dxa"}),
        _el("shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill}),
    )


def _section_properties() -> etree._Element:
    return _el(
        "sectPr",
        None,
        _el("footerReference", {"w:type": "default", "r:id": "rIdFooter"}),
        _el("pgSz", {"w:w": str(PAGE_WIDTH), "w:h": str(PAGE_HEIGHT)}),
        _el(
            "pgMar",
            {
                "w:top": str(MARGIN),
                "w:right": str(MARGIN),
                "w:bottom": str(MARGIN),
                "w:left": str(MARGIN),
                "w:header": "567",
                "w:footer": "567",
                "w:gutter": "0",
            },
        ),
    )


# --- the package ------------------------------------------------------------------------------


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _document(body: etree._Element) -> bytes:
    root = etree.Element(_w("document"), nsmap=NSMAP)
    root.set(f"{{{MC}}}Ignorable", "w14")
    root.append(body)
    return _xml(root)


def _footer(kind: str) -> bytes:
    root = etree.Element(_w("ftr"), nsmap={"w": W})
    field_props = _el("rPr", None, _val("sz", "16"))

    def simple(instruction: str) -> etree._Element:
        return _el(
            "fldSimple",
            {"w:instr": instruction},
            _el("r", None, _el("rPr", None, _val("sz", "16")), _t("1")),
        )

    root.append(
        _el(
            "p",
            None,
            _el("pPr", None, _val("pStyle", "Footer")),
            _el("r", None, field_props, _t(f"{KINDS[kind].title}: Word form. Page ")),
            simple("PAGE"),
            _el("r", None, _el("rPr", None, _val("sz", "16")), _t(" of ")),
            simple("NUMPAGES"),
        )
    )
    return _xml(root)


def _styles() -> bytes:
    fonts = {f"w:{s}": FONT for s in ("ascii", "hAnsi", "eastAsia", "cs")}
    root = etree.Element(_w("styles"), nsmap={"w": W})
    root.append(
        _el(
            "docDefaults",
            None,
            _el(
                "rPrDefault",
                None,
                _el(
                    "rPr",
                    None,
                    _el("rFonts", fonts),
                    _val("sz", "20"),
                    _val("szCs", "20"),
                    _el("lang", {"w:val": "en-GB", "w:eastAsia": "en-GB", "w:bidi": "ar-SA"}),
                ),
            ),
            _el(
                "pPrDefault",
                None,
                _el(
                    "pPr",
                    None,
                    _el("spacing", {"w:after": "80", "w:line": "264", "w:lineRule": "auto"}),
                ),
            ),
        )
    )

    def style(
        style_id: str,
        name: str,
        kind: str = "paragraph",
        *,
        size: int | None = None,
        bold: bool = False,
        italic: bool = False,
        color: str | None = None,
        before: int | None = None,
        after: int | None = None,
        outline: int | None = None,
        keep_next: bool = False,
        default: bool = False,
    ) -> etree._Element:
        attrs = {"w:type": kind, "w:styleId": style_id}
        if default:
            attrs["w:default"] = "1"
        element = _el("style", attrs, _val("name", name))
        if kind == "paragraph" and not default:
            element.append(_val("basedOn", "Normal"))
            element.append(_val("next", "Normal"))
        element.append(_el("qFormat"))
        if kind == "paragraph":
            p_props = _el("pPr")
            if keep_next:
                p_props.append(_el("keepNext"))
            spacing = {}
            if before is not None:
                spacing["w:before"] = str(before)
            if after is not None:
                spacing["w:after"] = str(after)
            if spacing:
                p_props.append(_el("spacing", spacing))
            if outline is not None:
                p_props.append(_val("outlineLvl", str(outline)))
            element.append(p_props)
        r_props = _el("rPr")
        if bold:
            r_props.append(_el("b"))
            r_props.append(_el("bCs"))
        if italic:
            r_props.append(_el("i"))
            r_props.append(_el("iCs"))
        if color:
            r_props.append(_val("color", color))
        if size:
            r_props.append(_val("sz", str(size)))
            r_props.append(_val("szCs", str(size)))
        element.append(r_props)
        return element

    root.append(style("Normal", "Normal", default=True))
    root.append(style("Title", "Title", size=40, bold=True, color=ACCENT, after=60))
    root.append(style("Subtitle", "Subtitle", size=22, italic=True, color=GREY, after=240))
    for level, size, before in (
        (1, 30, 360),
        (2, 25, 240),
        (3, 22, 200),
        (4, 21, 160),
        (5, 20, 120),
    ):
        root.append(
            style(
                f"Heading{level}",
                f"heading {level}",
                size=size,
                bold=True,
                # The entries of a list inside an entry, set apart from the list's heading.
                italic=level == 5,
                color=ACCENT,
                before=before,
                after=80,
                outline=level - 1,
                keep_next=True,
            )
        )
    root.append(style("FormIntro", "Form introduction", after=100))
    root.append(
        style("FormHelp", "Form help", size=18, italic=True, color=GREY, after=100, keep_next=True)
    )
    root.append(style("FormLabel", "Form label", bold=True, before=40, after=40))
    root.append(style("FormAnswer", "Form answer", before=40, after=40))
    root.append(style("Footer", "footer", size=16, color=GREY))
    root.append(style("PlaceholderText", "Placeholder Text", "character", color=GREY))
    edge = {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": BORDER}
    root.append(
        _el(
            "style",
            {"w:type": "table", "w:styleId": "FormTable"},
            _val("name", "Form table"),
            _el(
                "tblPr",
                None,
                _el(
                    "tblBorders",
                    None,
                    *(
                        _el(side, edge)
                        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
                    ),
                ),
                _el(
                    "tblCellMar",
                    None,
                    _el("top", {"w:w": "40", "w:type": "dxa"}),
                    _el("left", {"w:w": "100", "w:type": "dxa"}),
                    _el("bottom", {"w:w": "40", "w:type": "dxa"}),
                    _el("right", {"w:w": "100", "w:type": "dxa"}),
                ),
            ),
        )
    )
    return _xml(root)


def _settings(kind: str) -> bytes:
    root = etree.Element(_w("settings"), nsmap={"w": W})
    root.append(_el("zoom", {"w:percent": "100"}))
    root.append(_val("defaultTabStop", "720"))
    root.append(_val("characterSpacingControl", "doNotCompress"))
    root.append(
        _el(
            "compat",
            None,
            # Word 2013 and later: check box controls need at least Word 2010's mode.
            _el(
                "compatSetting",
                {
                    "w:name": "compatibilityMode",
                    "w:uri": "http://schemas.microsoft.com/office/word",
                    "w:val": "15",
                },
            ),
        )
    )
    root.append(
        _el("docVars", None, _el("docVar", {"w:name": MARK, "w:val": f"{kind} {LAYOUT_VERSION}"}))
    )
    root.append(_el("themeFontLang", {"w:val": "en-GB"}))
    return _xml(root)


# The document part needs a font table and a theme (Office Open XML requires both); the
# theme is the smallest valid one, naming Arial, so nothing falls back to Calibri.
_FONT_TABLE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font><w:font w:name="MS Gothic"><w:charset w:val="80"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font></w:fonts>"""
_SOLID = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
_LINE = '<a:ln w="9525"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
_THEME = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="sos-reports">'
    '<a:themeElements><a:clrScheme name="sos-reports">'
    '<a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr val="FFFFFF"/></a:lt1>'
    '<a:dk2><a:srgbClr val="1F3864"/></a:dk2><a:lt2><a:srgbClr val="F2F2F2"/></a:lt2>'
    '<a:accent1><a:srgbClr val="1F3864"/></a:accent1><a:accent2><a:srgbClr val="595959"/></a:accent2>'
    '<a:accent3><a:srgbClr val="A6A6A6"/></a:accent3><a:accent4><a:srgbClr val="FFF8E1"/></a:accent4>'
    '<a:accent5><a:srgbClr val="DCE6F1"/></a:accent5><a:accent6><a:srgbClr val="404040"/></a:accent6>'
    '<a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink>'
    '</a:clrScheme><a:fontScheme name="sos-reports">'
    '<a:majorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
    '<a:minorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>'
    '</a:fontScheme><a:fmtScheme name="sos-reports">'
    f"<a:fillStyleLst>{_SOLID * 3}</a:fillStyleLst><a:lnStyleLst>{_LINE * 3}</a:lnStyleLst>"
    "<a:effectStyleLst>"
    + "<a:effectStyle><a:effectLst/></a:effectStyle>"
    * 3
    + "</a:effectStyleLst>"
    f"<a:bgFillStyleLst>{_SOLID * 3}</a:bgFillStyleLst>"
    "</a:fmtScheme></a:themeElements></a:theme>"
).encode()


_CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"""
_ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"""
_DOCUMENT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdTheme" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/></Relationships>"""
_APP = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>sos-reports</Application></Properties>"""


def _core(kind: str) -> bytes:
    core = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    dc = "http://purl.org/dc/elements/1.1/"
    root = etree.Element(f"{{{core}}}coreProperties", nsmap={"cp": core, "dc": dc})
    title = etree.SubElement(root, f"{{{dc}}}title")
    title.text = f"{KINDS[kind].title}: Word form"
    creator = etree.SubElement(root, f"{{{dc}}}creator")
    creator.text = "sos-reports"
    language = etree.SubElement(root, f"{{{dc}}}language")
    language.text = "en-GB"
    return _xml(root)


def build_word_form(kind: str, tree: dict[str, Any] | None = None) -> dict[str, bytes]:
    """The parts of the Word form for `kind`, pre-filled with every value `tree` gives."""
    kind = get_kind(kind).name
    tree = dict(tree or {})
    tree["kind"] = kind
    tree.setdefault("format_version", "1")
    writer = _Writer(kind, tree)
    body = writer.build()
    return {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "docProps/core.xml": _core(kind),
        "docProps/app.xml": _APP,
        "word/document.xml": _document(body),
        "word/_rels/document.xml.rels": _DOCUMENT_RELS,
        "word/styles.xml": _styles(),
        "word/settings.xml": _settings(kind),
        "word/footer1.xml": _footer(kind),
        "word/fontTable.xml": _FONT_TABLE,
        "word/theme/theme1.xml": _THEME,
    }


def write_word_form(kind: str, handle: IO[bytes], tree: dict[str, Any] | None = None) -> None:
    """Write the Word form for `kind` into an open binary file."""
    parts = build_word_form(kind, tree)
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@lru_cache(maxsize=8)
def form_texts(kind: str) -> frozenset[str]:
    """Every text of the form's own (headings, labels, help) a blank form of `kind` holds."""
    writer = _Writer(kind, {"kind": kind, "format_version": "1"})
    writer.build()
    return frozenset(writer.texts)
