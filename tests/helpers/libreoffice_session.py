"""A headless LibreOffice Writer for the scripts that edit documents as a person would.

Imported by tests/helpers/libreoffice_fill.py and libreoffice_brand.py, which run with the
system Python that has LibreOffice's `uno` module (their own folder is on its path). Each
session has its own profile folder, removed with it, and LibreOffice is stopped however the
script ends.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextlib.contextmanager
def desktop() -> Iterator[object]:
    """LibreOffice's desktop, in a LibreOffice of its own."""
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
        yield context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
    finally:
        office.terminate()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


def edit(source: str, out: str, change: Callable[[object], None]) -> None:
    """Open `source` in Writer, let `change` work on the document, and save it as .docx."""
    with desktop() as office:
        document = office.loadComponentFromURL(  # type: ignore[attr-defined]
            Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
        )
        change(document)
        document.storeToURL(Path(out).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
        document.close(True)
