"""Driving the system's Chromium with Playwright: launching it, fresh pages, axe-core, screenshots.

Playwright and axe-playwright-python are imported only inside the functions, so that the
rest of the suite still runs (and the browser tests are skipped) where they are missing.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

# A developer without Debian's Chromium (Google Chrome on a Mac, say) points this at theirs.
CHROMIUM_VARIABLE = "SOS_REPORTS_CHROMIUM"
SCREENSHOTS_VARIABLE = "SOS_REPORTS_SCREENSHOTS"

# Long enough for a slow CI machine shared with other work, short enough that a missing
# element fails the test in seconds rather than Playwright's 30.
DEFAULT_TIMEOUT_MS = 5_000

CHROMIUM_ARGS = [
    # CI runs as root, where Chromium's sandbox refuses to start.
    "--no-sandbox",
    "--disable-gpu",
    # The machine's network is closed: Chromium's own calls home (updates, sync, field
    # trials, QUIC probes) are refused many at a time and slow every start, so none is made.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A container's /dev/shm is often 64 MB, too small for Chromium's shared memory.
    "--disable-dev-shm-usage",
]

# The tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA, the level the public sector's
# accessibility regulations ask for. axe's "best-practice" rules (a page in landmarks, one
# h1) are not failures of WCAG, so they are asked for by name only.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class BrowserMissing(Exception):
    """Playwright or Chromium is not installed: the browser tests cannot run here."""


def find_chromium() -> str:
    """The Chromium to drive: $SOS_REPORTS_CHROMIUM, else the system's (never a download)."""
    chosen = os.environ.get(CHROMIUM_VARIABLE)
    if chosen:
        if not Path(chosen).is_file():
            raise BrowserMissing(f"{CHROMIUM_VARIABLE} is {chosen}, which is not a file")
        return chosen
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    raise BrowserMissing(
        "Chromium is not installed: run scripts/install-system-packages, or set "
        f"{CHROMIUM_VARIABLE} to a Chromium or Chrome"
    )


def start_playwright() -> Playwright:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserMissing(
            f'Playwright is not installed ({error}): run .venv/bin/pip install -e ".[dev]"'
        ) from error
    return sync_playwright().start()


def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Headless Chromium with the flags this closed, root-run machine needs."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def is_on_this_machine(url: str) -> bool:
    """True for a URL that cannot leave the machine: loopback, or no network at all."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "ws", "wss"}:
        # data:, blob:, about:blank and the like are made in the page, not fetched.
        return True
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class OpenPage:
    """A page in a context of its own, with the requests it tried to send off the machine."""

    page: Page
    refused: list[str] = field(default_factory=list)


@contextmanager
def fresh_page(browser: Browser, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Iterator[OpenPage]:
    """A new context (its own cookies and storage) and page, closed afterwards.

    A request for anything off this machine is refused before it is sent, and noted: the
    form holds details of children, and must work with no network at all.
    """
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    opened = OpenPage(page=context.new_page())

    def refuse(route: Route) -> None:
        opened.refused.append(route.request.url)
        route.abort("blockedbyclient")

    try:
        context.set_default_timeout(timeout_ms)
        context.route(lambda url: not is_on_this_machine(url), refuse)
        yield opened
    finally:
        context.close()


def axe_violations(page: Page, *, best_practice: bool = False) -> list[dict[str, Any]]:
    """The violations axe-core finds on the page as it is now, WCAG 2.0 to 2.2 A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    tags = [*WCAG_TAGS, "best-practice"] if best_practice else WCAG_TAGS
    # A click that navigates returns once the new page has begun; axe measures sizes and
    # colours, so it waits for the page's stylesheets, and a stylesheet that did not load
    # is named as that rather than as a page of unstyled targets.
    page.wait_for_load_state("load")
    unstyled = page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet]')]"
        ".filter(link => !link.sheet).map(link => link.href)"
    )
    assert unstyled == [], f"{page.url}: stylesheet not loaded: {unstyled}"
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]},
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One paragraph per violation, with the elements at fault, for an assertion message."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']} <{violation.get('helpUrl', '')}>"
        )
        for node in violation.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            html = " ".join(str(node.get("html", "")).split())
            lines.append(f"    at {target}: {html[:200]}")
            summary = " ".join(str(node.get("failureSummary", "")).split())
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def save_screenshot(page: Page, name: str) -> Path | None:
    """A full-page PNG in $SOS_REPORTS_SCREENSHOTS, for a developer to look at; else nothing."""
    folder = os.environ.get(SCREENSHOTS_VARIABLE)
    if not folder:
        return None
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "page"
    path = Path(folder) / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
