"""A meeting on the board in a real browser: the record started from the conference's inputs,
what is said typed into the three columns, everyone's scores taken, the decisions, plan and
dates made, and the record downloaded, which is what `fill` makes of the saved draft. The
board passes axe-core at a projector's 1920x1080 and a laptop's 1366x768."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.reports import fill
from sos_reports.inputs.read import read_input
from sos_reports.web import pages
from sos_reports.web.drafts import Drafts
from tests.helpers.browser import axe_violations, format_violations, save_screenshot
from tests.helpers.browser_form import Practitioner, running_form
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES, example_tree

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SIZES = ((1920, 1080), (1366, 768))
# The sections only the meeting can fill, typed on their own pages after the board.
MEETING = {"attendance", "family_views", "decisions", "plan", "family_goals", "core_group",
           "review_date", "confidential", "sign_off"}  # fmt: skip


def started_record(folder: Path) -> Path:
    path = folder / "record.yaml"
    result = CliRunner().invoke(
        cli, ["new", "record", "--from", str(EXAMPLES / "conference"), "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def the_meetings_parts(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as the meeting completes it: everyone's attendance, the decisions, the plan
    and the dates, as the example record has them."""
    example = example_tree("record")
    tree = copy.deepcopy(draft)
    attendance = [
        {
            **row,
            "attended": "report only" if row.get("agency") == "General practice" else "attended",
        }
        for row in draft["attendance"]
    ]
    attendance += [
        {"name": "Kerry Fenwick", "role": "Mother of Maisie and Leo", "attended": "attended"},
        {"name": "Dean Ashby", "role": "Father of Leo", "attended": "part"},
        {"name": "Priya Lund", "role": "Social worker", "agency": "Children's Social Care",
         "attended": "attended"},
    ]  # fmt: skip
    tree["attendance"] = attendance
    for key in ("family_views", "decisions", "plan", "family_goals", "agency_goals",
                "core_group", "review_date"):  # fmt: skip
        tree[key] = copy.deepcopy(example[key])
    tree["confidential"] = {"present": "no"}
    tree["sign_off"] = {"name": draft["attendance"][0]["name"], "date": "2025-03-14"}
    return tree


def add_to_column(page: Page, column: str, where: str, text: str, by: str) -> None:
    section = page.get_by_role("region", name=column)
    section.get_by_label("Where").select_option(label=where)
    section.get_by_label("What was said").fill(text)
    section.get_by_label("Said by (optional)").fill(by)
    with page.expect_navigation():
        section.get_by_role("button", name=re.compile("^Add to ")).click()


def score_by_keyboard(page: Page, child: str, by: str, score: int, reason: str) -> None:
    """A score typed with the keyboard alone, from the form's first box."""
    section = page.get_by_role("region", name=child)
    section.get_by_label("Who").focus()
    page.keyboard.type(by)
    page.keyboard.press("Tab")
    for _ in range(score):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type(reason)
    page.keyboard.press("Tab")
    with page.expect_navigation():  # the board again, with the score
        page.keyboard.press("Enter")


def test_a_meeting_on_the_board_gives_the_record_that_fill_makes(
    page: Page, tmp_path: Path
) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    path = started_record(folder)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with running_form(folder) as served:
        draft_id = Drafts(folder, served.keys.drafts).id_of(path)
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(served.start)
        page.goto(f"{served.base}/d/{draft_id}")
        page.get_by_role("button", name="Open the board").click()
        page.get_by_role("heading", level=1, name=re.compile("^Board")).wait_for()

        # What is said, into each column, with who said it.
        add_to_column(page, "What are we worried about?", "Danger statements",
                      "Leo could be hurt by something thrown.", "Priya Lund")  # fmt: skip
        add_to_column(page, "What's working well?", "Existing safety",
                      "Kerry took the children to Pat's that night.", "Kerry Fenwick")  # fmt: skip
        add_to_column(page, "What needs to happen?", "Safety goals",
                      "A calm home where the children feel safe.", "Priya Lund")  # fmt: skip
        # An entry edited where it stands.
        worried = page.get_by_role("region", name="What are we worried about?")
        first = worried.get_by_label("Harm, entry 1")
        first.fill(first.input_value() + " (as the school told the meeting)")
        with page.expect_navigation():
            worried.get_by_role("button", name=re.compile("^Save ")).click()

        # Three participants' scores for each child, the mother's among them.
        for child in ("Maisie Fenwick", "Leo Ashby"):
            for by, score, reason in (
                ("Kerry Fenwick", 7, "It has been calm at home since."),
                ("Priya Lund", 3, "The arguing has not been shown to stop."),
                ("Dean Ashby", 8, "The children were never hurt."),
            ):
                score_by_keyboard(page, child, by, score, reason)
        shown = page.locator("main").inner_text()
        assert "A difference of view to talk about" in shown

        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{served.base}/d/{draft_id}/board")
            found = axe_violations(page)
            assert found == [], format_violations(found)
            # Three columns side by side at both sizes, in type read from the back of a room.
            boxes = [page.locator(".board-column").nth(i).bounding_box() for i in range(3)]
            assert all(b is not None for b in boxes)
            assert len({round(b["y"]) for b in boxes if b}) == 1
            size = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.board-entry')).fontSize)"
            )
            assert size >= (24 if width == 1920 else 18), size
            save_screenshot(page, f"board {width}x{height}")

        # The decisions, the plan, the goals, the core group and the dates, on their pages.
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{served.base}/d/{draft_id}")
        done = the_meetings_parts(read_input(path).tree)
        chair = Practitioner(page, "record", done)
        for task in pages.tasks("record"):
            part = task.part
            keys = (
                {part.loc[0]}
                if hasattr(part, "loc") and part.loc
                else {
                    row.keys[0] for row in getattr(part, "rows", []) if getattr(row, "keys", None)
                }
                if not getattr(part, "base", ())
                else {part.base[0]}
            )
            if keys & MEETING:
                chair.type_task(task)

        page.get_by_role("button", name="Check your answers").click()
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the report (Word document)", exact=True).click()
        downloaded = downloads / info.value.suggested_filename
        info.value.save_as(downloaded)

    saved = read_input(path).tree
    assert [s["by"] for s in saved["scaling"]["scores"]].count("Kerry Fenwick") == 2
    assert saved["worries"]["danger_statements"][-1]["text"] == (
        "Priya Lund: Leo could be hurt by something thrown."
    )
    expected = Path(fill(path, tmp_path / "expected.docx").written[0])
    text = docx_text(downloaded)
    assert text == docx_text(expected)
    assert "Maisie Fenwick will have a child protection plan." in text
    assert "Kerry Fenwick\n7\nIt has been calm at home since." in text


def test_the_board_is_worked_with_the_keyboard_alone_the_focus_always_seen(
    page: Page, tmp_path: Path
) -> None:
    from tests.web.test_serve_accessibility import Keyboard

    folder = tmp_path / "drafts"
    folder.mkdir()
    path = started_record(folder)
    with running_form(folder) as served:
        draft_id = Drafts(folder, served.keys.drafts).id_of(path)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(served.start)
        page.goto(f"{served.base}/d/{draft_id}/board")
        keys = Keyboard(page)
        # From the top of the page, every stop on the way has a visible focus.
        keys.tab_to(lambda f: f.label == "What was said", limit=400)
        page.keyboard.type("Dean said the argument was about money.")
        assert keys.tab().label == "Said by (optional)"
        page.keyboard.type("Dean Ashby")
        button = keys.tab()
        assert button.label == "Add to what are we worried about", button
        with page.expect_navigation():
            page.keyboard.press("Enter")
    harm = read_input(path).tree["worries"]["harm"]
    assert harm.endswith("Dean Ashby: Dean said the argument was about money.")
