"""Driving Debian's WebKitGTK (the engine of Safari) through its own WebDriver, with Selenium.

Playwright cannot drive a browser it did not build, and Debian has no geckodriver for its
Firefox; WebKitGTK's `WebKitWebDriver` (Debian's webkit2gtk-driver) is a W3C WebDriver of
the system's own browser. WebKitGTK needs a display: without one, a private Xvfb is started
for the run. axe-core is the copy axe-playwright-python brings, injected into the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.helpers.browser import WCAG_TAGS, BrowserMissing

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

DRIVER = "/usr/bin/WebKitWebDriver"
BROWSERS = (
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser",
)


def find_webkit() -> tuple[str, str]:
    """WebKitWebDriver and the MiniBrowser it drives; BrowserMissing when either is not
    installed, or Selenium is not."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserMissing("Selenium is not installed (pip install -e '.[dev]')") from None
    browser = next((b for b in BROWSERS if Path(b).is_file()), None)
    if not Path(DRIVER).is_file() or browser is None:
        raise BrowserMissing(
            "WebKitGTK's WebDriver is not installed (scripts/install-system-packages installs "
            "webkit2gtk-driver)"
        )
    return DRIVER, browser


@contextmanager
def display() -> Iterator[str]:
    """The display to open WebKitGTK on: the session's own, or a private Xvfb for the run."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        yield os.environ.get("DISPLAY", "")
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise BrowserMissing(
            "Xvfb is not installed (scripts/install-system-packages installs xvfb)"
        )
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as chosen:
            number = chosen.readline().strip()
        if not number:
            raise BrowserMissing("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def webkit_driver(width: int = 1100, height: int = 900) -> Iterator[WebDriver]:
    """A WebKitGTK window driven over WebDriver, closed at the end."""
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    driver_path, browser = find_webkit()
    with display() as name:
        options = Options()
        options.binary_location = browser
        options.add_argument("--automation")
        options.add_argument("--private")
        env = {**os.environ, "DISPLAY": name} if name else None
        service = Service(executable_path=driver_path, env=env)
        driver = webdriver.WebKitGTK(options=options, service=service)
        try:
            driver.set_window_size(width, height)
            driver.set_page_load_timeout(15)
            yield driver
        finally:
            driver.quit()


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0 to 2.2 A and AA violations on the page as it is now."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
    driver.execute_script(source)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(r => done(r), e => done({error: String(e)}));",
        options,
    )
    assert "error" not in results, results.get("error")
    violations: list[dict[str, Any]] = results["violations"]
    return violations
