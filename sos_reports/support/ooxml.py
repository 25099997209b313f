"""Puts the XML that docxtpl and openpyxl write into the form Word and Excel accept unrepaired.

The Office Open XML schema fixes the order of many child elements. docxtpl's `{% cellbg %}`
puts a cell's shading before its width, and openpyxl writes a font's properties in an order
of its own; Word and Excel then offer to repair the file. openpyxl also writes every text
cell as an inline string, which Excel moves to a shared-strings table on its next save, so
that a workbook comes back rewritten from a user who only typed into it; and it writes a
link to another sheet as a link to an external file named `#Sheet!A1`, which a council's
security scanner reports as an external relationship.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from lxml import etree

# Every document and form is in British English.
LANGUAGE = "en-GB"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)

# The schema's sequence for a table cell's properties (CT_TcPr).
_CELL_PROPERTIES = [
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
]
# The sequence Excel writes, and the Open XML SDK checks, for a font in styles.xml.
_FONT_PROPERTIES = [
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
]


def _reorder(parent: etree._Element, namespace: str, order: Iterable[str]) -> None:
    """Sort the children of `parent` into the schema's order; unknown ones keep their place
    relative to each other, after the known ones."""
    children = list(parent)
    if len(children) < 2:
        return
    rank = _ranks(namespace, tuple(order))
    ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
    if ordered != children:
        parent[:] = ordered


@functools.lru_cache(maxsize=8)
def _ranks(namespace: str, order: tuple[str, ...]) -> dict[str, int]:
    return {f"{{{namespace}}}{name}": i for i, name in enumerate(order)}


def order_cell_properties(root: etree._Element) -> None:
    """Every table cell's properties of a Word part in the schema's order, in place."""
    for properties in root.iter(f"{{{W}}}tcPr"):
        _reorder(properties, W, _CELL_PROPERTIES)


def tidy_workbook(data: bytes) -> bytes:
    """The .xlsx `data` as openpyxl saved it, with fonts in schema order and its text in a
    shared-strings table, as Excel itself would save it."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    if "xl/styles.xml" in parts:
        styles = etree.fromstring(parts["xl/styles.xml"])
        for font in styles.iter(f"{{{S}}}font"):
            _reorder(font, S, _FONT_PROPERTIES)
        parts["xl/styles.xml"] = _xml(styles)
    if "xl/sharedStrings.xml" not in parts:
        _share_strings(parts)
    _links_within(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def _share_strings(parts: dict[str, bytes]) -> None:
    """Move every inline string of the worksheets into one shared-strings table."""
    index: dict[bytes, int] = {}
    table = etree.Element(f"{{{S}}}sst", nsmap={None: S})
    references = 0
    for name in [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        sheet = etree.fromstring(parts[name])
        cells = [c for c in sheet.iter(f"{{{S}}}c") if c.get("t") == "inlineStr"]
        if not cells:
            continue
        for cell in cells:
            inline = cell.find(f"{{{S}}}is")
            if inline is None:  # an empty inline string is an empty cell
                del cell.attrib["t"]
                continue
            item = etree.SubElement(table, f"{{{S}}}si")
            item[:] = list(inline)
            key = etree.tostring(item, method="c14n")
            if key in index:
                table.remove(item)
            else:
                index[key] = len(index)
            cell.remove(inline)
            cell.set("t", "s")
            etree.SubElement(cell, f"{{{S}}}v").text = str(index[key])
            references += 1
        parts[name] = _xml(sheet)
    if not references:
        return
    table.set("count", str(references))
    table.set("uniqueCount", str(len(index)))
    parts["xl/sharedStrings.xml"] = _xml(table)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    taken = {rel.get("Id") for rel in rels}
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    etree.SubElement(
        rels,
        f"{{{_RELS}}}Relationship",
        Id=f"rId{number}",
        Type=_SHARED_STRINGS_REL,
        Target="sharedStrings.xml",
    )
    parts["xl/_rels/workbook.xml.rels"] = _xml(rels)
    types = etree.fromstring(parts["[Content_Types].xml"])
    etree.SubElement(
        types,
        f"{{{_TYPES}}}Override",
        PartName="/xl/sharedStrings.xml",
        ContentType=_SHARED_STRINGS_TYPE,
    )
    parts["[Content_Types].xml"] = _xml(types)


def _links_within(parts: dict[str, bytes]) -> None:
    """A link to a place in the workbook as Excel writes it: a `location`, not a file."""
    for name in [n for n in parts if re.fullmatch(r"xl/worksheets/_rels/[^/]+\.xml\.rels", n)]:
        rels = etree.fromstring(parts[name])
        inside = {
            rel.get("Id"): rel.get("Target", "")[1:]
            for rel in rels
            if rel.get("TargetMode") == "External" and rel.get("Target", "").startswith("#")
        }
        if not inside:
            continue
        sheet_name = "xl/worksheets/" + name.rsplit("/", 1)[1][: -len(".rels")]
        sheet = etree.fromstring(parts[sheet_name])
        for link in sheet.iter(f"{{{S}}}hyperlink"):
            rid = link.get(f"{{{_R}}}id")
            if rid in inside:
                del link.attrib[f"{{{_R}}}id"]
                link.set("location", inside[rid])
        parts[sheet_name] = _xml(sheet)
        for rel in list(rels):
            if rel.get("Id") in inside:
                rels.remove(rel)
        if len(rels):
            parts[name] = _xml(rels)
        else:
            del parts[name]


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def reset_core_properties(
    props: Any, *, title: str, when: dt.datetime, author: str = "", subject: str = ""
) -> None:
    """A document's properties (python-docx's `core_properties`) set whole: whatever the
    template or Word left in them (an earlier author, comments, keywords) is cleared.

    Templates are built with an empty author and a fixed `when`; a filled report gets its
    author and the time it was filled. The order of setting is the order the elements are
    written in, which keeps regenerated templates identical.
    """
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.subject = subject
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.language = LANGUAGE
    props.created = when
    props.modified = when
