"""Accessibility of the browser form: axe-core finds nothing on any kind of page, with or
without errors, at a desktop's width and a phone's, and a report is filled with the keyboard
alone, the focus always visible.

Screenshots of every page kind at both widths go to $SOS_REPORTS_SCREENSHOTS when it is set,
for a person to look at: what axe cannot judge (overlaps, cut-off text, the look of errors).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import yaml

from sos_reports.web.drafts import Drafts
from tests.conftest import EXAMPLES
from tests.helpers.browser import axe_violations, format_violations, save_screenshot
from tests.helpers.browser_form import Running, running_form

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# A desktop browser beside another window, and a small phone (the iPhone SE's 375 CSS pixels):
# WCAG 1.4.10 asks that nothing needs scrolling both ways at 320 to 400 pixels wide.
WIDTHS = (1100, 375)

CONFIDENTIAL = """confidential:
  present: true
  reason: third-party information
  chair_informed: 2025-03-07
  details: |
    A neighbour, who asked not to be named, told the school office on 5 March 2025 that she hears shouting from the house most evenings.
"""


@dataclass
class Site:
    """The browser form serving a folder for this module's tests, and its drafts."""

    served: Running
    drafts: Drafts
    page: Page | None = None

    def enter(self, page: Page) -> None:
        """Give a fresh page the session the start address gave the first browser: the start
        address works once, and each test has a browser context of its own."""
        page.context.add_cookies(
            [
                {
                    "name": f"sos_reports_{self.served.base.rsplit(':', 1)[1]}",
                    "value": self.served.keys.session,
                    "url": self.served.base,
                }
            ]
        )
        self.page = page

    def go(self, path: str) -> Page:
        assert self.page is not None
        self.page.goto(self.served.base + path)
        return self.page

    def draft(self, name: str, text: str) -> str:
        """A draft file written into the folder, as a user's own input would be: its id."""
        path = self.served.folder / f"{name}.yaml"
        path.write_text(text, "utf-8")
        return self.drafts.id_of(path)

    def empty(self, kind: str = "icpc") -> str:
        """A new, empty draft, as "Start a new report" makes it."""
        return self.drafts.create(kind).id

    def complete(self, name: str) -> str:
        """The school's complete ICPC example, with something for the chair only."""
        text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
        return self.draft(name, text.replace("confidential:\n  present: false\n", CONFIDENTIAL))

    def medical(self, name: str, blank_first_health: bool = False) -> str:
        """The GP's example; with the first child's health entry emptied, when asked."""
        tree = yaml.safe_load((EXAMPLES / "medical-gp.yaml").read_text("utf-8"))
        if blank_first_health:
            tree["child_health"][0] = {"child": tree["child_health"][0]["child"]}
        return self.draft(name, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False))

    def without_scores(self, name: str) -> str:
        """The ICPC example with each child's score taken out: the Scaling page to answer."""
        tree = yaml.safe_load((EXAMPLES / "icpc-school.yaml").read_text("utf-8"))
        for score in tree["scaling"]["scores"]:
            del score["score"]
        return self.draft(name, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("drafts")
    with running_form(folder) as served:
        yield Site(served, Drafts(folder, served.keys.drafts))


def press(page: Page, button: str) -> None:
    """Select a button by its words and wait for the page it leads to."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def shows_errors(page: Page, at_least: int = 1) -> None:
    """The page is in its error state: a summary that has the focus, a message beside a field."""
    from playwright.sync_api import expect

    assert page.title().startswith("Error: "), page.title()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.get_by_role("link").count() >= at_least
    assert page.locator(".error-message").count() >= at_least


# --- each kind of page, brought to the state it is checked in --------------------------------

Scene = Callable[[Site], None]
SCENES: dict[str, Scene] = {}


def scene(name: str) -> Callable[[Scene], Scene]:
    def register(function: Scene) -> Scene:
        SCENES[name] = function
        return function

    return register


@scene("start")
def _start(site: Site) -> None:
    # Drafts to list and start the next report from; one named as people name files, in a
    # single long word, which must wrap at a phone's width.
    site.empty()
    site.complete("fenwick_ashby_initial_child_protection_conference_report_school")
    page = site.go("/")
    assert page.get_by_label("Earlier report").count() == 1


@scene("start-error")
def _start_error(site: Site) -> None:
    page = site.go("/")
    press(page, "Start a new report")
    shows_errors(page)


@scene("task-list")
def _task_list(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}")
    assert page.locator(".task-list-item").count() > 10


@scene("task-list-with-problems")
def _task_list_problems(site: Site) -> None:
    draft = site.empty()
    press(site.go(f"/d/{draft}/task/2"), "Save and continue")
    page = site.go(f"/d/{draft}")
    assert page.locator(".task-list-count").count() > 5


@scene("section-plain")
def _section_plain(site: Site) -> None:
    page = site.go(f"/d/{site.complete('author')}/task/2")
    assert page.get_by_role("heading", level=1).inner_text() == "Author"


@scene("section-plain-errors")
def _section_plain_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/task/2")
    press(page, "Save and continue")
    shows_errors(page, at_least=7)


@scene("section-date")
def _section_date(site: Site) -> None:
    page = site.go(f"/d/{site.complete('conference')}/task/1")
    assert page.get_by_role("group", name="Conference date").count() == 1


@scene("section-date-errors")
def _section_date_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/task/1")
    day = page.get_by_role("group", name="Conference date")
    day.get_by_label("Day", exact=True).fill("31")
    day.get_by_label("Month", exact=True).fill("2")
    day.get_by_label("Year", exact=True).fill("2026")
    press(page, "Save and continue")
    shows_errors(page, at_least=2)


@scene("section-list-sharing")
def _section_list_sharing(site: Site) -> None:
    page = site.go(f"/d/{site.complete('sharing')}/task/4")
    assert page.locator("#f-sharing-with .summary-list-row").count() == 2


@scene("section-list-sharing-errors")
def _section_list_sharing_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/task/4")
    press(page, "Save and continue")
    shows_errors(page)


@scene("section-list-needs")
def _section_list_needs(site: Site) -> None:
    page = site.go(f"/d/{site.complete('needs')}/task/9")
    assert page.locator("#f-needs-to-happen-next-steps .summary-list-row").count() == 3


@scene("section-list-needs-errors")
def _section_list_needs_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/task/9")
    press(page, "Save and continue")
    shows_errors(page, at_least=2)


@scene("scaling")
def _scaling(site: Site) -> None:
    page = site.go(f"/d/{site.complete('scaling')}/task/12")
    maisie = page.get_by_role("group", name="Maisie Fenwick", exact=True)
    assert maisie.get_by_role("radio").count() == 11
    assert maisie.get_by_label("0: the child is unsafe").count() == 1
    assert maisie.get_by_label("10: the child is safe").count() == 1


@scene("scaling-errors")
def _scaling_errors(site: Site) -> None:
    page = site.go(f"/d/{site.without_scores('no-scores')}/task/12")
    press(page, "Save and continue")
    shows_errors(page, at_least=2)


@scene("entry-household")
def _entry_household(site: Site) -> None:
    page = site.go(f"/d/{site.complete('household')}/entry/household.1")
    assert page.get_by_role("heading", level=1).inner_text() == "Dean Ashby"


@scene("entry-household-errors")
def _entry_household_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/task/6")
    press(page, "Add a person")
    page.get_by_label("Name", exact=True).fill("Kerry Fenwick")
    press(page, "Save and continue")
    shows_errors(page, at_least=3)


@scene("entry-gp-health")
def _entry_gp_health(site: Site) -> None:
    page = site.go(f"/d/{site.medical('health')}/entry/child_health.0")
    assert page.locator("main h2", has_text="hospital admissions").count() == 1


@scene("entry-gp-health-errors")
def _entry_gp_health_errors(site: Site) -> None:
    page = site.go(f"/d/{site.medical('health-blank', True)}/entry/child_health.0")
    press(page, "Save and continue")
    shows_errors(page, at_least=3)


@scene("remove")
def _remove(site: Site) -> None:
    page = site.go(f"/d/{site.complete('remove')}/remove/household.3")
    assert "Pat Holroyd" in page.get_by_role("heading", level=1).inner_text()


@scene("remove-error")
def _remove_error(site: Site) -> None:
    page = site.go(f"/d/{site.complete('remove-error')}/remove/household.3")
    press(page, "Continue")
    shows_errors(page)


@scene("check-errors")
def _check_errors(site: Site) -> None:
    page = site.go(f"/d/{site.empty()}/check")
    assert page.title().startswith("Error: ")
    assert page.locator(".error-summary li").count() > 10
    assert page.get_by_role("link", name=re.compile("^Download")).count() == 0


@scene("check-complete")
def _check_complete(site: Site) -> None:
    page = site.go(f"/d/{site.complete('check')}/check")
    assert page.locator(".error-summary").count() == 0
    assert page.get_by_role("link", name="Download the report (Word document)").count() == 1
    annex = page.locator(".confidential")
    assert annex.get_by_role("link", name=re.compile("^Download the confidential annex")).count()


@scene("problem-404")
def _problem(site: Site) -> None:
    page = site.go("/d/0000/no-such-page")
    assert page.get_by_role("heading", level=1).inner_text() == "There is a problem"


@pytest.mark.parametrize("name", list(SCENES))
def test_axe_finds_no_wcag_violation(page: Page, site: Site, name: str) -> None:
    site.enter(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    SCENES[name](site)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found = axe_violations(page)
        assert not found, f"{name} at {width}px: {format_violations(found)}"
        # Nothing wider than the window: at a phone's width a page reflows, never scrolls
        # sideways (WCAG 1.4.10).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width}px is {overflow}px wider than the window"
        save_screenshot(page, f"{name}-{width}")
