"""The browser form in a real browser: a practitioner completes a report as a person would,
and what they download is what `fill` makes of the same input typed as YAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sos_reports.commands.reports import fill
from sos_reports.inputs.read import read_input
from sos_reports.web import pages
from tests.helpers.browser_form import Practitioner, icpc_with_annex, running_form
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _expected(tmp_path: Path, example: Path) -> tuple[str, str | None]:
    """The text of the report (and annex) that `fill` writes from the example's YAML."""
    work = tmp_path / "expected"
    work.mkdir()
    source = work / example.name
    source.write_bytes(example.read_bytes())
    written = [Path(p) for p in fill(source).written]
    return docx_text(written[0]), (docx_text(written[1]) if len(written) > 1 else None)


def _download(page: Page, link: str, into: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link, exact=True).click()
    target = into / info.value.suggested_filename
    info.value.save_as(target)
    return target


def _score_of_eleven(page: Page, child: str) -> None:
    """Send 11 for a child's score: the radios stop at 10, so the page is altered as a stale
    or tampered form would be; the server's check must still catch it."""
    group = page.get_by_role("group", name=child, exact=True)
    radio = group.get_by_role("group", name=re.compile("^Score")).get_by_label(
        re.compile(r"^10(:.*)?$")
    )
    radio.evaluate("element => { element.value = '11'; element.checked = true; }")


def test_a_practitioner_completes_an_icpc_report_and_downloads_what_fill_makes(
    page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # The school's example, with something for the chair only, so that there is an annex.
    example = tmp_path / "icpc-school.yaml"
    example.write_text(icpc_with_annex(), "utf-8")
    tree = read_input(example).tree
    assert len(tree["children"]) == 2 and tree["household"]
    expected_report, expected_annex = _expected(tmp_path, example)
    folder = tmp_path / "drafts"
    folder.mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    with running_form(folder) as served:
        page.goto(served.start)
        assert page.url == served.base + "/"
        page.get_by_label("Agency report to an Initial Child Protection Conference").check()
        page.get_by_role("button", name="Start a new report").click()
        page.get_by_role("heading", level=1, name=re.compile("Initial Child Protection")).wait_for()
        you = Practitioner(page, "icpc", tree)
        for task in pages.tasks("icpc"):
            if task.part.title == "Scaling":
                you.type_task(task, save=False)
                _score_of_eleven(page, "Maisie Fenwick")
                page.get_by_role("button", name="Save and continue", exact=True).click()
                assert page.title().startswith("Error: ")
                summary = page.locator(".error-summary")
                assert summary.get_by_role("heading", name="There is a problem").is_visible()
                links = summary.get_by_role("link")
                assert links.count() == 1
                message = links.first.inner_text()
                assert "Maisie" in message or "Score" in message, message
                assert "10" in message, message
                # The summary has the focus, and its link leads to the question.
                expect(summary).to_be_focused()
                links.first.click()
                focused = page.evaluate("document.activeElement.name")
                assert focused.startswith("scaling.scores[0].score"), page.evaluate(
                    "document.activeElement.outerHTML.slice(0, 300)"
                )
                # The same message stands beside the question; what was typed is kept.
                beside = page.locator(".error-message")
                assert beside.count() == 1
                assert "10" in beside.first.inner_text()
                maisie = page.get_by_role("group", name="Maisie Fenwick", exact=True)
                assert "arguing" in maisie.get_by_label(re.compile("^Reason")).input_value()
                maisie.get_by_role("group", name=re.compile("^Score")).get_by_label(
                    re.compile(r"^4$")
                ).check()
                you.save_and_continue()
                page.goto(you.task_list_url)
            else:
                you.type_task(task)

        statuses = page.locator(".task-list-status")
        assert all(
            statuses.nth(i).inner_text().startswith("Completed") for i in range(statuses.count())
        ), page.locator(".task-list").inner_text()
        page.get_by_role("button", name="Check your answers").click()
        assert page.title().startswith("Check your answers")
        # A summary card per child and per person, under their names.
        for name in ("Maisie Fenwick", "Leo Ashby", "Kerry Fenwick", "Dean Ashby"):
            assert page.locator(".summary-card-title", has_text=name).count() >= 1, name

        report = _download(page, "Download the report (Word document)", downloads)
        annex = _download(page, "Download the confidential annex (Word document)", downloads)

    assert docx_text(report) == expected_report
    assert expected_annex is not None and docx_text(annex) == expected_annex
    # The annex's details are in the annex's own download only.
    confidential = str(tree["confidential"]["details"]).split("\n")[0].strip()
    assert confidential and confidential[:40] in docx_text(annex)
    assert confidential[:40] not in docx_text(report)
    # The draft is the input: the command line reads what the browser saved.
    drafts = list(folder.glob("*.yaml"))
    assert len(drafts) == 1 and drafts[0].stat().st_mode & 0o777 == 0o600
    again = tmp_path / "again"
    again.mkdir()
    copy = again / "draft.yaml"
    copy.write_bytes(drafts[0].read_bytes())
    assert docx_text(Path(fill(copy).written[0])) == expected_report


def test_a_gp_starts_the_medical_report_from_an_earlier_icpc_input(
    page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from sos_reports.inputs.forms.carry import carry_forward

    example = EXAMPLES / "medical-gp.yaml"
    tree = read_input(example).tree
    expected_report, expected_annex = _expected(tmp_path, example)
    folder = tmp_path / "drafts"
    folder.mkdir()
    earlier = folder / "earlier-icpc.yaml"
    earlier.write_bytes((EXAMPLES / "icpc-school.yaml").read_bytes())
    before = earlier.read_bytes()
    carried = carry_forward(read_input(earlier).tree, "medical")
    assert carried["children"] and carried["household"]
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    with running_form(folder) as served:
        page.goto(served.start)
        page.get_by_label("Earlier report").select_option(
            label="earlier-icpc.yaml (Agency report to an Initial Child Protection Conference)"
        )
        page.get_by_role("group", name="Which report are you writing next?").get_by_label(
            "Conference report for medical practitioners"
        ).check()
        page.get_by_role("button", name="Start the next report").click()
        page.get_by_role(
            "heading", level=1, name="Conference report for medical practitioners"
        ).wait_for()
        you = Practitioner(page, "medical", tree)
        # What the earlier report carried is there already: the children among it.
        page.get_by_role("link", name="Children", exact=True).click()
        expect(page.locator(".summary-list-key", has_text="Maisie Fenwick")).to_have_count(1)
        page.goto(you.task_list_url)
        for task in pages.tasks("medical"):
            you.type_task(task)
        page.get_by_role("button", name="Check your answers").click()
        report = _download(page, "Download the report (Word document)", downloads)
        annex_links = page.get_by_role(
            "link", name="Download the confidential annex (Word document)"
        )
        annex = (
            _download(page, "Download the confidential annex (Word document)", downloads)
            if annex_links.count()
            else None
        )

    assert earlier.read_bytes() == before
    assert docx_text(report) == expected_report
    if expected_annex is None:
        assert annex is None
    else:
        assert annex is not None and docx_text(annex) == expected_annex


# Where each row's parts stand: the section's name, its status, and the status's top and left.
TASK_ROWS = """() => [...document.querySelectorAll(".task-list-item")].map(row => {
  const name = row.querySelector(".task-list-link").getBoundingClientRect();
  const status = row.querySelector(".task-list-status").getBoundingClientRect();
  return {name: row.querySelector(".task-list-link").innerText, nameTop: name.top,
          nameRight: name.right, statusLeft: status.left, statusTop: status.top,
          rowRight: row.getBoundingClientRect().right, statusRight: status.right};
})"""


@pytest.mark.parametrize("width", [375, 320])
def test_on_a_phone_each_sections_status_stands_beside_its_name(
    page: Page, tmp_path: Path, width: int
) -> None:
    """A long name wraps in its own column; its status stays on the right of its first line,
    where the eye running down the list finds every status."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "review.yaml").write_bytes((EXAMPLES / "rcpc-school.yaml").read_bytes())
    page.set_viewport_size({"width": width, "height": 800})
    with running_form(folder) as served:
        page.goto(served.start)
        page.get_by_role("link", name="Open").first.click()
        page.wait_for_url(re.compile(r"/d/[0-9a-f]{20}$"))
        page.wait_for_load_state("load")  # its style sheet too
        rows = page.evaluate(TASK_ROWS)
    assert len(rows) > 10
    for row in rows:
        assert row["statusLeft"] >= row["nameRight"], row  # beside the name, not under it
        assert abs(row["statusTop"] - row["nameTop"]) < 8, row  # on its first line
        assert abs(row["statusRight"] - row["rowRight"]) < 1, row  # at the right edge
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
