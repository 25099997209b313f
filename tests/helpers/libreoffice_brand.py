"""Brands a report template in LibreOffice Writer as a council's IT team would, and saves it.

Run by the tests with the system Python that has LibreOffice's `uno` module:
`python3 tests/helpers/libreoffice_brand.py TEMPLATE.docx OUT.docx LOGO.png`. It changes the wording
and the style of the first "About this report" heading, puts the logo in the page header,
sets every paragraph's font to Liberation Serif, sets wider margins, and saves as .docx.
LibreOffice runs headless with its own profile folder, as in tests/helpers/libreoffice_fill.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uno  # type: ignore[import-not-found]  # noqa: F401  (makes com.sun.star importable)
from com.sun.star.awt import Size  # type: ignore[import-not-found]
from libreoffice_session import edit  # beside this script


def brand(document: object, logo: str) -> None:
    doc: object = document
    text = doc.getText()  # type: ignore[attr-defined]
    paragraphs = text.createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        is_text = paragraph.supportsService("com.sun.star.text.Paragraph")
        if is_text and paragraph.getString() == "About this report":
            paragraph.setString("About this report to the conference")
            paragraph.ParaStyleName = "Heading 2"
            paragraph.CharColor = 0x1D70B8
    # The font of the whole text, as Select All and a new font do.
    cursor = text.createTextCursor()
    cursor.gotoStart(False)
    cursor.gotoEnd(True)
    cursor.CharFontName = "Liberation Serif"
    styles = doc.getStyleFamilies().getByName("PageStyles")  # type: ignore[attr-defined]
    for name in styles.getElementNames():
        style = styles.getByName(name)
        if not style.isInUse():
            continue
        style.LeftMargin = 2500
        style.RightMargin = 2500
        style.TopMargin = 2200
        if style.HeaderIsOn:
            header = style.HeaderText
            image = doc.createInstance("com.sun.star.text.TextGraphicObject")  # type: ignore[attr-defined]
            image.GraphicURL = Path(logo).resolve().as_uri()
            image.Size = Size(3000, 1000)
            header.insertTextContent(header.getStart(), image, False)


def main(template: str, out: str, logo: str) -> None:
    edit(template, out, lambda document: brand(document, logo))


if __name__ == "__main__":
    main(*sys.argv[1:4])
