"""Reads a filled Word form back into the plain tree that a YAML file gives.

Each answer is a content control whose tag is its input path (`children[0].name`); the
controls are read with lxml, as python-docx does not see inside them. A placeholder still
showing is a blank answer, a check box is read from its state, a date picker from its date
(or the text a user typed instead), and list entries left empty are dropped. Values are
left to the model to judge, so that one run reports every problem; what the model cannot
see is reported here, by the label the form shows: text typed outside any answer box, and a
box whose tag was damaged, which would otherwise never reach the report.

The file is only read. It is checked as a zip first (forms/container.py), and its XML is
parsed with no DTD, no entities and no network, so a hostile file fails fast and small.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from sos_reports.errors import Finding, ReadError
from sos_reports.inputs.container import WORD_FORM, check_package
from sos_reports.inputs.forms.layout import Answer, Part, Section, Table, plan
from sos_reports.inputs.forms.word_writer import (
    ENTRY_HEADING,
    LAYOUT_VERSION,
    MARK,
    W14,
    W,
    entry_heading,
    form_texts,
    placeholder,
    section_heading,
    sub_heading,
)
from sos_reports.inputs.source import Source
from sos_reports.kinds import KINDS
from sos_reports.model.types import shown
from sos_reports.support.tree import Loc, block_at, path_of

# A form has a few hundred answer boxes; a file with far more was not made to be filled in.
MAX_CONTROLS = 5000
# A filled form's text is well under a megabyte; parsed, XML takes several times its size.
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
# Past this many, text typed outside the answer boxes is counted, not listed.
MAX_STRAYS = 20
_LIST_SEPARATORS = {"child": r"[,;\n]", "choice": r"[,;\n]"}
_TAG = re.compile(r"^[a-z_][a-z0-9_]*(\[[0-9]{1,4}\])?(\.[a-z_][a-z0-9_]*(\[[0-9]{1,4}\])?)*$")
_PART = re.compile(r"([a-z_][a-z0-9_]*)(?:\[([0-9]+)\])?")
_TRUE = {"1", "true", "on"}
KIND_TITLE = "Report kind"
_CHECKED_MARKS = {"\u2612", "\u2611", "\u2713", "\u2714", "x", "X"}


def _parser() -> etree.XMLParser:
    # No DTD, no entity expansion, no network, no huge trees: a billion laughs or an
    # external entity is refused by the parser rather than expanded.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _q(name: str) -> str:
    return f"{{{W}}}{name}"


def read_word_form(path: Path) -> Source:
    """Read a Word form made by `sos-reports new`, or raise ReadError saying why not."""
    path = Path(path)
    check_package(path, WORD_FORM)
    document, settings = _parts(path)
    kind = _kind(path, document, settings)
    return _Reader(path, kind, document).read()


# --- the file ---------------------------------------------------------------------------------


def _parts(path: Path) -> tuple[etree._Element, etree._Element | None]:
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            # The declared size; a part that holds more than it declares fails its CRC check.
            size = archive.getinfo("word/document.xml").file_size
            if size > MAX_DOCUMENT_BYTES:
                raise ReadError(
                    f"holds {size // 1024 // 1024} MB of text, far more than a form (at most "
                    f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB); it was not read",
                    source=source,
                )
            document = _parse(archive.read("word/document.xml"), source)
            names = set(archive.namelist())
            settings = (
                _parse(archive.read("word/settings.xml"), source)
                if "word/settings.xml" in names
                else None
            )
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as exc:
        raise ReadError(f"is a damaged Word document: {exc}", source=source) from None
    return document, settings


def _parse(data: bytes, source: str) -> etree._Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise ReadError(
            "holds XML with a document type or entities, which a Word form never has; "
            "it was not read",
            source=source,
        )
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"is a damaged Word document: {exc}", source=source) from None


def _kind(path: Path, document: etree._Element, settings: etree._Element | None) -> str:
    """The kind the form was made for: its mark, checked against its Report kind box."""
    source = str(path)
    mark = None
    if settings is not None:
        for var in settings.iter(_q("docVar")):
            if var.get(_q("name")) == MARK:
                mark = var.get(_q("val")) or ""
    boxed = None
    for sdt in document.iter(_q("sdt")):
        tag = sdt.find(f"{_q('sdtPr')}/{_q('tag')}")
        alias = sdt.find(f"{_q('sdtPr')}/{_q('alias')}")
        # By its tag; in a form saved by LibreOffice, which drops tags, by its title.
        if (tag is not None and tag.get(_q("val")) == "kind") or (
            tag is None and alias is not None and alias.get(_q("val")) == KIND_TITLE
        ):
            boxed = _text(sdt).strip().lower()
            break
    if mark is None and boxed is None:
        raise ReadError(
            "is not a Word form made by `sos-reports new` (a report, or another document?), "
            "so its answers cannot be matched to the input: start from "
            "`sos-reports new KIND -o form.docx`",
            source=source,
        )
    kind, _, version = (mark or "").partition(" ")
    kind = kind or (boxed or "")
    if version and version != LAYOUT_VERSION:
        raise ReadError(
            f"was made by another version of sos-reports (layout {version!r}; this version "
            f"reads layout {LAYOUT_VERSION}): make a new one with `sos-reports new`",
            source=source,
        )
    if kind not in KINDS:
        raise ReadError(f"names an unknown report kind {kind!r}", source=source)
    if boxed is not None and boxed and boxed != kind:
        raise ReadError(
            f"is a Word form for {KINDS[kind].title.lower()} ({kind}), but its Report kind "
            f"box says {shown(boxed)}: a form cannot change kind; make a new one with "
            f"`sos-reports new {boxed if boxed in KINDS else 'KIND'} -o form.docx`",
            source=source,
        )
    return kind


# --- one control --------------------------------------------------------------------------


def _text(element: etree._Element) -> str:
    """The text of a control's content, or a paragraph: line breaks and tabs as typed."""
    out: list[str] = []
    paragraphs = 0
    for node in element.iter(_q("t"), _q("br"), _q("cr"), _q("tab"), _q("p")):
        tag = etree.QName(node).localname
        if tag == "t":
            out.append(node.text or "")
        elif tag in ("br", "cr"):
            out.append("\n")
        elif tag == "tab":
            out.append("\t")
        elif tag == "p":
            # A control holding paragraphs (LibreOffice, or text pasted in): one line each.
            if paragraphs:
                out.append("\n")
            paragraphs += 1
    return "".join(out)


@dataclass
class _Control:
    tag: str | None
    title: str
    value: Any  # None for blank
    box: bool  # a check box: unticked is False, which alone does not make an entry


def _control(sdt: etree._Element) -> _Control:
    props = sdt.find(_q("sdtPr"))
    content = sdt.find(_q("sdtContent"))
    props = props if props is not None else etree.Element(_q("sdtPr"))
    tag = props.find(_q("tag"))
    alias = props.find(_q("alias"))
    title = (alias.get(_q("val")) if alias is not None else None) or ""
    text = _text(content) if content is not None else ""
    checkbox = props.find(f"{{{W14}}}checkbox")
    if checkbox is not None:
        checked = checkbox.find(f"{{{W14}}}checked")
        if checked is None:
            state = text.strip() in _CHECKED_MARKS
        else:
            # A checked element without a value means checked.
            state = (checked.get(f"{{{W14}}}val") or "1").strip().lower() in _TRUE
        return _Control(tag.get(_q("val")) if tag is not None else None, title, state, True)
    value: Any = None
    if props.find(_q("showingPlcHdr")) is None and text.strip():
        value = text
        # A dropdown's choice by the value it stands for (`initial`, not its label); a text
        # that is none of the choices (typed in LibreOffice, say) as it is.
        for item in props.iterfind(f"{_q('dropDownList')}/{_q('listItem')}"):
            if (item.get(_q("displayText")) or "").strip() == text.strip() and item.get(
                _q("value")
            ):
                value = item.get(_q("value"))
                break
        date = props.find(_q("date"))
        full = date.get(_q("fullDate")) if date is not None else None
        if full:
            try:
                value = dt.date.fromisoformat(full[:10])
            except ValueError:
                value = text  # the typed text, for the model to judge
    return _Control(tag.get(_q("val")) if tag is not None else None, title, value, False)


def _loc(tag: str) -> Loc | None:
    if len(tag) > 200 or not _TAG.match(tag):
        return None
    loc: list[str | int] = []
    for key, index in _PART.findall(tag):
        loc.append(key)
        if index:
            loc.append(int(index))
    return tuple(loc)


def _shape(loc: Loc) -> tuple[str, ...]:
    """A path with its indexes taken out: what the layout knows."""
    return tuple(p for p in loc if isinstance(p, str))


# --- the layout, by path ------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    answer: Answer
    title: str  # the section's or list's title, for labels
    lists: tuple[Table, ...]  # the lists it sits in, outermost first


@lru_cache(maxsize=8)
def _slots(kind: str) -> dict[tuple[str, ...], _Slot]:
    """Every answer of the kind's form by its path without indexes."""
    slots: dict[tuple[str, ...], _Slot] = {}
    for part in plan(kind):
        if isinstance(part, Section):
            for answer in part.answers():
                slots[(*part.base, *answer.keys)] = _Slot(answer, section_heading(part), ())
            continue
        chain = (part,) if part.parent is None else (part.parent, part)
        for answer in part.columns:
            slots[(*part.loc, *answer.keys)] = _Slot(answer, part.title, chain)
    return slots


# --- the form -----------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: Path, kind: str, document: etree._Element) -> None:
        self.path = path
        self.kind = kind
        self.document = document
        self.problems: list[Finding] = []

    def _problem(self, path: str, message: str, label: str | None) -> None:
        self.problems.append(Finding("error", path, message, code="read", label=label))

    def read(self) -> Source:
        body = self.document.find(_q("body"))
        if body is None:
            raise ReadError("is a Word document without a body", source=str(self.path))
        controls = list(body.iter(_q("sdt")))
        if len(controls) > MAX_CONTROLS:
            raise ReadError(
                f"holds {len(controls)} answer boxes, far more than a form has (at most "
                f"{MAX_CONTROLS}); it was not read",
                source=str(self.path),
            )
        slots = _slots(self.kind)
        values: dict[Loc, _Control] = {}
        # LibreOffice (7.4) keeps the controls when it saves a form but drops their tags:
        # a control without one is placed by the heading and label beside it.
        positions = _positions(body, self.kind) if any(_untagged(c) for c in controls) else {}
        for sdt in controls:
            if sdt.find(f".//{_q('sdt')}") is not None:
                continue  # a control wrapped around others: the inner ones hold the answers
            control = _control(sdt)
            loc = _loc(control.tag) if control.tag else positions.get(sdt)
            if loc is None or _shape(loc) not in slots or not self._indexes_fit(loc, slots):
                if control.value not in (None, False):
                    name = control.title or "an answer box"
                    self._problem(
                        "",
                        f"the answer box '{name}' holds {shown(_plain(control.value))}, but "
                        f"its tag ({shown(control.tag or 'none')}) is not one this form has, "
                        "so it cannot be read: copy the text into the right box of a form "
                        "made by `sos-reports new`",
                        name,
                    )
                continue
            answer = slots[_shape(loc)].answer
            if isinstance(control.value, str) and control.tag is None:
                # Only a program that dropped the tags (LibreOffice) drops the placeholder flag
                # too; where the flag is kept, text equal to the placeholder was typed.
                control.value = _without_placeholder(control.value, placeholder(answer))
            if loc in values:
                if control.value not in (None, False) and values[loc].value != control.value:
                    self._problem(
                        path_of(loc),
                        f"appears twice (a copied answer box?); the second holds "
                        f"{shown(_plain(control.value))}, which was not read: keep one",
                        control.title or None,
                    )
                continue
            values[loc] = control
        tree, labels = self._tree(values, slots)
        self._strays(body)
        return Source(path=self.path, tree=tree, controls=labels, findings=self.problems)

    @staticmethod
    def _indexes_fit(loc: Loc, slots: dict[tuple[str, ...], _Slot]) -> bool:
        """An index after each list's key, and nowhere else."""
        expected = [t.loc for t in slots[_shape(loc)].lists]
        found = []
        keys: list[str] = []
        for part in loc:
            if isinstance(part, int):
                found.append(tuple(keys))
            else:
                keys.append(part)
        return found == expected

    # -- the tree ---------------------------------------------------------------------------

    def _tree(
        self, values: dict[Loc, _Control], slots: dict[tuple[str, ...], _Slot]
    ) -> tuple[dict[str, Any], dict[Loc, str]]:
        # Which entries of each list hold anything: an entry whose only answers are unticked
        # check boxes was left empty, and is dropped.
        used: set[Loc] = set()
        for loc, control in values.items():
            if control.value is None or (control.box and control.value is False):
                continue
            for end in range(len(loc)):
                if isinstance(loc[end], int):
                    used.add(loc[: end + 1])
        # The entries kept, numbered again from 0, in the form's order.
        renumber: dict[Loc, int] = {}
        by_list: dict[Loc, list[int]] = defaultdict(list)
        for entry in sorted(used, key=lambda e: (len(e), e)):
            by_list[entry[:-1]].append(int(entry[-1]))
        for base, indexes in by_list.items():
            for number, old in enumerate(sorted(set(indexes))):
                renumber[(*base, old)] = number

        def moved(loc: Loc) -> Loc | None:
            out: list[str | int] = []
            for i, part in enumerate(loc):
                if isinstance(part, int):
                    key = (*loc[:i], part)
                    if key not in renumber:
                        return None
                    out.append(renumber[key])
                else:
                    out.append(part)
            return tuple(out)

        tree: dict[str, Any] = {}
        labels: dict[Loc, str] = {}
        for part in plan(self.kind):
            if isinstance(part, Section) and part.base:
                block_at(tree, part.base)
                labels[part.base] = part.title
            elif isinstance(part, Table) and part.parent is None:
                labels[part.loc] = part.title
                if part.required:
                    _list_at(tree, part.loc)
        for loc, control in sorted(values.items(), key=lambda item: _order(item[0])):
            slot = slots[_shape(loc)]
            new = moved(loc)
            if new is None:
                continue  # an empty entry
            labels[new] = self._label(slot, loc)
            for end in range(len(loc)):
                if isinstance(loc[end], int):
                    table = next(t for t in slot.lists if t.loc == _shape(loc[:end]))
                    labels.setdefault(new[: end + 1], entry_heading(table, int(loc[end])))
                    labels.setdefault(new[:end], table.title)
            if control.value is None:
                continue
            value = control.value
            if slot.answer.many and isinstance(value, str):
                separator = _LIST_SEPARATORS.get(slot.answer.value_type, r"\n")
                value = [p.strip() for p in re.split(separator, value) if p.strip()]
            _set(tree, new, value)
        # A required block inside an entry (a carer's mental health) is given even when
        # blank, so that each missing answer in it is reported at its own box.
        for loc in list(labels):
            found = slots.get(_shape(loc))
            if found is not None and len(found.answer.keys) > 1 and found.answer.required:
                _block_in(tree, loc[:-1])
        return tree, labels

    def _label(self, slot: _Slot, loc: Loc) -> str:
        label = slot.answer.label.rstrip(" *")
        if not slot.lists:
            return label if label == slot.title else f"{slot.title}: {label}"
        # The entry as the form numbers it ("Children, entry 3"), before empty ones go.
        place = []
        for end in range(len(loc)):
            if isinstance(loc[end], int):
                table = next(t for t in slot.lists if t.loc == _shape(loc[:end]))
                place.append(entry_heading(table, int(loc[end])))
        if slot.answer.keys == ():
            return f"{label} {int(loc[-1]) + 1}"
        return f"{', '.join(place)}: {label}" if place else label

    # -- anything else ------------------------------------------------------------------------

    def _strays(self, body: etree._Element) -> None:
        """Text typed outside the answer boxes: reported, never dropped in silence."""
        known = form_texts(self.kind)
        strays: list[tuple[str, str, str | None]] = []
        for paragraph in body.iter(_q("p")):
            if _inside_control(paragraph):
                continue
            text = _outside_text(paragraph).strip()
            if not text or text in known or ENTRY_HEADING.match(text):
                continue
            numbered = re.match(r"^(.+) [0-9]+$", text)
            if numbered and numbered.group(1) in known:
                continue
            path, label = _row_of(paragraph)
            strays.append((text, path, label))
        for text, path, label in strays[:MAX_STRAYS]:
            where = f"beside '{label}'" if label else "between the answer boxes"
            self._problem(
                path,
                f"holds {shown(text)} typed {where}, outside any answer box, where it would not "
                "reach the report: move it into the shaded box",
                label,
            )
        if len(strays) > MAX_STRAYS:
            self._problem(
                "",
                f"and {len(strays) - MAX_STRAYS} more paragraphs hold text outside the answer "
                "boxes",
                None,
            )


def _without_placeholder(text: str, words: str) -> str | None:
    """A box's text without its placeholder: LibreOffice drops the placeholder flag, and
    there a user can type beside the placeholder instead of over it."""
    stripped = text.strip()
    if stripped == words:
        return None
    if stripped.startswith(words):
        return stripped[len(words) :].strip() or None
    if stripped.endswith(words):
        return stripped[: -len(words)].strip() or None
    return text


def _untagged(sdt: etree._Element) -> bool:
    return sdt.find(f"{_q('sdtPr')}/{_q('tag')}") is None


def _positions(body: etree._Element, kind: str) -> dict[etree._Element, Loc]:
    """Where each answer box sits by the form's own words: the heading of its section, list
    and entry above it, and the label on its row."""
    headings: dict[str, Part] = {}
    for part in plan(kind):
        if isinstance(part, Section):
            headings.setdefault(section_heading(part), part)
        elif part.parent is None:
            headings.setdefault(part.title, part)
    found: dict[etree._Element, Loc] = {}
    current: Part | None = None
    entry: int | None = None
    sub: Table | None = None
    sub_entry: int | None = None
    for element in body:
        if element.tag == _q("p"):
            text = _outside_text(element).strip()
            numbered = re.match(r"^(.+), entry ([0-9]+)$", text)
            if text in headings:
                current, entry, sub, sub_entry = headings[text], None, None, None
            elif isinstance(current, Table) and numbered:
                title, number = numbered.group(1), int(numbered.group(2)) - 1
                if sub is not None and title == sub_heading(sub):
                    sub_entry = number
                elif entry_heading(current, number) == text:
                    entry, sub, sub_entry = number, None, None
            elif isinstance(current, Table):
                sub = next((t for t in current.subtables if sub_heading(t) == text), sub)
        elif element.tag == _q("tbl") and current is not None:
            for row in element.iter(_q("tr")):
                cells = row.findall(_q("tc"))
                # The innermost: LibreOffice wraps a check box in a second control.
                boxes = [b for b in row.iter(_q("sdt")) if b.find(f".//{_q('sdt')}") is None]
                if len(cells) < 2 or not boxes:
                    continue
                label = _outside_text(cells[0]).strip()
                loc = _place(current, entry, sub, sub_entry, label)
                if loc is not None:
                    found[boxes[0]] = loc
    return found


def _place(
    part: Part, entry: int | None, sub: Table | None, sub_entry: int | None, label: str
) -> Loc | None:
    def by_label(answers: Any) -> Answer | None:
        return next((a for a in answers if a.label.strip() == label), None)

    if isinstance(part, Section):
        answer = by_label(part.answers())
        return (*part.base, *answer.keys) if answer is not None else None
    if part.scalar:
        numbered = re.match(r"^(.+) ([0-9]+)$", label)
        if numbered and numbered.group(1) == part.columns[0].label.strip():
            return (*part.loc, int(numbered.group(2)) - 1)
        return None
    if entry is None:
        return None
    if sub is not None and sub_entry is not None:
        if sub.scalar:
            return None
        answer = by_label(sub.columns)
        if answer is None:
            return None
        return (*part.loc, entry, *sub.keys_in_parent, sub_entry, *answer.keys)
    answer = by_label(part.columns)
    return (*part.loc, entry, *answer.keys) if answer is not None else None


def _plain(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _order(loc: Loc) -> tuple[Any, ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in loc)


def _inside_control(element: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == _q("sdtContent"):
            return True
        parent = parent.getparent()
    return False


def _outside_text(paragraph: etree._Element) -> str:
    """The text of a paragraph that is not inside a content control."""
    out = []
    for node in paragraph.iter(_q("t")):
        if not _inside_control_of(node, paragraph):
            out.append(node.text or "")
    return "".join(out)


def _inside_control_of(node: etree._Element, paragraph: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag == _q("sdtContent"):
            return True
        parent = parent.getparent()
    return False


def _row_of(paragraph: etree._Element) -> tuple[str, str | None]:
    """The path and label of the answer on the table row holding a paragraph, if any."""
    parent = paragraph.getparent()
    while parent is not None and parent.tag != _q("tr"):
        parent = parent.getparent()
    if parent is None:
        return "", None
    for sdt in parent.iter(_q("sdt")):
        control = _control(sdt)
        return control.tag or "", control.title or None
    cells = parent.findall(_q("tc"))
    return "", (_outside_text(cells[0]).strip() or None) if cells else None


def _list_at(tree: dict[str, Any], keys: tuple[str, ...]) -> None:
    block_at(tree, keys[:-1]).setdefault(keys[-1], [])


def _set(tree: Any, loc: Loc, value: Any) -> None:
    """Put a value at a path whose list indexes follow one another from 0."""
    node = tree
    for i, part in enumerate(loc[:-1]):
        following = loc[i + 1]
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append({} if not isinstance(following, int) else [])
            if not isinstance(node[part], type(empty)):
                node[part] = empty
            node = node[part]
        else:
            if not isinstance(node.get(part), type(empty)):
                node[part] = empty
            node = node[part]
    last = loc[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        node[last] = value


def _block_in(tree: Any, loc: Loc) -> None:
    node = tree
    for i, part in enumerate(loc):
        if isinstance(part, int):
            if not isinstance(node, list) or len(node) <= part:
                return
            node = node[part]
        else:
            if not isinstance(node, dict):
                return
            nxt = node.get(part)
            if nxt is None:
                nxt = [] if i + 1 < len(loc) and isinstance(loc[i + 1], int) else {}
                node[part] = nxt
            node = nxt
