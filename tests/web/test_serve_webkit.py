"""The browser form in a second engine: WebKitGTK, Safari's engine, as Debian packages it.

axe-core finds no WCAG violation on any kind of page at a desktop's width and a phone's, and
a section is answered and saved with the keyboard alone, the focus visible after every key.
The Chromium tests (test_serve_accessibility.py) go further; these prove that what they find
is not one engine's luck.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from sos_reports.inputs.read import read_input
from sos_reports.web import pages
from tests.helpers.browser import BrowserMissing, format_violations
from tests.helpers.browser_form import Running, running_form
from tests.helpers.examples import EXAMPLES

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = pytest.mark.browser

WIDTHS = (1100, 375)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("drafts")
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    broken = (EXAMPLES / "rcpc-school.yaml").read_text("utf-8").replace("score: 6", "score: 11", 1)
    (folder / "review.yaml").write_text(broken, "utf-8")
    with running_form(folder) as running:
        yield running


@pytest.fixture(scope="module")
def webkit(served: Running) -> Iterator[WebDriver]:
    """One WebKitGTK window for the module, signed in; skipped where WebKitGTK's driver is
    not installed, failing in CI."""
    from tests.helpers.webkit import webkit_driver

    try:
        with webkit_driver() as driver:
            driver.get(served.start)
            yield driver
    except BrowserMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; the browser tests must run in CI", pytrace=False)
        pytest.skip(str(missing))


def draft_id(driver: WebDriver, served: Running, name: str) -> str:
    driver.get(served.base + "/")
    for row in re.findall(r"<tr.*?</tr>", driver.page_source, re.S):
        if name in row:
            found = re.search(r'href="/d/([0-9a-f]{20})"', row)
            assert found is not None, row
            return found[1]
    raise AssertionError(f"{name} is not listed on the start page")


def page_kinds(driver: WebDriver, served: Running) -> dict[str, str]:
    """An address of each kind of page: the start, a task list, a section with its problems
    (opened from check your answers), an entry of a list, check your answers."""
    school = draft_id(driver, served, "school.yaml")
    review = draft_id(driver, served, "review.yaml")
    driver.get(f"{served.base}/d/{review}/check")  # from here on, pages show their problems
    scaling = next(t.number for t in pages.tasks("rcpc") if t.title == "Scaling")
    return {
        "start": "/",
        "task list": f"/d/{school}",
        "section with problems": f"/d/{review}/task/{scaling}",
        "entry": f"/d/{school}/entry/household.0",
        "check your answers": f"/d/{review}/check",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_wcag_violation_in_webkit(
    webkit: WebDriver, served: Running, width: int
) -> None:
    from tests.helpers.webkit import axe_violations

    webkit.set_window_size(width, 900)
    found = {}
    for name, address in page_kinds(webkit, served).items():
        webkit.get(served.base + address)
        if name == "section with problems":
            assert "There is a problem" in webkit.page_source
        violations = axe_violations(webkit)
        if violations:
            found[name] = format_violations(violations)
        wide = webkit.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )
        assert not wide, f"the {name} page scrolls sideways at {width} pixels"
    webkit.set_window_size(1100, 900)
    assert found == {}


# The focused element's look, then its look without the focus (the focus is put back).
FOCUS_LOOK = """
const e = document.activeElement;
const look = () => { const s = getComputedStyle(e);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
          s.color, s.textDecorationLine, s.textDecorationThickness].join(" | "); };
const focused = look();
e.blur();
const unfocused = look();
e.focus();
return {tag: e.tagName, text: (e.innerText || e.value || "").trim().slice(0, 60),
        name: e.getAttribute("name"), focused, unfocused};
"""


class Keyboard:
    """A person with a keyboard and no mouse, in WebKit: after each Tab the focus must show."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver

    def press(self, *keys: str) -> dict[str, Any]:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(*keys).perform()
        focus: dict[str, Any] = self.driver.execute_script(FOCUS_LOOK)
        return focus

    def select_all(self) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(
            Keys.CONTROL
        ).perform()

    def tab_to(self, wanted: Any, limit: int = 80) -> dict[str, Any]:
        from selenium.webdriver.common.keys import Keys

        passed = []
        for _ in range(limit):
            focus = self.press(Keys.TAB)
            if focus["tag"] != "BODY":
                assert focus["focused"] != focus["unfocused"], f"the focus does not show: {focus}"
            passed.append(f"{focus['tag']} {focus['text']!r}")
            if wanted(focus):
                return focus
        raise AssertionError("not reached with Tab; passed:\n" + "\n".join(passed))


def test_a_section_is_answered_and_saved_with_the_keyboard_alone_in_webkit(
    webkit: WebDriver, served: Running
) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.wait import WebDriverWait

    school = draft_id(webkit, served, "school.yaml")
    webkit.get(f"{served.base}/d/{school}")
    keyboard = Keyboard(webkit)
    keyboard.tab_to(lambda f: f["tag"] == "A" and f["text"] == "Family's views")
    keyboard.press(Keys.ENTER)
    views = next(t.number for t in pages.tasks("icpc") if t.title == "Family's views")
    WebDriverWait(webkit, 10).until(lambda d: d.current_url.endswith(f"/task/{views}"))
    keyboard.tab_to(lambda f: f["tag"] == "TEXTAREA" and f["name"] == "family_views")
    words = "Kerry said on 7 March 2025 that home is calmer since the help began."
    keyboard.select_all()
    keyboard.press(words)
    keyboard.tab_to(lambda f: f["tag"] == "BUTTON" and f["text"] == "Save and continue")
    keyboard.press(Keys.ENTER)
    # Saved, and on to the next section.
    next_section = f"/d/{school}/task/{views + 1}"
    WebDriverWait(webkit, 10).until(lambda d: d.current_url.endswith(next_section))
    saved = read_input(served.folder / "school.yaml").tree["family_views"]
    assert saved.strip() == words
