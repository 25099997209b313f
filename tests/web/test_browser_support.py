"""The browser tests' own machinery works: Chromium loads a page served here, axe-core finds
a missing label and passes an accessible form, and nothing is fetched from off the machine.

Tests marked `browser` need Chromium (scripts/install-system-packages) and Playwright (the
dev extra); they are skipped without them, except in CI, where they fail.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers.browser import (
    axe_violations,
    format_violations,
    fresh_page,
    is_on_this_machine,
    save_screenshot,
)
from tests.helpers.examples import ROOT

pytestmark = pytest.mark.browser

# Strict, as the browser form's is meant to be: axe's script is injected by Playwright
# through the DevTools protocol, which a page's Content-Security-Policy does not govern.
STRICT_POLICY = "default-src 'self'; form-action 'self'; frame-ancestors 'none'"

GOOD = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Child's details</title>
<link rel="stylesheet" href="/style.css"></head>
<body>
<main>
<h1>Child's details</h1>
<form method="post" action="/good.html">
  <label for="first-name">Child's first name</label>
  <input id="first-name" name="first_name" type="text" autocomplete="off">
  <button type="submit">Save</button>
</form>
</main>
</body>
</html>
"""

BAD = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Child's details</title></head>
<body>
<main>
<h1>Child's details</h1>
<form method="post" action="/bad.html">
  <input id="first-name" name="first_name" type="text">
  <button type="submit">Save</button>
</form>
</main>
</body>
</html>
"""

TALL = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A long page</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main><h1>A long page</h1><div class="tall"></div><p>The end</p></main></body>
</html>
"""

# Only the address is off the machine: the request is refused in the browser, never sent,
# and a name under .invalid cannot be resolved anyway. Served without the policy, which
# would block the picture itself before the refusal could be seen.
OFFSITE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A page with a remote picture</title></head>
<body><main><h1>A remote picture</h1>
<img src="http://pictures.sos-reports.invalid/logo.png" alt="Agency logo"></main></body>
</html>
"""

PAGES = {
    "/good.html": ("text/html; charset=utf-8", GOOD),
    "/bad.html": ("text/html; charset=utf-8", BAD),
    "/tall.html": ("text/html; charset=utf-8", TALL),
    "/offsite.html": ("text/html; charset=utf-8", OFFSITE),
    # In a stylesheet: the policy refuses a style attribute.
    "/style.css": ("text/css", "body { margin: 2rem; }\n.tall { height: 3000px; }\n"),
}


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = PAGES.get(urlsplit(self.path).path)
        if found is None:
            self.send_error(404)
            return
        kind, text = found
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if self.path != "/offsite.html":
            self.send_header("Content-Security-Policy", STRICT_POLICY)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows the test's own output only."""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The pages above, served on 127.0.0.1 at a free port, for as long as the module runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_chromium_loads_a_page_served_here_and_nothing_else(page, site: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(f"{site}/good.html")

    assert response is not None and response.status == 200
    assert page.title() == "Child's details"
    assert page.get_by_role("heading", level=1).inner_text() == "Child's details"
    page.get_by_label("Child's first name").fill("Amara")
    assert page.get_by_label("Child's first name").input_value() == "Amara"
    # The stylesheet was fetched and applied: the page is really rendered, not just parsed.
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "32px"
    assert f"{site}/good.html" in requested and f"{site}/style.css" in requested
    assert [url for url in requested if urlsplit(url).hostname != "127.0.0.1"] == []


def test_axe_finds_nothing_wrong_with_an_accessible_form(page, site: str) -> None:
    page.goto(f"{site}/good.html")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_axe_finds_the_input_without_a_label(page, site: str) -> None:
    page.goto(f"{site}/bad.html")
    violations = axe_violations(page)

    assert [violation["id"] for violation in violations] == ["label"]
    report = format_violations(violations)
    assert report.startswith("1 accessibility violation(s):\n- label (critical): ")
    assert '#first-name: <input id="first-name" name="first_name" type="text">' in report


def test_best_practice_rules_are_asked_for_by_name_only(page, site: str) -> None:
    page.goto(f"{site}/good.html")
    page.evaluate("document.querySelector('main').outerHTML = '<div>Nothing in a landmark</div>'")
    assert axe_violations(page) == []
    found = {violation["id"] for violation in axe_violations(page, best_practice=True)}
    assert {"landmark-one-main", "page-has-heading-one"} <= found


def test_each_page_has_cookies_of_its_own(browser, site: str) -> None:
    with fresh_page(browser) as first:
        first.page.goto(f"{site}/good.html")
        first.page.evaluate("document.cookie = 'draft=1; path=/'")
        assert first.page.evaluate("document.cookie") == "draft=1"
        with fresh_page(browser) as second:
            second.page.goto(f"{site}/good.html")
            assert second.page.evaluate("document.cookie") == ""


def test_a_request_off_the_machine_is_refused_and_noted(browser, site: str) -> None:
    with fresh_page(browser) as opened:
        opened.page.goto(f"{site}/offsite.html", wait_until="load")
        broken = opened.page.evaluate("document.querySelector('img').naturalWidth")
    assert opened.refused == ["http://pictures.sos-reports.invalid/logo.png"]
    assert broken == 0


@pytest.mark.parametrize(
    ("url", "here"),
    [
        ("http://127.0.0.1:8000/", True),
        ("http://127.5.0.1/", True),
        ("http://localhost:8000/form", True),
        ("http://[::1]:8000/", True),
        ("data:text/plain,hello", True),
        ("about:blank", True),
        ("http://192.168.1.10/", False),
        ("https://fonts.example.com/font.woff2", False),
        ("http://localhost.example.com/", False),
        ("ws://10.0.0.1/socket", False),
    ],
)
def test_what_counts_as_this_machine(url: str, here: bool) -> None:
    assert is_on_this_machine(url) is here


def test_a_screenshot_is_kept_only_when_asked_for(
    page, site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.goto(f"{site}/tall.html")
    monkeypatch.delenv("SOS_REPORTS_SCREENSHOTS", raising=False)
    assert save_screenshot(page, "tall page") is None

    monkeypatch.setenv("SOS_REPORTS_SCREENSHOTS", str(tmp_path / "shots"))
    saved = save_screenshot(page, "tall page")

    assert saved == tmp_path / "shots" / "tall-page.png"
    data = saved.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    _width, height = struct.unpack(">II", data[16:24])
    assert height > 3000  # the whole page, not the 720 pixels of the window


def _run_one_browser_test(chromium: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["SOS_REPORTS_CHROMIUM"] = chromium
    if ci:
        env["CI"] = "true"
    test = "tests/web/test_browser_support.py::test_axe_finds_nothing_wrong_with_an_accessible_form"
    return subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_chromium_the_tests_are_skipped_here_but_fail_in_ci(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-chromium")

    here = _run_one_browser_test(missing, ci=False)
    assert here.returncode == 0, here.stdout + here.stderr
    assert "1 skipped" in here.stdout
    assert f"SOS_REPORTS_CHROMIUM is {missing}, which is not a file" in here.stdout

    in_ci = _run_one_browser_test(missing, ci=True)
    assert in_ci.returncode == 1, in_ci.stdout + in_ci.stderr
    assert "the browser tests must run in CI" in in_ci.stdout
    assert "1 error" in in_ci.stdout


def _run_tests_here(tests: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    """pytest on the given test files, with this suite's conftest.py and settings."""
    for name, text in tests.items():
        (folder / name).write_text(text, "utf-8")
    settings = [
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
    ]
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "tests.conftest", *settings],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


OFFSITE_TEST = """
def test_a_page_that_asks_for_a_remote_picture(page):
    page.set_content(
        '<img src="http://pictures.sos-reports.invalid/logo.png" alt="Agency logo">'
    )
    page.wait_for_load_state("load")
"""


def test_the_page_fixture_fails_a_test_whose_page_asks_for_anything_off_the_machine(
    browser, tmp_path: Path
) -> None:
    """(`browser`: skipped where the run inside would skip too.)"""
    result = _run_tests_here({"test_offsite.py": OFFSITE_TEST}, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout
    assert (
        "the page asked for something off this machine (refused, never sent): "
        "http://pictures.sos-reports.invalid/logo.png"
    ) in result.stdout


def test_the_browser_tests_run_after_the_others_which_may_use_asyncio(
    browser, tmp_path: Path
) -> None:
    result = _run_tests_here(
        {
            "test_a_browser.py": "def test_a_page(page):\n    page.set_content('<p>Hi</p>')\n",
            "test_b_plain.py": (
                "import asyncio\n\n"
                "def test_asyncio_runs():\n    assert asyncio.run(asyncio.sleep(0, 'ran')) == 'ran'\n"
            ),
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
