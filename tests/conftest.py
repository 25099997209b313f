"""Helpers the tests share: example inputs, and reading a .docx without the code under test."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from lxml import etree

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests use a cache folder of their own, never the user's."""
    import os

    os.environ["SOS_REPORTS_CACHE"] = str(tmp_path_factory.mktemp("cache"))


EXAMPLES = ROOT / "examples"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def example_path(kind: str) -> Path:
    return {
        "icpc": EXAMPLES / "icpc-school.yaml",
        "rcpc": EXAMPLES / "rcpc-school.yaml",
        "medical": EXAMPLES / "medical-gp.yaml",
    }[kind]


class _AllStrings(yaml.SafeLoader):
    """Reads YAML the way the input format does: every scalar a string."""


_AllStrings.yaml_implicit_resolvers = {}


def example_tree(kind: str = "icpc") -> dict[str, Any]:
    """The example input as a plain tree, to change and write out in a test."""
    tree: dict[str, Any] = yaml.load(example_path(kind).read_text("utf-8"), Loader=_AllStrings)
    return copy.deepcopy(tree)


def write_json(path: Path, tree: dict[str, Any]) -> Path:
    path.write_text(json.dumps(tree, ensure_ascii=False, indent=1), "utf-8")
    return path


def write_yaml(path: Path, tree: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def icpc_tree() -> dict[str, Any]:
    return example_tree("icpc")


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite examples/golden/ from the reports the examples fill today (on purpose only: "
        "review the diff before committing it).",
    )


@pytest.fixture(scope="module", params=["icpc", "rcpc", "medical"])
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
