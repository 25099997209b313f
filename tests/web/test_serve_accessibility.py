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
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from sos_reports.web.drafts import Drafts
from tests.helpers.browser import axe_violations, format_violations, save_screenshot
from tests.helpers.browser_form import Running, icpc_with_annex, running_form
from tests.helpers.examples import EXAMPLES

if TYPE_CHECKING:
    from playwright.sync_api import Page


# A desktop browser beside another window, and a small phone (the iPhone SE's 375 CSS pixels).
WIDTHS = (1100, 375)
# WCAG 1.4.10 (reflow): at 320 CSS pixels (1280 zoomed to 400%) nothing scrolls sideways.
REFLOW_WIDTH = 320
# WCAG 1.4.12: the text spacing a reader may set for themselves, which must lose nothing. Set
# through the CSSOM, since the page's Content-Security-Policy refuses a style sheet injected.
TEXT_SPACING = """() => {
  for (const e of document.querySelectorAll("body, body *")) {
    e.style.setProperty("line-height", "1.5", "important");
    e.style.setProperty("letter-spacing", "0.12em", "important");
    e.style.setProperty("word-spacing", "0.16em", "important");
    if (e.tagName === "P") e.style.setProperty("margin-bottom", "2em", "important");
  }
}"""
# A date's boxes are sized to their digits; with the spacing above they must still show them.
CLIPPED_DATE_BOXES = """() => [...document.querySelectorAll(".date-input input")]
  .filter(e => e.scrollWidth > e.clientWidth).map(e => e.id)"""


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
        return self.draft(name, icpc_with_annex())

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
    # The start page names the folder: a long one without spaces must wrap on a phone.
    folder = tmp_path_factory.mktemp("safeguarding_reports_for_the_conferences_of_2026_thornby")
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
    for width in (*WIDTHS, REFLOW_WIDTH):
        page.set_viewport_size({"width": width, "height": 800})
        if width in WIDTHS:
            found = axe_violations(page)
            assert not found, f"{name} at {width}px: {format_violations(found)}"
            save_screenshot(page, f"{name}-{width}")
        # Nothing wider than the window: the page reflows, never scrolls sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width}px is {overflow}px wider than the window"
    # At a phone's width: WCAG names no width for 1.4.12, and at 320px with this spacing a
    # table of four columns cannot fit its words.
    page.set_viewport_size({"width": WIDTHS[1], "height": 800})
    page.evaluate(TEXT_SPACING)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} with wider text spacing is {overflow}px wider than the window"
    assert page.evaluate(CLIPPED_DATE_BOXES) == [], f"{name}: date boxes cut off their digits"


# --- the keyboard alone ------------------------------------------------------------------------

# What has the focus, and how it looks focused and not: the focus must be seen (WCAG 2.4.7)
# and not hidden (2.4.11), and the focused words must still be read (1.4.3).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const look = () => {
    const s = getComputedStyle(el);
    return {
      outline: s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
        ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
      shadow: s.boxShadow, background: s.backgroundColor, border: s.borderTopColor,
      color: s.color,
    };
  };
  const focused = look();
  el.blur();
  const plain = look();
  el.focus({ preventScroll: true });
  const box = el.getBoundingClientRect();
  const fieldset = el.closest("fieldset");
  const legend = fieldset && fieldset.querySelector("legend");
  const label = el.labels && el.labels.length ? el.labels[0].innerText : el.innerText;
  const group = el.closest("[role=group]");
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "", cls: el.className || "",
    label: (label || "").replace(/\\s+/g, " ").trim(),
    legend: legend ? legend.innerText.replace(/\\s+/g, " ").trim() : "",
    child: group ? group.querySelector("h3").innerText : "",
    checked: !!el.checked, value: "value" in el ? String(el.value) : "",
    href: el.getAttribute("href") || "",
    focused, plain,
    seen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def _alpha(colour: str) -> float:
    parts = re.findall(r"[\d.]+", colour)
    return float(parts[3]) if len(parts) == 4 else 1.0


def _luminance(colour: str) -> float:
    red, green, blue = (float(p) / 255 for p in re.findall(r"[\d.]+", colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass
class Focus:
    """The element that has the focus, as a keyboard user meets it."""

    tag: str
    id: str
    name: str
    type: str
    cls: str
    label: str
    legend: str
    child: str
    checked: bool
    value: str
    href: str
    focused: dict[str, str]
    plain: dict[str, str]
    seen: bool

    def __str__(self) -> str:
        where = f" in {self.legend!r}" if self.legend else ""
        return f"<{self.tag} id={self.id!r} type={self.type!r}> {self.label!r}{where}"

    def problem(self) -> str | None:
        """Why a person could not see where the focus is, or read what has it; else None."""
        if not self.seen:
            return "it is off the screen or has no size"
        changed = {k for k in self.focused if self.focused[k] != self.plain[k]}
        outline = "outline" in changed and self.focused["outline"] != "none"
        outline = outline and _alpha(self.focused["outline"].split(" ", 2)[2]) > 0
        shadow = "shadow" in changed and self.focused["shadow"] != "none"
        background = "background" in changed and _alpha(self.focused["background"]) > 0
        if not (outline or shadow or background):
            return f"its focused style is its unfocused one ({self.focused})"
        if _alpha(self.focused["background"]) == 1:
            ratio = contrast(self.focused["color"], self.focused["background"])
            if ratio < 4.5:
                return f"its focused text has a contrast of {ratio:.1f}:1 ({self.focused})"
        return None


def named(shown: str, words: str) -> bool:
    """Whether a label or legend is `words`, as the page shows it: "(optional)" after it when
    the question may be left out."""
    return shown in (words, f"{words} (optional)")


class Keyboard:
    """A person with a keyboard and no mouse: every move is a key, and after each Tab the focus
    must be where they can see it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def focus(self) -> Focus:
        found = self.page.evaluate(FOCUS)
        assert found is not None, "nothing has the focus"
        return Focus(**found)

    def visible_focus(self) -> Focus:
        now = self.focus()
        problem = now.problem()
        assert problem is None, f"the focus on {now} is not visible: {problem}"
        return now

    def tab(self, *, back: bool = False) -> Focus:
        self.page.keyboard.press("Shift+Tab" if back else "Tab")
        return self.visible_focus()

    def tab_to(
        self, want: Callable[[Focus], bool], *, back: bool = False, limit: int = 150
    ) -> Focus:
        passed = []
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.page.evaluate(FOCUS) is None:
                break  # off the end of the page
            now = self.visible_focus()
            if want(now):
                return now
            passed.append(str(now))
        raise AssertionError("not reached with Tab; passed:\n" + "\n".join(passed))

    def to_field(self, label: str, legend: str = "") -> Focus:
        return self.tab_to(
            lambda f: named(f.label, label) and (not legend or named(f.legend, legend))
        )

    def to_group(self, legend: str) -> Focus:
        """Into a group of radios or checkboxes: the focus lands on its first (or checked) one."""
        return self.tab_to(lambda f: f.type in ("radio", "checkbox") and named(f.legend, legend))

    def to_button(self, words: str) -> Focus:
        return self.tab_to(lambda f: f.tag in ("button", "a") and f.label == words)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def retype(self, text: str) -> None:
        """Replace what the focused box holds."""
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def date(self, legend: str, day: int, month: int, year: int) -> None:
        self.to_field("Day", legend)
        self.retype(str(day))
        for part, value in (("Month", month), ("Year", year)):
            assert self.tab().label == part
            self.retype(str(value))

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        if key in ("Space", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"):
            self.visible_focus()  # the choice moved to, or ticked, is seen to have the focus

    def activate(self, words: str, key: str = "Enter") -> None:
        """Tab to a button or link and press it, then wait for the page it leads to."""
        now = self.page.evaluate(FOCUS)
        if now is None or not (now["tag"] in ("button", "a") and now["label"] == words):
            self.to_button(words)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def shot(self, name: str) -> None:
        """A picture of the page with its focus, for a person to judge the focus style."""
        save_screenshot(self.page, f"keyboard-{name}")

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    def without_errors(self) -> None:
        assert not self.page.title().startswith("Error: "), self.page.locator(
            ".error-summary"
        ).inner_text()


def test_a_report_is_filled_with_the_keyboard_alone(page: Page, tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "earlier-icpc.yaml").write_bytes((EXAMPLES / "icpc-school.yaml").read_bytes())
    keys = Keyboard(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})

    with running_form(folder) as served:
        page.goto(served.start)  # typed into the address bar

        # The skip link is the first stop, and takes the focus past the header.
        first = keys.tab()
        assert first.label == "Skip to main content" and "skip-link" in first.cls
        keys.shot("skip-link")
        keys.press("Enter")
        assert keys.focus().id == "main"

        # The start page: the next report from the earlier one, with the drop-down list and
        # the radios.
        keys.to_field("Earlier report")
        keys.press("ArrowDown")
        chosen = keys.focus()
        assert (
            chosen.value
            and "earlier-icpc.yaml" in page.locator("#next-earlier option:checked").inner_text()
        )
        first_kind = keys.tab()
        assert first_kind.legend == "Which report are you writing next?", first_kind
        keys.press("ArrowDown")
        review = keys.visible_focus()
        keys.shot("radio")
        assert review.checked and review.label == (
            "Agency report to a Review Child Protection Conference"
        )
        keys.activate("Start the next report")
        assert keys.heading() == "Agency report to a Review Child Protection Conference"

        # A date that is not one: the error summary takes the focus, and its first link takes
        # it on to the field.
        keys.activate("Conference")
        assert keys.heading() == "Conference"
        keys.date("Conference date", 31, 2, 2026)
        keys.to_field("Time")
        keys.type("10:00")
        keys.to_field("Venue")
        keys.type("Thornby Civic Centre, Meeting Room 2")
        keys.activate("Save and continue")
        assert page.title().startswith("Error: ")
        summary = keys.visible_focus()
        assert "error-summary" in summary.cls, summary
        keys.shot("error-summary")
        link = keys.tab()
        assert link.href.startswith("#") and "Conference date" in link.label, link
        keys.press("Enter")
        field = keys.visible_focus()
        assert field.label == "Day" and field.legend.startswith("Conference date"), field
        keys.shot("error-field")
        assert page.evaluate(
            "target => document.getElementById(target).contains(document.activeElement)",
            link.href[1:],
        )
        keys.retype("26")
        keys.tab()
        keys.retype("3")
        keys.tab()
        keys.retype("2026")
        keys.activate("Save and continue")
        keys.without_errors()

        # Radios with the space bar; text typed.
        assert keys.heading() == "Author"
        yes = keys.to_group("Attending the conference")
        assert yes.label == "Yes" and not yes.checked
        keys.press("Space")
        assert keys.focus().checked
        keys.to_field("Presenting the report")
        keys.type("Ms Joanna Pryce")
        keys.activate("Save and continue")
        keys.without_errors()

        assert keys.heading() == "Report"
        keys.date("Report date", 19, 3, 2026)
        keys.date("Sent to the chair", 20, 3, 2026)
        keys.activate("Save and continue")
        keys.without_errors()

        # Add another: an entry added on its own page, come back from, and removed with the
        # confirmation; the arrow keys move between radios; Enter in a text box is a new line.
        assert keys.heading() == "Sharing with the family"
        keys.to_group("Shared with the family")
        keys.press("ArrowRight")
        no = keys.visible_focus()
        assert no.label == "No" and no.checked
        keys.date("Date it will be shared", 23, 3, 2026)
        keys.activate("Add a person")
        assert keys.heading() == "Add a person"
        keys.to_field("Name")
        keys.type("Kerry Fenwick")
        keys.to_field("Relationship to the children")
        keys.type("Mother of Maisie and Leo")
        keys.to_group("Given the report")
        keys.press("ArrowRight")
        assert keys.visible_focus().label == "No"
        keys.activate("Save and continue")
        keys.without_errors()
        assert keys.heading() == "Sharing with the family"
        assert "Kerry Fenwick" in page.locator("#f-sharing-with").inner_text()
        keys.to_button("Remove Kerry Fenwick")
        keys.shot("remove-button")
        keys.activate("Remove Kerry Fenwick")
        assert "remove Kerry Fenwick" in keys.heading()
        keys.to_group("Are you sure you want to remove Kerry Fenwick from shared with?")
        keys.press("Space")
        keys.to_button("Continue")
        back_to_yes = keys.tab(back=True)
        assert back_to_yes.label == "Yes" and back_to_yes.checked, back_to_yes
        keys.activate("Continue")
        assert keys.heading() == "Sharing with the family"
        assert "None added yet." in page.locator("#f-sharing-with").inner_text()
        keys.to_field("Reason not shared")
        keys.type("Kerry asked to read the report with the social worker.")
        keys.press("Enter")
        keys.type("They meet on 23 March 2026.")
        # Enter in a text box saves and continues, as the page's main button does: not the
        # first button of the form, which is the list's "Add a person".
        keys.to_field("Interpreter")
        keys.type("Not needed")
        with page.expect_navigation():
            keys.press("Enter")
        keys.without_errors()
        assert keys.heading() == "Children"

        # Checkboxes, in an entry of a list on a section's page.
        keys.activate("Save and come back later")
        keys.activate("What are we worried about?")
        keys.to_field("Harm")
        keys.type("Maisie told school there was more shouting at home in March 2026.")
        keys.activate("Add a danger statement")
        keys.to_field("Danger statement")
        keys.type("School is worried that Maisie will keep feeling scared at home.")
        maisie = keys.to_group("Children")
        assert maisie.label == "Maisie Fenwick" and not maisie.checked
        keys.press("Space")
        leo = keys.tab()
        assert leo.label == "Leo Ashby"
        keys.press("Space")
        keys.shot("checkbox")
        assert keys.focus().checked
        keys.activate("Save and continue")
        keys.without_errors()
        assert "Maisie Fenwick" in page.locator("#f-worries-danger-statements").inner_text()
        keys.activate("Save and come back later")

        # The task list's "button" is a link: it answers the space bar, as a button does.
        header = keys.tab_to(lambda f: f.label == "sos-reports")
        assert header.href == "/"
        keys.shot("header-link")
        keys.to_button("Check your answers")
        keys.shot("button-link")
        keys.activate("Check your answers", key="Space")
        assert keys.heading() == "Check your answers"
        answers = page.locator("main").inner_text()
        for typed in (
            "26 March 2026",
            "Thornby Civic Centre, Meeting Room 2",
            "Ms Joanna Pryce",
            "19 March 2026",
            "They meet on 23 March 2026.",
            "School is worried that Maisie will keep feeling scared at home.",
        ):
            assert typed in answers, typed


def test_a_choice_of_children_with_no_children_yet_says_to_add_them(page: Page, site: Site) -> None:
    """An empty group of checkboxes is a question with nothing to answer: a screen reader
    announces a group and then nothing, a sighted user sees a legend over a gap."""
    site.enter(page)
    page = site.go(f"/d/{site.empty()}/task/6")
    press(page, "Add a person")
    group = page.get_by_role("group", name=re.compile("^Parental responsibility for"))
    assert group.get_by_role("checkbox").count() == 0
    assert "Add the children first" in group.inner_text()


def test_the_message_beside_a_field_has_the_words_of_the_summary(page: Page, site: Site) -> None:
    site.enter(page)
    page = site.go(f"/d/{site.empty()}/task/2")
    press(page, "Save and continue")
    summary = [" ".join(t.split()) for t in page.locator(".error-summary li").all_inner_texts()]
    beside = [
        " ".join(t.split()).removeprefix("Error: ")
        for t in page.locator(".error-message").all_inner_texts()
    ]
    assert len(summary) == 7
    assert beside == summary


def test_the_hints_of_checkboxes_and_radios_speak_of_what_the_page_shows(
    page: Page, site: Site
) -> None:
    site.enter(page)
    draft = site.complete("hints")
    hints = []
    for path in ("/entry/household.1", "/entry/worries.danger_statements.0", "/task/1"):
        page = site.go(f"/d/{draft}{path}")
        hints += page.locator("fieldset .hint").all_inner_texts()
    assert hints
    for hint in hints:
        for workbook_words in ("separated by commas", "Pick from the list", "ids"):
            assert workbook_words not in hint, hint


def test_the_authors_own_details_say_what_they_are_and_the_familys_do_not(
    page: Page, site: Site
) -> None:
    """WCAG 1.3.5: a field for the user's own details names its purpose, so that a browser
    can fill it and assistive software can mark it. The family's details stay unnamed and
    off the browser's memory of what was typed."""
    site.enter(page)
    draft = site.empty()
    page = site.go(f"/d/{draft}/task/2")
    purposes = {
        "Name": "name",
        "Role": "organization-title",
        "Work base": "organization",
        "Phone": "tel",
        "E-mail": "email",
    }
    for label, purpose in purposes.items():
        assert page.get_by_label(label, exact=True).get_attribute("autocomplete") == purpose
    assert page.get_by_label("Agency", exact=True).get_attribute("autocomplete") == "off"
    page = site.go(f"/d/{draft}/task/6")
    press(page, "Add a person")
    assert page.get_by_label("Name", exact=True).get_attribute("autocomplete") == "off"


def test_the_add_button_of_a_list_in_error_is_described_by_the_error(
    page: Page, site: Site
) -> None:
    """A keyboard or screen reader user arrives at the list's button, not at its heading:
    the button tells them what the list lacks."""
    from playwright.sync_api import expect

    site.enter(page)
    page = site.go(f"/d/{site.empty()}/task/9")
    press(page, "Save and continue")
    for noun in ("safety goal", "next step"):
        button = page.get_by_role("button", name=f"Add a {noun}", exact=True)
        expect(button).to_have_accessible_description(
            re.compile(rf"^Error: {noun.capitalize()}s needs at least one entry$")
        )


def test_two_messages_beside_one_field_make_one_description() -> None:
    """A field with two errors has one element its aria-describedby names, holding both:
    two elements with one id would leave the second unread, and the page invalid."""
    from jinja2 import Environment, PackageLoader

    env = Environment(loader=PackageLoader("sos_reports.web", "templates"), autoescape=True)
    html = str(
        env.get_template("macros.html").module.messages(  # type: ignore[attr-defined]
            "f-conference-date", {"f-conference-date": ["is not a real date", "is in 2099"]}
        )
    )
    assert html.count('id="f-conference-date-error"') == 1, html
    assert "is not a real date" in html and "is in 2099" in html
