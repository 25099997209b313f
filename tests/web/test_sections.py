"""The task list says what the form knows of each section, and a page opened from check your
answers shows its problems at once."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from starlette.testclient import TestClient

from sos_reports.web import pages
from sos_reports.web.app import create_app
from sos_reports.web.security import Keys
from tests.helpers.examples import EXAMPLES

PORT = 8766
ORIGIN = f"http://127.0.0.1:{PORT}"
FAMILY_VIEWS = "Family's views"


class Form:
    """A signed-in client of a folder of drafts, its saved sections kept in `sections`."""

    def __init__(self, folder: Path, sections: Path, keys: Keys | None = None) -> None:
        self.keys = keys or Keys()
        app = create_app(folder, self.keys, PORT, sections=sections)
        self.client = TestClient(app, base_url=ORIGIN)
        if keys is None:
            assert self.client.get(f"/start?token={self.keys.start_token}").status_code == 200
        else:  # the same browser after a restart: its cookie is still good
            self.client.cookies.set(f"sos_reports_{PORT}", self.keys.session)

    def new(self, kind: str) -> str:
        made = self.client.post(
            "/new",
            data={"kind": kind, "csrf": self.keys.csrf},
            headers={"origin": ORIGIN},
            follow_redirects=False,
        )
        assert made.status_code == 303
        return str(made.headers["location"]).rsplit("/", 1)[1]

    def save(self, url: str, data: dict[str, str]) -> int:
        shown = self.client.get(url).text
        version = re.search(r'name="version" value="(\d+)"', shown)
        assert version is not None
        form = {"csrf": self.keys.csrf, "version": version[1], "action": "continue", **data}
        sent = self.client.post(url, data=form, headers={"origin": ORIGIN}, follow_redirects=False)
        return sent.status_code

    def statuses(self, draft: str) -> dict[str, str]:
        page = self.client.get(f"/d/{draft}").text
        rows = re.findall(
            r'class="task-list-link"[^>]*>([^<]+)</a>\s*<span class="task-list-status"[^>]*>(.*?)</span>\s*</li>',
            page,
            re.S,
        )
        return {
            html.unescape(title): " ".join(re.sub(r"<[^>]+>", " ", status).split())
            for title, status in rows
        }


def number_of(kind: str, title: str) -> int:
    return next(t.number for t in pages.tasks(kind) if t.title == title)


def test_a_section_saved_empty_is_in_progress_and_the_others_not_yet_started(
    folder: Path, tmp_path: Path
) -> None:
    form = Form(folder, tmp_path / "sections.json")
    draft = form.new("icpc")
    before = form.statuses(draft)
    assert before[FAMILY_VIEWS].startswith("Not yet started")

    url = f"/d/{draft}/task/{number_of('icpc', FAMILY_VIEWS)}"
    assert form.save(url, {"family_views": ""}) == 200  # shown again with its error

    after = form.statuses(draft)
    assert after[FAMILY_VIEWS].startswith("In progress")
    assert "1 problem" in after[FAMILY_VIEWS]
    unsaved = {title: s for title, s in after.items() if title != FAMILY_VIEWS}
    assert unsaved == {title: s for title, s in before.items() if title != FAMILY_VIEWS}
    assert "Not yet started" in unsaved.values()


def test_a_saved_section_stays_in_progress_after_a_restart(folder: Path, tmp_path: Path) -> None:
    sections = tmp_path / "sections.json"
    form = Form(folder, sections)
    draft = form.new("icpc")
    form.save(f"/d/{draft}/task/{number_of('icpc', FAMILY_VIEWS)}", {"family_views": ""})
    assert sections.stat().st_mode & 0o777 == 0o600
    assert draft in sections.read_text("utf-8")  # by its id, not its file's name
    assert "draft" not in sections.read_text("utf-8")

    again = Form(folder, sections, keys=form.keys)
    assert again.statuses(draft)[FAMILY_VIEWS].startswith("In progress")


def test_a_page_opened_from_check_your_answers_shows_its_problems_at_once(
    folder: Path, tmp_path: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    text = (folder / "school.yaml").read_text("utf-8")
    (folder / "school.yaml").write_text(text.replace("score: 3", "score: 11", 1), "utf-8")
    form = Form(folder, tmp_path / "sections.json")
    listed = form.client.get("/").text
    found = re.search(r'href="/d/([0-9a-f]{20})"', listed)
    assert found is not None
    draft = found[1]
    scaling = f"/d/{draft}/task/{number_of('icpc', 'Scaling')}"

    # Before check your answers, a page opened shows its problems only once it is saved.
    assert "There is a problem" not in form.client.get(scaling).text

    check = form.client.get(f"/d/{draft}/check").text
    links = [html.unescape(h) for h in re.findall(r'href="([^"]*/task/[^"#]*)[^"]*"', check)]
    assert scaling in links

    opened = form.client.get(scaling)
    assert "There is a problem" in opened.text
    assert "<title>Error: " in opened.text
    # And after a restart, as the draft's other marks are kept.
    again = Form(folder, tmp_path / "sections.json", keys=form.keys)
    assert "There is a problem" in again.client.get(scaling).text
