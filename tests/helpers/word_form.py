"""Filling a Word form the way Word leaves it, independently of the code under test."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from sos_reports.commands.forms import new_input
from tests.helpers.docx_xml import W, docx_parts

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}


def q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


# --- helpers: fill a form the way Word leaves it, independently of the code under test ----------


def blank_form(tmp_path: Path, kind: str, name: str = "form.docx") -> Path:
    out = tmp_path / name
    new_input(kind, out)
    return out


def document(path: Path) -> etree._Element:
    return etree.fromstring(docx_parts(path)["word/document.xml"])


def save_document(path: Path, root: etree._Element, out: Path) -> Path:
    """The form with its document part replaced, every other part as it was."""
    parts = docx_parts(path)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def controls(root: etree._Element) -> dict[str, etree._Element]:
    found = {}
    for sdt in root.iter(q("w:sdt")):
        tag = sdt.find("w:sdtPr/w:tag", NS)
        if tag is not None:
            found[tag.get(q("w:val"))] = sdt
    return found


def value_at(tree: Any, tag: str) -> Any:
    node = tree
    for key, index in re.findall(r"([a-z0-9_]+)(?:\[([0-9]+)\])?", tag):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                return None
            node = node[int(index)]
    return node


def as_date(text: str) -> dt.date:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return dt.date.fromisoformat(text)
    day, month, year = (int(x) for x in text.split("/"))
    return dt.date(year, month, day)


def type_into(sdt: etree._Element, value: Any) -> None:
    """What Word does when a user fills a control: placeholder gone, the new text in."""
    props = sdt.find("w:sdtPr", NS)
    content = sdt.find("w:sdtContent", NS)
    box = props.find("w14:checkbox", NS)
    if box is not None:
        ticked = str(value).strip().lower() in {"yes", "y", "true"}
        box.find("w14:checked", NS).set(q("w14:val"), "1" if ticked else "0")
        content.find(".//w:t", NS).text = "\u2612" if ticked else "\u2610"
        return
    placeholder = props.find("w:showingPlcHdr", NS)
    if placeholder is not None:
        props.remove(placeholder)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    date = props.find("w:date", NS)
    if date is not None:
        day = as_date(text)
        date.set(q("w:fullDate"), f"{day:%Y-%m-%d}T00:00:00Z")
        text = f"{day:%d/%m/%Y}"
    listing = props.find("w:dropDownList", NS)
    if listing is not None:
        for item in listing.findall("w:listItem", NS):
            if item.get(q("w:value")).lower() == text.strip().lower():
                text = item.get(q("w:displayText"))
    for run in list(content):
        content.remove(run)
    run = etree.SubElement(content, q("w:r"))
    for number, line in enumerate(text.split("\n")):
        if number:
            etree.SubElement(run, q("w:br"))
        t = etree.SubElement(run, q("w:t"))
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
