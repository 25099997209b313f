"""Checks a local Word template for a report kind: every problem at once, each with its place.

A council's IT team brands the packaged template in Word or LibreOffice; this reads it as
docxtpl will (body, headers, footers, footnotes) and finds, before any report is filled,
what would make filling fail or print the wrong thing: Jinja syntax, tags split in a way
docxtpl cannot join, values the kind's report does not have (nested attributes and loop
variables followed through Jinja's syntax tree), confidential values, required sections
never printed, misplaced `{%p %}`/`{%tr %}`/`{%tc %}` tags, and a template of another kind.

How docxtpl 0.20 joins a tag split over several runs (its `patch_xml`): between the two
braces of `{{`, `}}`, `{%`, `%}` it removes markup only, so a split there survives only
when no text lies between (a tracked deletion's text does); inside a tag it removes
everything from each `</w:t>` to the next `<w:t>`. Proofing marks and bookmarks between the
runs go with it. What it removes must close and reopen the same elements, or the part's
XML breaks: a tag half inside a hyperlink, a content control, a field or a tracked
insertion's run and half outside it does not survive, nor one that runs over two paragraphs.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from sos_reports.errors import Severity, TemplateError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where in the template: its part, the heading above, the paragraph, the table cell."""

    part: str  # "the body", "the header", "the footer", ...
    paragraph: str = ""
    heading: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        out = [self.part]
        if self.heading:
            out.append(f'under "{_short(self.heading)}"')
        if self.cell:
            out.append(self.cell)
        out.append(f'paragraph "{_short(self.paragraph)}"' if self.paragraph.strip() else "")
        return ", ".join(o for o in out if o)


@dataclass(frozen=True)
class Problem:
    """One problem of a template, with what to do about it."""

    severity: Severity
    message: str
    place: Place | None = None
    # syntax, split, misuse, unknown, confidential, missing, kind, file
    code: str = "syntax"

    @property
    def where(self) -> str:
        return str(self.place) if self.place is not None else "the whole template"

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        place = self.place
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "place": self.where,
            "part": place.part if place else None,
            "heading": place.heading if place else None,
            "paragraph": place.paragraph if place else None,
            "cell": place.cell if place else None,
        }


class TemplateProblems(TemplateError):
    """A template that cannot be filled as it is; carries every problem found."""

    def __init__(self, template: Path, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(f"  {p}" for p in errors)
        super().__init__(
            f"{template.name} cannot be used as it is ({len(errors)} "
            f"error{'s' * (len(errors) != 1)}); "
            f"`sos-reports check-template` lists the same:\n{lines}"
        )


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- reading the template as docxtpl will ------------------------------------------------------


@dataclass
class Paragraph:
    element: Any
    text: str
    place: Place


@dataclass
class Tag:
    """One Jinja tag as the reader sees it, with the runs its characters sit in."""

    text: str  # as typed, `{%p if x %}`
    start: int
    end: int
    paragraphs: list[int]
    runs: list[Any]  # the w:t elements, in order, without repeats
    index: int = 0  # in its part

    @property
    def opener(self) -> str:
        return self.text[:2]

    @property
    def prefix(self) -> str | None:
        """docxtpl's `p`, `tr`, `tc` or `r` right after the opening braces."""
        m = re.match(r"(?:\{\{|\{%)(tr|tc|p|r) ", self.text)
        return m.group(1) if m else None

    @property
    def inner(self) -> str:
        """What Jinja reads between the delimiters, after docxtpl's own clean-up."""
        body = self.text[2:-2]
        if self.prefix:
            body = body[len(self.prefix) :]
        for curly, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
            body = body.replace(curly, plain)
        return body.replace("\n", " ")


@dataclass
class Part:
    name: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    stray: list[tuple[str, int]] = field(default_factory=list)  # (text, paragraph index)


# Within one paragraph: docxtpl would join a tag over two, merging them, which nobody means.
_TAG = re.compile(r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}")
_OPEN_OR_CLOSE = re.compile(r"\{\{|\{%|\}\}|%\}")


def _zip_parts(path: Path) -> dict[str, bytes]:
    from sos_reports.documents.render import check_docx

    check_docx(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _styles(files: dict[str, bytes]) -> dict[str, tuple[str, bool]]:
    """Style id -> (name, whether it is a heading) from the styles part."""
    raw = files.get("word/styles.xml")
    if raw is None:
        return {}
    out = {}
    for style in etree.fromstring(raw).iter(_w("style")):
        sid = style.get(_w("styleId")) or ""
        name_el = style.find(_w("name"))
        name = name_el.get(_w("val")) if name_el is not None else sid
        outline = style.find(f"{_w('pPr')}/{_w('outlineLvl')}") is not None
        heading = bool(re.match(r"(heading \d|title)$", (name or "").lower())) or outline
        out[sid] = (name or sid, heading)
    return out


def _parts(files: dict[str, bytes]) -> list[tuple[str, Any]]:
    """The parts docxtpl renders, with a name a reader knows: body, headers, footers, notes."""
    body = etree.fromstring(files["word/document.xml"])
    parts: list[tuple[str, Any]] = [("the body", body)]
    rels_raw = files.get("word/_rels/document.xml.rels")
    if rels_raw is None:
        return parts
    kinds: dict[str, str] = {}
    for ref in body.iter(_w("headerReference"), _w("footerReference")):
        kinds[ref.get(f"{{{R}}}id") or ""] = ref.get(_w("type")) or "default"
    counted: dict[str, int] = {}
    for rel in etree.fromstring(rels_raw):
        reltype = (rel.get("Type") or "").removeprefix(_RELTYPE)
        if reltype not in ("header", "footer", "footnotes") or rel.get("TargetMode") == "External":
            continue
        target = posixpath.normpath(posixpath.join("word", rel.get("Target") or ""))
        if target not in files:
            continue
        if reltype == "footnotes":
            name = "the footnotes"
        else:
            which = {"first": "first page's ", "even": "even pages' "}.get(
                kinds.get(rel.get("Id") or "", "default"), ""
            )
            name = f"the {which}{reltype}"
            counted[name] = counted.get(name, 0) + 1
            if counted[name] > 1:
                name = f"{name} ({counted[name]})"
        parts.append((name, etree.fromstring(files[target])))
    return parts


def _own(element: Any, tag: str, node: Any) -> bool:
    """Whether `node`'s nearest `tag` ancestor is `element` (not a text box inside it)."""
    parent = node.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent is element


def _cell_place(p: Any, tables: dict[Any, int]) -> str | None:
    cell = p.getparent()
    while cell is not None and cell.tag != _w("tc"):
        cell = cell.getparent()
    if cell is None:
        return None
    row = cell.getparent()
    table = row.getparent() if row is not None else None
    if row is None or table is None or table not in tables:
        return None
    rows = [r for r in table if r.tag == _w("tr")]
    cells = [c for c in row if c.tag == _w("tc")]
    where = (
        f"table {tables[table]}, row {rows.index(row) + 1}, column {cells.index(cell) + 1}"
        if row in rows and cell in cells
        else f"table {tables[table]}"
    )
    if cells and cells.index(cell) > 0:
        label = "".join(t.text or "" for t in cells[0].iter(_w("t"))).strip()
        if label and "{" not in label:
            where += f' (the row "{_short(label, 40)}")'
    return where


def read_part(name: str, root: Any, styles: dict[str, tuple[str, bool]]) -> Part:
    part = Part(name)
    tables = {t: i + 1 for i, t in enumerate(root.iter(_w("tbl")))}
    stream: list[str] = []
    owner: list[tuple[int, Any] | None] = []
    heading: str | None = None
    for index, p in enumerate(root.iter(_w("p"))):
        runs = [t for t in p.iter(_w("t")) if _own(p, _w("p"), t)]
        text = "".join(t.text or "" for t in runs)
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        is_heading = (
            styles.get(style.get(_w("val")) or "", ("", False))[1] if style is not None else False
        ) or p.find(f"{_w('pPr')}/{_w('outlineLvl')}") is not None
        place = Place(name, text, heading, _cell_place(p, tables))
        # A heading that is only a tag (`{{ v.child }}`) says nothing to someone reading it.
        if is_heading and _TAG.sub("", text).strip():
            heading = text.strip()
        part.paragraphs.append(Paragraph(p, text, place))
        for t in runs:
            for ch in t.text or "":
                stream.append(ch)
                owner.append((index, t))
        stream.append("\n")  # paragraphs apart: a tag over two of them is found as such
        owner.append(None)
    joined = "".join(stream)
    covered = [False] * len(joined)
    for m in _TAG.finditer(joined):
        paragraphs: list[int] = []
        runs_in: list[Any] = []
        for pos in range(m.start(), m.end()):
            covered[pos] = True
            own = owner[pos]
            if own is None:
                continue
            if own[0] not in paragraphs:
                paragraphs.append(own[0])
            if not runs_in or runs_in[-1] is not own[1]:
                runs_in.append(own[1])
        text = m.group(0)
        if not paragraphs:
            continue
        part.tags.append(Tag(text, m.start(), m.end(), paragraphs, runs_in, len(part.tags)))
    for m in _OPEN_OR_CLOSE.finditer(joined):
        if not covered[m.start()]:
            own = owner[m.start()]
            if own is not None:
                part.stray.append((m.group(0), own[0]))
    return part


# --- tags docxtpl cannot join, or places it rewrites --------------------------------------------

_MARK_A, _MARK_B = "\ue000", "\ue001"
_XML_TAG = re.compile(r"<(/?)([\w:.-]+)([^>]*?)(/?)>")
_LOST = {
    "drawing": "a picture",
    "pict": "a picture",
    "object": "an embedded object",
    "fldChar": "a field",
    "instrText": "a field",
    "fldSimple": "a field",
    "footnoteReference": "a footnote",
    "endnoteReference": "an endnote",
    "commentReference": "a comment",
}


def _between(p: Any, a: Any, b: Any) -> str:
    """The XML of paragraph `p` between the end of w:t `a`'s text and the start of `b`'s."""
    ts = list(p.iter(_w("t")))
    copy = etree.fromstring(etree.tostring(p))
    copied = list(copy.iter(_w("t")))
    ca, cb = copied[ts.index(a)], copied[ts.index(b)]
    ca.text = (ca.text or "") + _MARK_A
    cb.text = _MARK_B + (cb.text or "")
    xml = etree.tostring(copy, encoding="unicode")
    return xml[xml.index(_MARK_A) + 1 : xml.index(_MARK_B)]


def _split_problems(part: Part, tag: Tag) -> list[Problem]:
    place = part.paragraphs[tag.paragraphs[0]].place
    shown = _short(tag.text, 50)
    if len(tag.runs) < 2:
        return []
    p = part.paragraphs[tag.paragraphs[0]].element
    # Where, counted in the tag's text, each run ends: a split between the braces of `{{`
    # or `}}` is joined only when nothing but markup lies between them.
    boundaries = []
    consumed = len(tag.runs[0].text or "") - _run_offset(part, tag)
    for t in tag.runs[1:]:
        boundaries.append(consumed)
        consumed += len(t.text or "")
    problems: list[Problem] = []
    removed = []
    for (a, b), at in zip(zip(tag.runs, tag.runs[1:], strict=False), boundaries, strict=True):
        between = _between(p, a, b)
        removed.append(between)
        in_braces = at == 1 or at == len(tag.text) - 1
        if in_braces and not re.fullmatch(r"(?:<[^>]*>)+", between):
            problems.append(
                Problem(
                    "error",
                    f"the tag `{shown}` is split between its two "
                    f"{'opening' if at == 1 else 'closing'} braces with other text between "
                    "them (a tracked change or a field): it would print as typed; accept the "
                    "changes and retype the tag",
                    place,
                    "split",
                )
            )
    closed: list[str] = []
    opened: list[str] = []
    bookmarks: dict[str, str] = {}
    lost: set[str] = set()
    for fragment in removed:
        for m in _XML_TAG.finditer(fragment):
            closing, name, attrs, empty = m.groups()
            local = name.split(":")[-1]
            if local in _LOST:
                lost.add(_LOST[local])
            if local in ("bookmarkStart", "bookmarkEnd"):
                ident = re.search(r'w:id="([^"]*)"', attrs)
                named = re.search(r'w:name="([^"]*)"', attrs)
                key = ident.group(1) if ident else ""
                if key in bookmarks:
                    del bookmarks[key]  # both ends inside the tag: nothing dangles
                else:
                    bookmarks[key] = named.group(1) if named else ""
            if empty:
                continue
            if closing:
                if opened:
                    opened.pop()
                else:
                    closed.append(name)
            else:
                opened.append(name)
    if closed != list(reversed(opened)):
        outside = [n.split(":")[-1] for n in closed + opened if n.split(":")[-1] not in ("r", "t")]
        what = {
            "hyperlink": "a hyperlink",
            "sdt": "a content control",
            "sdtContent": "a content control",
            "ins": "a tracked insertion",
            "del": "a tracked deletion",
            "fldSimple": "a field",
            "smartTag": "a smart tag",
            "customXml": "a custom XML element",
        }
        names = sorted({what.get(n, f"`{n}`") for n in outside}) or ["another element"]
        problems.append(
            Problem(
                "error",
                f"the tag `{shown}` is partly inside {' and '.join(names)} and partly outside "
                "it: filling would break the document's structure; retype the tag outside it",
                place,
                "split",
            )
        )
    if lost:
        problems.append(
            Problem(
                "error",
                f"{' and '.join(sorted(lost))} sits inside the tag `{shown}` and would be "
                "deleted when the report is filled; move it out of the tag",
                place,
                "split",
            )
        )
    dangling = sorted(n for n in bookmarks.values() if n and n != "_GoBack")
    if dangling:
        problems.append(
            Problem(
                "warning",
                f"half of the bookmark {', '.join(dangling)} lies inside the tag `{shown}`; "
                "filling removes that half, so links to it stop working",
                place,
                "split",
            )
        )
    return problems


def _run_offset(part: Part, tag: Tag) -> int:
    """Where the tag starts inside the text of its first run."""
    p = part.paragraphs[tag.paragraphs[0]]
    # The paragraph's text starts at the stream position of its first character.
    start = 0
    for para in part.paragraphs[: tag.paragraphs[0]]:
        start += len(para.text) + 1
    offset = tag.start - start
    for t in (t for t in p.element.iter(_w("t")) if _own(p.element, _w("p"), t)):
        length = len(t.text or "")
        if t is tag.runs[0]:
            return offset
        offset -= length
    return 0


def _ancestor(element: Any, tag: str) -> Any:
    node = element.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


def _text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(_w("t")))


def _misuse_problems(part: Part) -> list[Problem]:
    problems = []
    by_paragraph: dict[int, list[Tag]] = {}
    for tag in part.tags:
        by_paragraph.setdefault(tag.paragraphs[0], []).append(tag)
    for tag in part.tags:
        prefix = tag.prefix
        if prefix not in ("p", "tr", "tc"):
            continue
        para = part.paragraphs[tag.paragraphs[0]]
        place = para.place
        shown = _short(tag.text, 50)
        holder_name = {"p": "paragraph", "tr": "table row", "tc": "table cell"}[prefix]
        holder = (
            para.element
            if prefix == "p"
            else _ancestor(para.element, _w("tr" if prefix == "tr" else "tc"))
        )
        if holder is None:
            problems.append(
                Problem(
                    "error",
                    f"`{shown}` is a table {holder_name.split()[-1]} tag outside a table: "
                    f"use `{{%p ... %}}` in a paragraph of its own, or put it in a "
                    f"{holder_name} of its own",
                    place,
                    "misuse",
                )
            )
            continue
        rest = _text_of(holder).replace(tag.text, "", 1)
        same = [t for t in part.tags if t is not tag and t.prefix == prefix]
        others = [t for t in same if _ancestor_or_self(t, part, prefix) is holder]
        if rest.strip() or others:
            problems.append(
                Problem(
                    "error",
                    f"`{shown}` must be alone in its {holder_name}: filling replaces the whole "
                    f"{holder_name} with the tag, so the rest of it "
                    f'("{_short(rest.strip(), 40)}") would be lost; put the tag in a '
                    f"{holder_name} of its own",
                    place,
                    "misuse",
                )
            )
        elif prefix == "p" and para.element.find(f".//{_w('drawing')}") is not None:
            problems.append(
                Problem(
                    "error",
                    f"`{shown}` shares its paragraph with a picture, which filling would "
                    "delete; put the tag in a paragraph of its own",
                    place,
                    "misuse",
                )
            )
    return problems


def _ancestor_or_self(tag: Tag, part: Part, prefix: str) -> Any:
    element = part.paragraphs[tag.paragraphs[0]].element
    return element if prefix == "p" else _ancestor(element, _w(prefix))


# --- Jinja syntax, tag by tag, then the part's blocks -------------------------------------------

_BLOCKS = {"for", "if", "with", "macro", "call", "filter", "autoescape", "raw", "block", "trans"}
_MIDDLES = {"elif": ("if",), "else": ("if", "for")}
_DOCXTPL = {"cellbg", "colspan", "vm", "hm"}
_FILES = {"include", "import", "from", "extends"}


def _keyword(inner: str) -> str:
    m = re.match(r"\s*-?\s*(\w+)", inner)
    return m.group(1) if m else ""


@dataclass
class Parsed:
    """A part's tags as one Jinja source (one tag a line) that parses, and the problems met."""

    source: str
    lines: list[int]  # source line (from 1) -> tag index
    problems: list[Problem]


def _as_jinja(tag: Tag) -> str:
    """The tag as Jinja reads it once docxtpl has rewritten its own tags."""
    if tag.opener == "{#":
        return ""
    if tag.opener == "{{":
        return "{{" + tag.inner + "}}"
    word = _keyword(tag.inner)
    if word in ("cellbg", "colspan"):
        return "{{" + re.sub(rf"^\s*{word}\s*", "", tag.inner) + "}}"
    if word in ("vm", "hm"):
        return ""
    return "{%" + tag.inner + "%}"


def _jinja_part(part: Part, env: Any) -> Parsed:
    """The part's tags checked one by one and as blocks, each error at its tag; for what
    follows, a source that parses, with broken tags left out and open blocks closed."""
    import jinja2

    # Most templates are sound: one parse of the whole part says so.
    if not any(_keyword(t.inner) in _FILES for t in part.tags if t.opener == "{%"):
        whole = [t for t in part.tags if t.opener != "{#"]
        source = "\n".join(_as_jinja(t) for t in whole)
        try:
            env.parse(source)
            return Parsed(source, [t.index for t in whole], [])
        except jinja2.TemplateSyntaxError:
            pass  # found tag by tag below

    problems: list[Problem] = []
    lines: list[str] = []
    owners: list[int] = []
    stack: list[tuple[str, Tag, bool]] = []  # (keyword, tag, broken)

    def say(tag: Tag, message: str) -> None:
        place = part.paragraphs[tag.paragraphs[0]].place
        problems.append(Problem("error", f"syntax error: {message}", place, "syntax"))

    def emit(text: str, tag: Tag) -> None:
        lines.append(text)
        owners.append(tag.index)

    def parses(source: str) -> str | None:
        try:
            env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            return exc.message or str(exc)
        return None

    for tag in part.tags:
        shown = _short(tag.text, 50)
        if tag.opener == "{#":
            continue
        if tag.opener == "{{":
            error = parses("{{" + tag.inner + "}}")
            if error:
                say(tag, f"`{shown}` is not a valid tag: {error}")
                emit("", tag)
            else:
                emit("{{" + tag.inner + "}}", tag)
            continue
        inner = tag.inner
        word = _keyword(inner)
        if word in _DOCXTPL:
            expr = re.sub(rf"^\s*{word}\s*", "", inner)
            if word in ("cellbg", "colspan"):
                error = parses("{{" + expr + "}}")
                if error:
                    say(tag, f"`{shown}` is not a valid tag: {error}")
                    emit("", tag)
                else:
                    emit("{{" + expr + "}}", tag)
            else:
                emit("", tag)
            continue
        if word in _FILES:
            say(tag, f"`{shown}`: a report template cannot use other files ({word})")
            emit("", tag)
            continue
        if word == "set" and "=" not in inner:
            word = "set-block"
        if word in _BLOCKS or word == "set-block":
            end = "endset" if word == "set-block" else f"end{word}"
            error = parses("{%" + inner + "%}{% " + end + " %}")
            if error:
                say(tag, f"`{shown}` is not a valid tag: {error}")
                stack.append((word, tag, True))
                emit("{% if true %}", tag)
            else:
                stack.append((word, tag, False))
                emit("{%" + inner + "%}", tag)
            continue
        if word in _MIDDLES:
            top = stack[-1] if stack else None
            if top is None or top[0] not in _MIDDLES[word]:
                say(
                    tag,
                    f"`{shown}` is not inside an `{{% if %}}`"
                    + (" or `{% for %}`" if word == "else" else ""),
                )
                emit("", tag)
                continue
            if top[2]:
                emit("", tag)
                continue
            test = "{% if true %}" if top[0] == "if" else "{% for x in () %}"
            closing = "{% endif %}" if top[0] == "if" else "{% endfor %}"
            error = parses(test + "{%" + inner + "%}" + closing)
            if error:
                say(tag, f"`{shown}` is not a valid tag: {error}")
                emit("", tag)
            else:
                emit("{%" + inner + "%}", tag)
            continue
        if word.startswith("end"):
            opened = word[3:] if word != "endset" else "set-block"
            if inner.strip().strip("-").strip() != word:
                say(tag, f"`{shown}`: nothing may follow `{word}` in its tag")
            names = [entry[0] for entry in stack]
            if opened not in names:
                say(
                    tag,
                    f"`{shown}` closes an `{{% {opened} %}}` that was never opened "
                    "(or was closed already)",
                )
                emit("", tag)
                continue
            while stack[-1][0] != opened:
                word_open, unclosed, broken = stack.pop()
                say(
                    unclosed,
                    f"`{_short(unclosed.text, 50)}` is never closed: `{shown}` comes first; "
                    f"add `{{% end{word_open} %}}` (with the same p/tr/tc letter)",
                )
                emit("{% endif %}" if broken else f"{{% end{word_open} %}}", tag)
            _, _opener, broken = stack.pop()
            emit("{% endif %}" if broken else "{%" + inner + "%}", tag)
            continue
        error = parses("{%" + inner + "%}")
        if error:
            say(tag, f"`{shown}` is not a valid tag: {error}")
            emit("", tag)
        else:
            emit("{%" + inner + "%}", tag)
    while stack:
        word_open, unclosed, broken = stack.pop()
        say(
            unclosed,
            f"`{_short(unclosed.text, 50)}` is never closed in {part.name}: add "
            f"`{{% end{word_open if word_open != 'set-block' else 'set'} %}}` after what it covers",
        )
        emit("{% endif %}" if broken else f"{{% end{word_open} %}}", unclosed)
    source = "\n".join(lines)
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        if owners:
            culprit = part.tags[owners[max(0, min(len(owners), exc.lineno or 1) - 1)]]
            say(culprit, f"`{_short(culprit.text, 50)}`: {exc.message}")
        return Parsed("", [], problems)
    return Parsed(source, owners, problems)


# --- what the report's data holds, from the model ------------------------------------------------


@dataclass
class Shape:
    """What a value of the report's context is: a block of named values, a list, or text."""

    path: str
    fields: dict[str, Shape] | None = None  # a block
    item: Shape | None = None  # a list
    anything: bool = False  # not known (a filter's result, a macro's argument): not checked

    def get(self, key: str) -> Shape | None:
        return self.fields.get(key) if self.fields is not None else None


ANY = Shape("", anything=True)


def _shape_of(value: Any, path: str) -> Shape:
    if isinstance(value, dict):
        sep = "." if path else ""
        return Shape(path, {k: _shape_of(v, f"{path}{sep}{k}") for k, v in value.items()})
    if isinstance(value, list):
        item = _shape_of(value[0], f"{path}[]") if value else Shape(f"{path}[]", anything=True)
        return Shape(path, item=item)
    return Shape(path)


def _sample(model: Any, kind: str) -> Any:
    """An instance with every block, list entry and optional block present, values blank."""
    from sos_reports.model.introspection import fields_of

    values: dict[str, Any] = {}
    for spec in fields_of(model):
        if spec.model is not None:
            one = _sample(spec.model, kind)
            values[spec.name] = [one] if spec.is_list else one
        elif spec.is_list:
            values[spec.name] = [None]
        elif spec.value_type == "bool":
            values[spec.name] = False
        else:
            values[spec.name] = None
    if "kind" in model.model_fields:
        values["kind"] = kind
    return model.model_construct(**values)


@dataclass
class KindShapes:
    report: Shape
    annex: Shape
    required: list[str]  # required top-level sections
    required_fields: list[str]  # required values inside the sections, as paths
    labels: dict[str, str]  # path -> the field's label


_SHAPES: dict[str, KindShapes] = {}


def kind_shapes(kind: str) -> KindShapes:
    """The shape of `report_context` (and of the annex's) for KIND, built from its model."""
    if kind in _SHAPES:
        return _SHAPES[kind]
    from sos_reports.documents.context import annex_context, report_context
    from sos_reports.kinds import KINDS
    from sos_reports.model.introspection import fields_of

    model = KINDS[kind].model
    sample = _sample(model, kind)
    report = _shape_of(report_context(sample), "")
    annex = _shape_of(annex_context(sample), "")
    required: list[str] = []
    required_fields: list[str] = []
    labels: dict[str, str] = {}

    def walk(block: Any, prefix: str) -> None:
        for spec in fields_of(block):
            path = f"{prefix}{spec.key}"
            labels[path] = spec.title
            if spec.model is not None:
                walk(spec.model, f"{path}{'[]' if spec.is_list else ''}.")
            elif spec.required and spec.key not in ("id", "kind") and prefix:
                required_fields.append(path)

    walk(model, "")
    for spec in fields_of(model):
        if spec.required and spec.key not in ("kind",):
            required.append(spec.key)
    shapes = KindShapes(
        report,
        annex,
        required,
        [p for p in required_fields if _lookup(report, p) is not None],
        labels,
    )
    _SHAPES[kind] = shapes
    return shapes


def _lookup(root: Shape, path: str) -> Shape | None:
    node: Shape | None = root
    for part in path.split("."):
        if node is None:
            return None
        many = part.endswith("[]")
        node = node.get(part.removesuffix("[]"))
        if many and node is not None:
            node = node.item
    return node


# --- the variables a part uses, against a kind's shape -------------------------------------------


@dataclass
class Use:
    """A value the template asks for that the report's data does not have."""

    path: str  # as written, `worries.harn`
    known: list[str]  # what the block it is in does have
    tag: int
    confidential: bool = False


@dataclass
class Walk:
    unknown: list[Use] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    filters: list[tuple[str, int]] = field(default_factory=list)


_GLOBALS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "true", "false"}


def walk_part(parsed: Parsed, shapes: KindShapes, env: Any) -> Walk:
    from jinja2 import nodes

    out = Walk()
    ast = env.parse(parsed.source)

    def tag_of(node: Any) -> int:
        line = getattr(node, "lineno", 1) or 1
        return parsed.lines[min(line, len(parsed.lines)) - 1] if parsed.lines else 0

    def missing(
        node: Any, parent: Shape, written: str, key: str, annex_parent: Shape | None
    ) -> Shape:
        confidential = annex_parent is not None and annex_parent.get(key) is not None
        known = sorted(parent.fields or {})
        out.unknown.append(Use(written, known, tag_of(node), confidential))
        return ANY

    def attr(
        node: Any, base: tuple[Shape, Shape | None, str], key: str
    ) -> tuple[Shape, Shape | None, str]:
        shape, annex, written = base
        name = f"{written}.{key}" if written else key
        if shape.anything:
            return ANY, None, name
        if shape.fields is not None:
            found = shape.get(key)
            if found is None:
                return missing(node, shape, name, key, annex), None, name
            out.used.add(found.path)
            return found, annex.get(key) if annex is not None else None, name
        if shape.item is not None:
            return ANY, None, name  # a list's own methods and the like: not checked
        if hasattr(str, key):
            return ANY, None, name
        out.unknown.append(Use(name, [], tag_of(node)))
        return ANY, None, name

    def expr(
        node: Any, scope: dict[str, tuple[Shape, Shape | None, str]]
    ) -> tuple[Shape, Shape | None, str]:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in _GLOBALS or node.name in env.globals:
                return ANY, None, node.name
            root = (shapes.report, shapes.annex, "")
            return attr(node, root, node.name)
        if isinstance(node, nodes.Getattr):
            return attr(node, expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = expr(node.node, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return attr(node, base, node.arg.value)
            expr(node.arg, scope)
            shape, annex, written = base
            if shape.item is not None:
                return shape.item, annex.item if annex is not None else None, f"{written}[]"
            return ANY, None, written
        if isinstance(node, nodes.Filter):
            base = expr(node.node, scope) if node.node is not None else (ANY, None, "")
            for child in [*node.args, *(k.value for k in node.kwargs)]:
                expr(child, scope)
            if node.name not in env.filters:
                out.filters.append((node.name, tag_of(node)))
            if node.name in (
                "default",
                "d",
                "sort",
                "reverse",
                "unique",
                "list",
                "safe",
                "e",
                "escape",
            ):
                return base
            if node.name in ("first", "last") and base[0].item is not None:
                return base[0].item, None, base[2]
            return ANY, None, base[2]
        if isinstance(node, nodes.Test):
            expr(node.node, scope)
            for child in node.args:
                expr(child, scope)
            return ANY, None, ""
        for child in node.iter_child_nodes():
            expr(child, scope)
        return ANY, None, ""

    def targets(target: Any, value: tuple[Shape, Shape | None, str], scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = (value[0], value[1], target.name)  # named as the user wrote it
        else:
            for child in target.iter_child_nodes():
                targets(child, (ANY, None, ""), scope)

    def stmt(node: Any, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            shape, annex, written = expr(node.iter, scope)
            item = (
                (shape.item, annex.item if annex is not None else None, f"{written}[]")
                if shape.item is not None
                else (ANY, None, "")
            )
            inner = dict(scope)
            targets(node.target, item, inner)
            inner["loop"] = (ANY, None, "loop")
            if node.test is not None:
                expr(node.test, inner)
            for child in node.body:
                stmt(child, inner)
            for child in node.else_:
                stmt(child, dict(scope))
            return
        if isinstance(node, nodes.Assign):
            targets(node.target, expr(node.node, scope), scope)
            return
        if isinstance(node, nodes.AssignBlock):
            for child in node.body:
                stmt(child, scope)
            targets(node.target, (ANY, None, ""), scope)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                targets(target, expr(value, scope), inner)
            for child in node.body:
                stmt(child, inner)
            return
        if isinstance(node, nodes.Macro):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = (ANY, None, "")
            for name in ("varargs", "kwargs", "caller"):
                inner[name] = (ANY, None, "")
            for child in node.body:
                stmt(child, inner)
            scope[node.name] = (ANY, None, "")
            return
        if isinstance(node, (nodes.Stmt, nodes.Template)):
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    stmt(child, scope)
                else:
                    expr(child, scope)
            return
        expr(node, scope)

    stmt(ast, {})
    return out


# --- the checks, together -----------------------------------------------------------------------


@dataclass
class Template:
    """A template read once: its parts, their tags, and Jinja's reading of each part."""

    path: Path
    parts: list[Part]
    parsed: list[Parsed]
    problems: list[Problem]  # what does not depend on the kind


def read_template(path: Path) -> Template:
    from sos_reports.documents.render import ReportEnvironment

    env = ReportEnvironment()
    path = Path(path)
    try:
        files = _zip_parts(path)
        styles = _styles(files)
        roots = _parts(files)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"{path.name} is not a Word document that can be read: {exc}") from None
    parts = [read_part(name, root, styles) for name, root in roots]
    problems: list[Problem] = []
    parsed = []
    for part in parts:
        for text, index in part.stray:
            other = {"}}": "{{", "%}": "{%", "{{": "}}", "{%": "%}"}[text]
            problems.append(
                Problem(
                    "error",
                    f"syntax error: `{text}` without its `{other}` in this paragraph: the report would print "
                    "it as typed, or take in what follows; complete the tag within its "
                    "paragraph (without pressing Enter inside it) or delete it",
                    part.paragraphs[index].place,
                    "syntax",
                )
            )
        for tag in part.tags:
            problems += _split_problems(part, tag)
        problems += _misuse_problems(part)
        result = _jinja_part(part, env)
        problems += result.problems
        parsed.append(result)
    return Template(path, parts, parsed, problems)


def _kind_problems(template: Template, kind: str) -> tuple[list[Problem], int]:
    """The problems of `template` against KIND, and how many say it is not KIND's."""
    from sos_reports.documents.render import ReportEnvironment
    from sos_reports.kinds import KINDS

    env = ReportEnvironment()
    shapes = kind_shapes(kind)
    title = KINDS[kind].title
    problems: list[Problem] = []
    used: set[str] = set()
    mismatch = 0
    for part, parsed in zip(template.parts, template.parsed, strict=True):
        if not parsed.lines:
            continue
        walked = walk_part(parsed, shapes, env)
        used |= walked.used
        seen: set[tuple[str, int]] = set()
        for use in walked.unknown:
            if (use.path, use.tag) in seen:
                continue
            seen.add((use.path, use.tag))
            tag = part.tags[use.tag]
            place = part.paragraphs[tag.paragraphs[0]].place
            if use.confidential:
                problems.append(
                    Problem(
                        "error",
                        f"`{_short(tag.text, 50)}` asks for `{use.path}`, which is confidential: "
                        "it goes only into the confidential annex for the chair, never into the "
                        "report the family sees, and the report's data does not hold it",
                        place,
                        "confidential",
                    )
                )
                continue
            mismatch += 1
            last = use.path.rsplit(".", 1)[-1]
            guess = difflib.get_close_matches(last, use.known, n=1, cutoff=0.6)
            hint = (
                f"; did you mean `{use.path.rsplit('.', 1)[0] + '.' if '.' in use.path else ''}{guess[0]}`?"
                if guess
                else ""
            )
            elsewhere = [
                k for k in KINDS if k != kind and _written_exists(use.path, kind_shapes(k))
            ]
            also = (
                f" (the {' and '.join(elsewhere)} report{'s have' if len(elsewhere) > 1 else ' has'} it)"
                if elsewhere
                else ""
            )
            problems.append(
                Problem(
                    "error",
                    f"`{_short(tag.text, 50)}` uses `{use.path}`, which the {kind} report "
                    f"({title}) does not have{also}{hint}",
                    place,
                    "unknown",
                )
            )
        for name, index in walked.filters:
            tag = part.tags[index]
            problems.append(
                Problem(
                    "error",
                    f"`{_short(tag.text, 50)}` uses a filter that report templates do not have "
                    f"(No filter named '{name}'); templates print values, they do not format "
                    "them",
                    part.paragraphs[tag.paragraphs[0]].place,
                    "syntax",
                )
            )

    def printed(path: str) -> bool:
        return any(u == path or u.startswith((f"{path}.", f"{path}[]")) for u in used)

    for section in shapes.required:
        if not printed(section):
            mismatch += 1
            label = shapes.labels.get(section, section)
            problems.append(
                Problem(
                    "error",
                    f'the template never prints the section "{label}" (`{section}`), which '
                    f"every {kind} report must have; put it back from the packaged template "
                    f"(`sos-reports template {kind} -o FILE.docx`)",
                    None,
                    "missing",
                )
            )
    for path in shapes.required_fields:
        parent = path.rsplit(".", 1)[0].removesuffix("[]")
        if printed(parent.split(".")[0]) and not printed(path):
            label = shapes.labels.get(path, path)
            problems.append(
                Problem(
                    "warning",
                    f'the template never prints "{label}" (`{path.replace("[]", "")}`), which '
                    "every practitioner is asked for",
                    None,
                    "missing",
                )
            )
    return problems, mismatch


def _written_exists(path: str, shapes: KindShapes) -> bool:
    root = path.split(".")[0]
    return shapes.report.get(root) is not None and (
        "." not in path or _lookup(shapes.report, path) is not None
    )


def check_template(path: Path, kind: str) -> list[Problem]:
    """Every problem of the template at `path` for a report of KIND, errors first in place
    order; nothing is written. Raises TemplateError only for a file that is not a .docx."""
    from sos_reports.kinds import KINDS, get_kind

    kind = get_kind(kind).name
    template = read_template(Path(path))
    problems, mismatch = _kind_problems(template, kind)
    if mismatch:
        scores = {k: _kind_problems(template, k)[1] for k in KINDS if k != kind}
        best = min(scores, key=lambda k: scores[k])
        if scores[best] < mismatch:
            problems.insert(
                0,
                Problem(
                    "error",
                    f"this looks like a template for the {best} report ({KINDS[best].title}), "
                    f"not for the {kind} report: checked for {best} it has {scores[best]} values "
                    f"or sections that do not fit, for {kind} {mismatch} (listed below); check "
                    f"it with `--kind {best}`, or start a {kind} template from "
                    f"`sos-reports template {kind} -o FILE.docx`",
                    None,
                    "kind",
                ),
            )
    out = template.problems + problems
    order = {"error": 0, "warning": 1}
    return sorted(out, key=lambda p: order[p.severity])


def refuse_broken_template(path: Path, kind: str) -> list[Problem]:
    """Raise TemplateProblems when the template has errors; otherwise its warnings."""
    problems = check_template(path, kind)
    if any(p.severity == "error" for p in problems):
        raise TemplateProblems(Path(path), problems)
    return problems
