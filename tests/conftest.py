"""The tests' fixtures and hooks; the helpers they share are in tests/helpers/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sos_reports.kinds import KINDS
from tests.helpers.examples import example_path, example_tree

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests use a cache folder of their own, never the user's."""
    import os

    os.environ["SOS_REPORTS_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def icpc_tree() -> dict[str, Any]:
    return example_tree("icpc")


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """LibreOffice's path; without it the test is skipped, or fails in CI."""
    import os

    from sos_reports.documents.pdf import find_soffice
    from sos_reports.errors import PdfError

    try:
        return find_soffice()
    except PdfError:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed, and the tests that need it must run in CI")
        pytest.skip("LibreOffice is not installed")


SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="session")
def uno_python() -> str:
    """A Python that can drive LibreOffice; without one the test is skipped, or fails in CI."""
    import os
    import shutil
    import subprocess

    works = shutil.which("soffice") and Path(SYSTEM_PYTHON).exists()
    if works:
        done = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=60, check=False
        )
        works = done.returncode == 0
    if not works:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice and python3-uno are needed, and these tests run in CI")
        pytest.skip("LibreOffice or python3-uno is not installed")
    return SYSTEM_PYTHON


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite examples/golden/ from the reports the examples fill today (on purpose only: "
        "review the diff before committing it).",
    )


@pytest.fixture(scope="module", params=list(KINDS))
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, Path]:
    """Each kind's example filled in a folder of its own: its model and its report."""
    from sos_reports.commands.reports import fill, validate

    kind = request.param
    folder = tmp_path_factory.mktemp(kind)
    source = folder / example_path(kind).name
    source.write_bytes(example_path(kind).read_bytes())
    return validate(source).model, Path(fill(source).written[0])


# --- the browser tests: Playwright driving the system's Chromium (tests/helpers/browser.py) ---


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the browser is marked `browser` and runs after all the others.

    Between two of its calls Playwright's sync API leaves its event loop marked as running
    in the main thread, so an `asyncio.run()` in a later test would fail; and an idle
    Chromium is kept away from the tests that time things or send signals.
    """
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run; without it the test is skipped, or fails in CI."""
    import os

    from tests.helpers.browser import (
        BrowserMissing,
        find_chromium,
        launch_chromium,
        start_playwright,
    )

    try:
        executable = find_chromium()
        playwright = start_playwright()
    except BrowserMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; the browser tests must run in CI", pytrace=False)
        pytest.skip(str(missing))
    try:
        launched = launch_chromium(playwright, executable)
    except BaseException:
        playwright.stop()
        raise
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page with its own cookies; a request off this machine fails the test."""
    from tests.helpers.browser import fresh_page, save_screenshot

    with fresh_page(browser) as opened:
        yield opened.page
        if not opened.page.is_closed():
            save_screenshot(opened.page, request.node.name)
    if opened.refused:
        pytest.fail(
            "the page asked for something off this machine (refused, never sent): "
            + ", ".join(opened.refused)
        )
