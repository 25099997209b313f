"""A Word template compiled once, so that filling it costs little more than writing its file.

docxtpl loads the whole package with python-docx, rewrites its XML into Jinja code, compiles
it and saves every part again, for each report. Here all of that is done once per template:
the package is loaded and saved once by python-docx, exactly as docxtpl would save it, and
the result is kept as a plan: the parts no report changes, already compressed; the Jinja code
of the parts it does (the body, headers and footers), compiled; and the document properties
as XML with places for their values. Filling then renders those few parts the way docxtpl
does (the same patching of the XML, the same post-render fixes, the same schema order of
cell properties) and writes a small zip around the kept parts. tests/test_render_fast.py
proves that the file is the one the docxtpl path writes, for every kind and for a user's own
template. A template this plan does not cover (footnotes) is filled by docxtpl.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from sos_reports.ooxml import order_cell_properties

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
    # For a part each report renders: the compiled Jinja template (and, for a header or
    # footer, that it is one).
    template: Any = None
    body: bool = False


@dataclass
class Plan:
    """What filling a template needs, made once per template and worker."""

    entries: list[_Entry]
    # document.xml with an empty body, into which each rendered body goes.
    document: bytes
    core_name: str
    core: bytes
    properties: dict[str, Any]
    # The first name the template asks for that only the confidential annex may hold.
    confidential: str | None = None
    # A Jinja error found while compiling, raised when the template is filled (after the
    # check for confidential names, as docxtpl would meet them).
    error: BaseException | None = None
    renders: dict[str, Any] = field(default_factory=dict)


def compile_plan(data: bytes, env: Any, confidential_names: re.Pattern[str]) -> Plan:
    """The plan of the template whose bytes are `data`, its Jinja code compiled in `env`."""
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
    props.title = _MARK.format("title")
    props.author = _MARK.format("author")
    props.last_modified_by = _MARK.format("author")
    props.subject = _MARK.format("subject")
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = "en-GB"
    props.revision = 1
    props.created = _STAND_IN_TIME
    props.modified = _STAND_IN_TIME
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

    plan = Plan(entries, document, core_name, core, {}, confidential)
    try:
        for entry in entries:
            if entry.name in sources:
                xml = doc.patch_xml(sources[entry.name])
                xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
                entry.template = env.from_string(xml)
        for name in _RENDERED_PROPERTIES:
            plan.properties[name] = env.from_string(initial[name])
    except Exception as exc:  # a syntax error is the template's: raised when it is filled
        plan.error = exc
    return plan


def fill(
    plan: Plan, context: dict[str, Any], target: IO[bytes], properties: dict[str, Any]
) -> None:
    """Render the plan's parts with `context` and write the .docx into `target`."""
    if plan.error is not None:
        raise plan.error
    rendered: dict[str, str] = {}
    for name in _RENDERED_PROPERTIES:
        rendered[name] = plan.properties[name].render(context)
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
    from docxtpl.template import DocxTemplate

    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return str(DocxTemplate.resolve_listing(None, xml))


# As python-docx parses a part it loads (docxtpl's headers and footers pass through it).
_OXML_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _document(skeleton: bytes, body_xml: str) -> bytes:
    """The document part with the rendered body, fixed as docxtpl and _tidy fix it."""
    from docxtpl.template import DocxTemplate

    # docxtpl's repair of a table's grid after `{%tc %}` loops, which parses the body too.
    tree = DocxTemplate.fix_tables(None, body_xml)
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


def _escape(value: str) -> bytes:
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
