"""The board in process: a record draft's three columns and scores on one page, each entry
edited where it stands, one added in one step, everyone's score taken as it is said; plain
forms, so it works with no script, and nothing typed is lost."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.inputs.read import read_input
from tests.helpers.examples import EXAMPLES
from tests.web.test_serve import Browser


@pytest.fixture
def started(folder: Path) -> tuple[Browser, str, Path]:
    """A record started from the conference example's inputs, in the served folder."""
    path = folder / "record.yaml"
    result = CliRunner().invoke(
        cli, ["new", "record", "--from", str(EXAMPLES / "conference"), "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    browser = Browser(folder)
    return browser, browser.id("record.yaml"), path


def board_of(browser: Browser, draft: str) -> str:
    page = browser.get(f"/d/{draft}/board")
    assert page.status_code == 200
    return page.text


def fields(page: str, form_action: str = "save") -> list[dict[str, str]]:
    """Each form of the page with `action` as given: its fields as a browser sends them."""
    out = []
    for form in re.findall(r"<form .*?</form>", page, re.S):
        if f'name="action" value="{form_action}"' not in form:
            continue
        sent = {
            html.unescape(n): html.unescape(v)
            for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        }
        for name, text in re.findall(
            r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
        ):
            sent[html.unescape(name)] = html.unescape(text)
        out.append(sent)
    return out


def post(browser: Browser, draft: str, data: dict[str, Any]) -> Any:
    return browser.post(f"/d/{draft}/board", data, version=False)


def test_the_board_shows_the_three_columns_side_by_side_with_each_agencys_entries(
    started: tuple[Browser, str, Path],
) -> None:
    browser, draft, _ = started
    page = board_of(browser, draft)
    titles = re.findall(r'<h2 class="board-title" id="[a-z-]+-title">([^<]+)</h2>', page)
    assert titles == [
        "What are we worried about?",
        "What&#39;s working well?",
        "What needs to happen?",
    ]
    assert "School: " in page and "Police: " in page and "General practice: " in page
    assert "<script" not in page.split("</head>")[1]  # no script in the page's body
    assert 'class="board-columns"' in page
    assert len(re.findall(r"<form method=\"post\"", page)) == 3 + 3 + 2  # columns, adds, children
    link = browser.get(f"/d/{draft}").text
    assert f'href="/d/{draft}/board"' in link


def test_an_entry_is_edited_in_place_and_an_emptied_one_removed(
    started: tuple[Browser, str, Path],
) -> None:
    browser, draft, path = started
    first = fields(board_of(browser, draft))[0]
    harm = [k for k in first if k.startswith("e:worries.harm:")]
    before = read_input(path).tree["worries"]["harm"]
    assert len(harm) == len(before.split("\n\n")) > 3  # each paragraph an entry, attributed
    assert all(first[k].startswith(("School: ", "Police: ", "General practice: ")) for k in harm)
    first[harm[0]] = "School: Maisie hid under her bed on 17 February 2025."
    first[harm[1]] = ""
    assert post(browser, draft, first).status_code == 303
    after = read_input(path).tree["worries"]["harm"].split("\n\n")
    assert after[0] == "School: Maisie hid under her bed on 17 February 2025."
    assert after[1:] == before.split("\n\n")[2:]


def test_an_entry_is_added_to_a_column_in_one_step_with_who_said_it(
    started: tuple[Browser, str, Path],
) -> None:
    browser, draft, path = started
    for to, text in (
        ("worries.danger_statements", "Leo could be hurt by something thrown."),
        ("working_well.existing_safety", "Kerry took the children to Pat's that night."),
        ("needs_to_happen.safety_goals", "A calm home where the children feel safe."),
    ):
        done = post(
            browser, draft, {"action": "add", "to": to, "text": text, "by": "Kerry Fenwick"}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/d/{draft}/board"
    tree = read_input(path).tree
    assert (
        tree["worries"]["danger_statements"][-1]["text"]
        == "Kerry Fenwick: Leo could be hurt by something thrown."
    )
    assert tree["working_well"]["existing_safety"].endswith(
        "Kerry Fenwick: Kerry took the children to Pat's that night."
    )
    assert (
        tree["needs_to_happen"]["safety_goals"][-1]
        == "Kerry Fenwick: A calm home where the children feel safe."
    )
    page = board_of(browser, draft)
    assert "Kerry Fenwick: Leo could be hurt by something thrown." in html.unescape(page)


def test_everyones_score_is_taken_as_it_is_said_and_the_spread_shown(
    started: tuple[Browser, str, Path],
) -> None:
    browser, draft, path = started
    page = html.unescape(board_of(browser, draft))
    assert "The scores run from 3 to 5: a spread of 2." in page  # the agencies' Maisie
    done = post(
        browser,
        draft,
        {
            "action": "score",
            "child": "maisie",
            "by": "Kerry Fenwick",
            "score": "7",
            "reason": "It has been calm since.",
        },
    )
    assert done.headers["location"] == f"/d/{draft}/board#scaling"
    page = html.unescape(board_of(browser, draft))
    assert "The scores run from 3 to 7: a spread of 4." in page
    assert "A difference of view to talk about" in page
    scores = read_input(path).tree["scaling"]["scores"]
    assert scores[-1] == {
        "child": "maisie",
        "by": "Kerry Fenwick",
        "score": "7",
        "reason": "It has been calm since.",
    }
    # A score without a name is not taken: who said it is the point.
    again = post(browser, draft, {"action": "score", "child": "leo", "by": " ", "score": "5"})
    assert again.status_code == 200 and "Say who gave the score" in again.text
    assert len(read_input(path).tree["scaling"]["scores"]) == len(scores)


def test_an_entry_changed_in_another_tab_meanwhile_is_kept_and_said(
    started: tuple[Browser, str, Path],
) -> None:
    browser, draft, path = started
    shown = fields(board_of(browser, draft))[1]  # What's working well?
    key = next(k for k in shown if k.startswith("e:working_well.strengths:"))
    other = dict(shown)
    other[key] = "School: changed in another tab."
    assert post(browser, draft, other).status_code == 303
    shown[key] = "School: changed here."
    clash = post(browser, draft, shown)
    assert clash.status_code == 200 and "changed somewhere else meanwhile" in clash.text
    assert "School: changed in another tab." in read_input(path).tree["working_well"]["strengths"]


def test_only_a_record_has_a_board(folder: Path) -> None:
    (folder / "school.yaml").write_bytes((EXAMPLES / "icpc-school.yaml").read_bytes())
    browser = Browser(folder)
    assert browser.get(f"/d/{browser.id('school.yaml')}/board").status_code == 404


def test_the_board_is_behind_the_guard_signed_out_foreign_host_and_origin(
    started: tuple[Browser, str, Path],
) -> None:
    from starlette.testclient import TestClient

    from sos_reports.web.app import create_app
    from tests.web.test_serve import ORIGIN, PORT

    browser, draft, path = started
    before = path.read_bytes()
    # Signed out: a client that never opened the start address.
    stranger = TestClient(create_app(browser.folder, browser.keys, PORT), base_url=ORIGIN)
    got = stranger.get(f"/d/{draft}/board")
    assert got.status_code == 403 and "Fenwick" not in got.text
    # Signed in, but for another host, or posting from another origin, or with no token.
    assert (
        browser.client.get(f"/d/{draft}/board", headers={"host": "evil.example"}).status_code == 421
    )
    add = {"action": "add", "to": "worries.harm", "text": "Planted.", "by": ""}
    for headers, data in (
        ({"origin": "http://evil.example"}, {"csrf": browser.keys.csrf, **add}),
        ({"origin": ORIGIN}, add),
    ):
        sent = browser.client.post(
            f"/d/{draft}/board", data=data, headers=headers, follow_redirects=False
        )
        assert sent.status_code == 403
    assert path.read_bytes() == before
