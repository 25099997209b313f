"""Brands a report template in LibreOffice Writer as a council's IT team would, and saves it.

Run by the tests with the system Python that has LibreOffice's `uno` module:
`python3 tests/libreoffice_brand.py TEMPLATE.docx OUT.docx LOGO.png`. It changes the wording
and the style of the first "About this report" heading, puts the logo in the page header,
sets every paragraph's font to Liberation Serif, sets wider margins, and saves as .docx.
LibreOffice runs headless with its own profile folder, as in tests/libreoffice_fill.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.awt import Size  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


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
    profile = tempfile.mkdtemp(prefix="sos-reports-lo-test-")
    pipe = f"sos-reports-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        for _ in range(300):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        document = desktop.loadComponentFromURL(
            Path(template).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
        )
        brand(document, logo)
        document.storeToURL(Path(out).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
        document.close(True)
    finally:
        office.terminate()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
