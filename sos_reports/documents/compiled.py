"""A Word template compiled once, so that filling it costs little more than writing its file.

docxtpl loads the whole package with python-docx, rewrites its XML into Jinja code, compiles
it and saves every part again, for each report. Here all of that is done once per template:
the package is loaded and saved once by python-docx, exactly as docxtpl would save it, and
the result is kept as a plan: the parts no report changes, already compressed; the Jinja code
of the parts it does (the body, headers and footers), compiled; and the document properties
as XML with places for their values. Filling then renders those few parts the way docxtpl
does (the same patching of the XML, the same post-render fixes, the same schema order of
cell properties) and writes a small zip around the kept parts. tests/documents/test_render_fast.py
proves that the file is the one the docxtpl path writes, for every kind and for a user's own
template. A template this plan does not cover (footnotes) is filled by docxtpl.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import io
import json
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from sos_reports.support.ooxml import order_cell_properties, reset_core_properties

_HEADER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"

# Stand-ins for the document properties that differ between reports, set on the template by
# python-docx itself so that the XML around them is exactly what it writes.
_MARK = "\ue000sos-{}\ue000"
_PROPERTY_VALUES = ("title", "author", "subject", "identifier")
# A moment no real report is made at, standing in for the time of filling.
_STAND_IN_TIME = dt.datetime(1901, 2, 3, 4, 5, 6)
_STAND_IN_STAMP = _STAND_IN_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
# The properties docxtpl renders through Jinja, in its order (`render_properties`).
_RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


# The form of a plan kept in the cache; a plan of another form is made again.
FORMAT = 1


class NotCovered(Exception):
    """The template has something the plan does not handle; docxtpl fills it instead."""


@dataclass
class _Entry:
    name: str
    # For a part no report changes: its bytes as deflated into the zip, with its checksum.
    packed: bytes = b""
    crc: int = 0
    size: int = 0
    method: int = zipfile.ZIP_DEFLATED
    # For a part each report renders: its Jinja source as docxtpl patches it, and once
    # compiled, its template; `body` for the document part.
    source: str | None = None
    body: bool = False
    template: Any = None


@dataclass
class Plan:
    """What filling a template needs, made once per template and worker."""

    entries: list[_Entry]
    # document.xml with an empty body, into which each rendered body goes.
    document: bytes
    core_name: str
    core: bytes
    # The template's own document properties, which docxtpl renders as Jinja too.
    properties: dict[str, str]
    # The first name the template asks for that only the confidential annex may hold.
    confidential: str | None = None
    # A Jinja error found while compiling, raised when the template is filled (after the
    # check for confidential names, as docxtpl would meet them).
    error: BaseException | None = None
    compiled: dict[str, Any] = field(default_factory=dict)

    def compile(self, env: Any) -> Plan:
        """Compile the Jinja code of every rendered part and property in `env`."""
        try:
            for entry in self.entries:
                if entry.source is not None:
                    entry.template = env.from_string(entry.source)
            for name, text in self.properties.items():
                self.compiled[name] = env.from_string(text)
        except Exception as exc:  # a syntax error is the template's: raised when it is filled
            self.error = exc
        return self

    def to_json(self) -> str:
        entries = [
            {
                "name": e.name,
                "packed": base64.b64encode(e.packed).decode("ascii"),
                "crc": e.crc,
                "size": e.size,
                "method": e.method,
                "source": e.source,
                "body": e.body,
            }
            for e in self.entries
        ]
        return json.dumps(
            {
                "format": FORMAT,
                "entries": entries,
                "document": base64.b64encode(self.document).decode("ascii"),
                "core_name": self.core_name,
                "core": base64.b64encode(self.core).decode("ascii"),
                "properties": self.properties,
                "confidential": self.confidential,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError("a plan of another format")
        entries = [
            _Entry(
                str(e["name"]),
                base64.b64decode(e["packed"]),
                int(e["crc"]),
                int(e["size"]),
                int(e["method"]),
                e["source"] if e["source"] is None else str(e["source"]),
                bool(e["body"]),
            )
            for e in data["entries"]
        ]
        return cls(
            entries,
            base64.b64decode(data["document"]),
            str(data["core_name"]),
            base64.b64decode(data["core"]),
            {str(k): str(v) for k, v in data["properties"].items()},
            data["confidential"],
        )


def make_plan(data: bytes, confidential_names: re.Pattern[str]) -> Plan:
    """The plan of the template whose bytes are `data`, its Jinja code not yet compiled."""
    from docx.opc.part import XmlPart
    from docxtpl import DocxTemplate

    doc = DocxTemplate(io.BytesIO(data))
    doc.init_docx()
    package = doc.docx.part.package
    if any(part.content_type == _FOOTNOTES for part in package.iter_parts()):
        raise NotCovered("footnotes")

    sources: dict[str, str] = {}
    body_xml = doc.get_xml()
    texts = [body_xml]
    headers: dict[str, str] = {}
    for uri in (_HEADER_URI, _FOOTER_URI):
        for _, part in doc.get_headers_footers(uri):
            xml = doc.get_part_xml(part)
            texts.append(xml)
            headers[part.partname.membername] = xml
    found = confidential_names.search(re.sub(r"<[^>]+>", "", "".join(texts)))
    confidential = found.group(0) if found else None

    sources["word/document.xml"] = body_xml
    sources.update(headers)
    document_part = doc.docx.part
    dynamic = set(sources)
    if document_part.partname.membername != "word/document.xml":
        raise NotCovered("a main document part of another name")

    # The parts no report changes, in the schema's order docxtpl's output gets from _tidy.
    for part in package.iter_parts():
        if isinstance(part, XmlPart) and part.partname.membername not in dynamic:
            order_cell_properties(part.element)

    # The document properties, set as filling sets them, with stand-ins for what varies.
    props = doc.docx.core_properties
    initial = {name: getattr(props, name) for name in _RENDERED_PROPERTIES}
    for name in _RENDERED_PROPERTIES:
        value = _MARK.format("identifier") if name == "identifier" else ""
        setattr(props, name, value)
    reset_core_properties(
        props,
        title=_MARK.format("title"),
        author=_MARK.format("author"),
        subject=_MARK.format("subject"),
        when=_STAND_IN_TIME,
    )
    core_part = next(
        p for p in package.iter_parts() if p.content_type.endswith("core-properties+xml")
    )
    core_name = core_part.partname.membername

    # The body is taken out of the document part; each report's body goes in its place.
    root = document_part.element
    body = root.find(f"{{{_W}}}body")
    if body is None:
        raise NotCovered("a document without a body")
    empty = etree.Element(f"{{{_W}}}body")
    root.replace(body, empty)
    saved = io.BytesIO()
    doc.docx.save(saved)
    root.replace(empty, body)

    entries: list[_Entry] = []
    core = b""
    document = b""
    with zipfile.ZipFile(saved) as archive:
        raw = saved.getvalue()
        for info in archive.infolist():
            if info.filename == core_name:
                core = archive.read(info)
                entries.append(_Entry(info.filename))
            elif info.filename == "word/document.xml":
                document = archive.read(info)
                entries.append(_Entry(info.filename, body=True))
            elif info.filename in dynamic:
                entries.append(_Entry(info.filename))
            else:
                start = info.header_offset
                name_length, extra_length = struct.unpack("<HH", raw[start + 26 : start + 30])
                begin = start + 30 + name_length + extra_length
                entries.append(
                    _Entry(
                        info.filename,
                        packed=raw[begin : begin + info.compress_size],
                        crc=info.CRC,
                        size=info.file_size,
                        method=info.compress_type,
                    )
                )
    if core.count(_STAND_IN_STAMP) != 2:
        raise NotCovered("document properties of an unexpected form")

    for entry in entries:
        if entry.name in sources:
            xml = doc.patch_xml(sources[entry.name])
            entry.source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    return Plan(entries, document, core_name, core, initial, confidential)


def fill(
    plan: Plan, context: dict[str, Any], target: IO[bytes], properties: dict[str, Any]
) -> None:
    """Render the plan's parts with `context` and write the .docx into `target`."""
    if plan.error is not None:
        raise plan.error
    rendered: dict[str, str] = {}
    for name in _RENDERED_PROPERTIES:
        rendered[name] = plan.compiled[name].render(context)
    parts: dict[str, bytes] = {}
    for entry in plan.entries:
        if entry.template is None:
            continue
        xml = _after_render(entry.template.render(context))
        if entry.body:
            parts[entry.name] = _document(plan.document, xml)
        else:
            parts[entry.name] = _header(xml)
    parts[plan.core_name] = _core(plan.core, properties, rendered["identifier"])
    _write_zip(target, plan.entries, parts)


def _after_render(xml: str) -> str:
    """docxtpl's own fixes of a rendered part (`render_xml_part`), in its order."""
    xml = _PARAGRAPH_MARK.sub(r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return _resolve_listing(xml)


_PARAGRAPH_MARK = re.compile(r"\n<w:p([ >])")

# What follows is docxtpl 0.20's `resolve_listing` and `fix_tables`, kept here so that
# filling does not import docxtpl and python-docx (a tenth of a second at each start).
# tests/documents/test_render_fast.py proves the output the same as docxtpl's own.
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING = re.compile("[\t\a\n\f]")


def _resolve_listing(xml: str) -> str:
    """Tabs, `\\a` (a new paragraph), line breaks and page breaks in a value, as Word XML."""

    def resolve_text(run_properties: str, paragraph_properties: str, m: re.Match[str]) -> str:
        text = m.group(0).replace(
            "\t",
            "</w:t></w:r>"
            f"<w:r>{run_properties}<w:tab/></w:r>"
            f'<w:r>{run_properties}<w:t xml:space="preserve">',
        )
        text = text.replace(
            "\a",
            "</w:t></w:r></w:p>"
            f'<w:p>{paragraph_properties}<w:r>{run_properties}<w:t xml:space="preserve">',
        )
        text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
        return text.replace(
            "\f",
            "</w:t></w:r></w:p>"
            '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
            f'<w:p>{paragraph_properties}<w:r>{run_properties}<w:t xml:space="preserve">',
        )

    def resolve_run(paragraph_properties: str, m: re.Match[str]) -> str:
        found = _RUN_PROPERTIES.search(m.group(0))
        run_properties = found.group(0) if found else ""
        return _TEXT.sub(
            functools.partial(resolve_text, run_properties, paragraph_properties), m.group(0)
        )

    def resolve_paragraph(m: re.Match[str]) -> str:
        paragraph = m.group(0)
        if not _LISTING.search(paragraph):  # nothing to change (most paragraphs)
            return paragraph
        found = _PARAGRAPH_PROPERTIES.search(paragraph)
        paragraph_properties = found.group(0) if found else ""
        return _RUN.sub(functools.partial(resolve_run, paragraph_properties), paragraph)

    return _PARAGRAPH.sub(resolve_paragraph, xml)


def _fix_tables(xml: str) -> etree._Element:
    """Parse a rendered body, and give each table as many grid columns as its widest row."""
    tree = etree.fromstring(xml, etree.XMLParser(recover=True))
    ns = "{" + tree.nsmap["w"] + "}"
    for table in tree.iter(ns + "tbl"):
        grid = table.find(ns + "tblGrid")
        columns = grid.findall(ns + "gridCol")
        to_add = 0
        for row in table.iter(ns + "tr"):
            cells = row.findall(ns + "tc")
            if (len(columns) + to_add) < len(cells):
                to_add = len(cells) - len(columns)
        if to_add > 0:
            width = 0.0
            for column in columns:
                if column.get(ns + "w") is not None:
                    width += float(column.get(ns + "w"))
            if width > 0:
                old_average = width / len(columns)
                new_average = width / (len(columns) + to_add)
                for column in columns:
                    scaled = float(column.get(ns + "w")) * new_average / old_average
                    column.set(ns + "w", str(int(scaled)))
                for _ in range(to_add):
                    etree.SubElement(grid, ns + "gridCol", {ns + "w": str(int(new_average))})
        columns = grid.findall(ns + "gridCol")
        widest = 0
        for row in table.iter(ns + "tr"):
            spans = 0
            for cell in row.findall(ns + "tc"):
                properties = cell.find(ns + "tcPr")
                span = None if properties is None else properties.find(ns + "gridSpan")
                spans += int(span.get(ns + "val")) if span is not None else 1
            widest = max(widest, spans)
        to_remove = len(columns) - widest
        if to_remove > 0:
            removed = 0.0
            for column in columns[-to_remove:]:
                removed += float(column.get(ns + "w"))
                grid.remove(column)
            left = grid.findall(ns + "gridCol")
            extra = int(removed / len(left)) if left else 0
            for column in left:
                column.set(ns + "w", str(int(float(column.get(ns + "w")) + extra)))
    return tree


# As python-docx parses a part it loads (docxtpl's headers and footers pass through it).
_OXML_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _document(skeleton: bytes, body_xml: str) -> bytes:
    """The document part with the rendered body, fixed as docxtpl and _tidy fix it."""
    tree = _fix_tables(body_xml)
    for number, element in enumerate(tree.iter(f"{{{_WP}}}docPr"), start=1001):
        element.attrib["id"] = str(number)
    root = etree.fromstring(skeleton, _OXML_PARSER)
    root.replace(root.find(f"{{{_W}}}body"), tree)
    order_cell_properties(root)
    return etree.tostring(root, encoding="UTF-8", standalone=True)


def _header(xml: str) -> bytes:
    root = etree.fromstring(xml.encode("utf-8"), _OXML_PARSER)
    order_cell_properties(root)
    return etree.tostring(root, encoding="UTF-8", standalone=True)


# What XML cannot hold at all; lxml refuses it too, so no property can make a broken file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(value: str) -> bytes:
    """A property's text as python-docx and lxml write it, with python-docx's limit."""
    if _NOT_XML.search(value):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
        )
    if len(value) > 255:
        raise ValueError(f"exceeded 255 char limit for property, got:\n\n'{value}'")
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;").encode("utf-8")


def _core(core: bytes, properties: dict[str, Any], identifier: str) -> bytes:
    values = {
        "title": properties.get("title", ""),
        "author": properties.get("author", ""),
        "subject": properties.get("subject", ""),
        "identifier": identifier,
    }
    for name, value in values.items():
        core = core.replace(_MARK.format(name).encode("utf-8"), _escape(str(value)))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    return core.replace(_STAND_IN_STAMP, now.strftime("%Y-%m-%dT%H:%M:%SZ").encode())


def _write_zip(target: IO[bytes], entries: list[_Entry], parts: dict[str, bytes]) -> None:
    """A zip of the kept parts, copied as they are, and the rendered ones, deflated now."""
    out = io.BytesIO()
    central = []
    stamp = time.localtime(time.time())
    dos_time = stamp.tm_hour << 11 | stamp.tm_min << 5 | stamp.tm_sec // 2
    dos_date = (stamp.tm_year - 1980) << 9 | stamp.tm_mon << 5 | stamp.tm_mday
    for entry in entries:
        if entry.name in parts:
            data = parts[entry.name]
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            crc, size, method = binascii.crc32(data), len(data), zipfile.ZIP_DEFLATED
        else:
            packed, crc, size, method = entry.packed, entry.crc, entry.size, entry.method
        name = entry.name.encode("utf-8")
        flags = 0x800 if not entry.name.isascii() else 0
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                flags,
                method,
                dos_time,
                dos_date,
                crc,
                len(packed),
                size,
                len(name),
                0,
            )
        )
        out.write(name)
        out.write(packed)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x0314,  # made by: Unix, zip 2.0, as Python's zipfile writes on Linux
                20,
                flags,
                method,
                dos_time,
                dos_date,
                crc,
                len(packed),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0o600 << 16,
                offset,
            )
            + name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    target.write(out.getvalue())
