"""Reading a .docx without the code under test: its parts, its paragraphs and their text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _paragraph_text(p: etree._Element) -> str:
    out = []
    for node in p.iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab", f"{{{W}}}instrText"):
        tag = etree.QName(node).localname
        if tag == "t":
            out.append(node.text or "")
        elif tag == "br":
            out.append("\n")
        elif tag == "tab":
            out.append("\t")
    return "".join(out)


def part_paragraphs(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return [_paragraph_text(p) for p in root.iter(f"{{{W}}}p")]


def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_text(path: Path) -> str:
    """Every paragraph of the body, tables, headers and footers, one per line."""
    parts = docx_parts(path)
    names = [
        "word/document.xml",
        *sorted(n for n in parts if re.match(r"word/(header|footer)\d*\.xml$", n)),
    ]
    return "\n".join(p for name in names for p in part_paragraphs(parts[name]))


def body_paragraphs(path: Path) -> list[etree._Element]:
    root = etree.fromstring(docx_parts(path)["word/document.xml"])
    return list(root.iter(f"{{{W}}}p"))


def style_of(p: etree._Element) -> str | None:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(f"{{{W}}}val") if style is not None else None
