"""The browser form in process: drafts are input files, saved as sent, checked as `validate`
checks them, and nothing typed is ever lost."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sos_reports.cli import cli
from sos_reports.inputs.read import read_input
from sos_reports.kinds import KINDS as REGISTRY
from sos_reports.web import pages
from sos_reports.web.app import create_app
from sos_reports.web.drafts import Drafts
from sos_reports.web.security import Keys
from tests.helpers.examples import EXAMPLES

PORT = 8765
ORIGIN = f"http://127.0.0.1:{PORT}"


class Browser:
    """A signed-in client of a served folder, and the ids of its drafts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keys = Keys()
        self.client = TestClient(create_app(folder, self.keys, PORT), base_url=ORIGIN)
        assert self.client.get(f"/start?token={self.keys.start_token}").status_code == 200
        self.drafts = Drafts(folder, self.keys.drafts)

    def id(self, name: str) -> str:
        return self.drafts.id_of(self.folder / name)

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any], *, version: bool = True) -> Any:
        form = {"csrf": self.keys.csrf, **data}
        if version and "version" not in form:
            shown = self.client.get(url).text
            form["version"] = re.search(r'name="version" value="(\d+)"', shown)[1]  # type: ignore[index]
        return self.client.post(url, data=form, headers={"origin": ORIGIN}, follow_redirects=False)


@pytest.fixture
def browser(folder: Path) -> Iterator[Browser]:
    yield Browser(folder)


def task_number(kind: str, title: str) -> int:
    return next(t.number for t in pages.tasks(kind) if t.title == title)


def text_of(html: str) -> str:
    import html as markup

    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_new_draft_is_an_input_file_named_by_kind_and_day_and_private(
    browser: Browser, folder: Path
) -> None:
    made = browser.client.post(
        "/new", data={"kind": "medical", "csrf": browser.keys.csrf}, headers={"origin": ORIGIN}
    )
    assert made.status_code == 200 and "Conference report for medical practitioners" in made.text
    (draft,) = folder.iterdir()
    assert re.fullmatch(r"medical-draft-\d{4}-\d\d-\d\d\.yaml", draft.name)
    assert draft.stat().st_mode & 0o777 == 0o600
    assert read_input(draft).tree["kind"] == "medical"
    # A second one of the same day gets a name of its own.
    browser.client.post(
        "/new", data={"kind": "medical", "csrf": browser.keys.csrf}, headers={"origin": ORIGIN}
    )
    assert len(list(folder.iterdir())) == 2


def test_the_start_page_says_which_kind_is_missing(browser: Browser) -> None:
    answer = browser.client.post(
        "/new", data={"csrf": browser.keys.csrf}, headers={"origin": ORIGIN}
    )
    assert answer.status_code == 400
    assert "<title>Error: " in answer.text and "There is a problem" in answer.text
    assert "Select which report you are writing" in answer.text


def test_an_answer_with_an_error_is_saved_as_typed_and_shown_with_its_message(
    browser: Browser, folder: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    draft = browser.id("school.yaml")
    number = task_number("icpc", "Scaling")
    url = f"/d/{draft}/task/{number}"
    sent = browser.post(
        url,
        {
            "action": "continue",
            "scaling.scores[0].child": "maisie",
            "scaling.scores[0].score": "11",
            "scaling.scores[0].reason": "Typed before the mistake was seen.",
            "scaling.scores[1].child": "leo",
            "scaling.scores[1].score": "3",
            "scaling.scores[1].reason": "Leo is very young.",
        },
    )
    assert sent.status_code == 200
    page = text_of(sent.text)
    assert page.startswith("Error: Scaling")
    assert "There is a problem" in page
    assert 'Maisie Fenwick: Score: a whole number from 0 to 10 is needed, not "11"' in page
    # Beside the question, and what was typed stays in the page and in the file.
    assert 'id="f-scaling-scores-0-score-error"' in sent.text
    assert "Typed before the mistake was seen." in sent.text
    assert 'name="scaling.scores[0].score.kept" value="11"' in sent.text
    saved = read_input(folder / "school.yaml").tree
    assert str(saved["scaling"]["scores"][0]["score"]) == "11"
    assert saved["scaling"]["scores"][0]["reason"] == "Typed before the mistake was seen."
    # Fixed, the page is passed and the next one shown.
    fixed = browser.post(
        url,
        {
            "action": "continue",
            "scaling.scores[0].child": "maisie",
            "scaling.scores[0].score": "4",
            "scaling.scores[0].reason": "Typed before the mistake was seen.",
            "scaling.scores[1].child": "leo",
            "scaling.scores[1].score": "3",
            "scaling.scores[1].reason": "Leo is very young.",
        },
    )
    assert fixed.status_code == 303
    assert fixed.headers["location"] == f"/d/{draft}/task/{number + 1}"


def test_saving_every_page_as_it_is_changes_nothing_in_the_input(
    browser: Browser, folder: Path
) -> None:
    """Each page sent back as shown gives the same input: no answer lost or altered."""
    for example in (REGISTRY[kind].example_name for kind in REGISTRY):
        shutil.copy(EXAMPLES / example, folder / example)
        before = read_input(folder / example).tree
        kind = before["kind"]
        draft = browser.id(example)
        for task in pages.tasks(kind):
            url = f"/d/{draft}/task/{task.number}"
            shown = browser.get(url).text
            browser.post(url, {**_fields_of(shown), "action": "later"})
            entries = re.findall(r'value="change:([a-z_.0-9]+)"', shown)
            for loc in entries:
                entry_url = f"/d/{draft}/entry/{loc}"
                browser.post(
                    entry_url, {**_fields_of(browser.get(entry_url).text), "action": "later"}
                )
        after = read_input(folder / example).tree
        assert _plain(after) == _plain(before), example


def _fields_of(html: str) -> dict[str, Any]:
    """What a browser sends for a page as shown: every box, and each chosen radio or box."""
    fields: dict[str, Any] = {}
    for tag in re.findall(r"<input [^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or name[1] in ("csrf",):
            continue
        if kind and kind[1] in ("radio", "checkbox") and " checked" not in tag:
            continue
        fields.setdefault(_unescape(name[1]), []).append(_unescape(value[1]) if value else "")
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        fields[_unescape(name)] = [_unescape(body)]
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[_unescape(name)] = [_unescape(chosen[1])] if chosen else [""]
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _plain(tree: Any) -> Any:
    """The tree as the checks read it: dates and numbers as text, text without its ends."""
    if isinstance(tree, dict):
        return {k: _plain(v) for k, v in tree.items() if v not in (None, "", [], {})}
    if isinstance(tree, list):
        return [_plain(v) for v in tree]
    text = str(tree).strip()
    return {"true": "yes", "false": "no"}.get(text.lower(), text)


def test_a_hand_written_value_the_page_cannot_show_is_kept(browser: Browser, folder: Path) -> None:
    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
    text = text.replace(
        "  date: 2025-03-06\n  sent_to_chair: 2025-03-07",
        "  date: the week before\n  sent_to_chair: 2025-03-07",
    )
    (folder / "school.yaml").write_text(text, "utf-8")
    draft = browser.id("school.yaml")
    url = f"/d/{draft}/task/{task_number('icpc', 'Report')}"
    shown = browser.get(url).text
    assert "This draft has “the week before” here, which is not a date" in shown
    browser.post(url, {**_fields_of(shown), "action": "continue"})
    assert read_input(folder / "school.yaml").tree["report"]["date"] == "the week before"


def test_a_draft_with_keys_the_tool_does_not_know_is_not_opened(
    browser: Browser, folder: Path
) -> None:
    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8") + "\nfavourite_colour: blue\n"
    (folder / "odd.yaml").write_text(text, "utf-8")
    before = (folder / "odd.yaml").read_bytes()
    answer = browser.get(f"/d/{browser.id('odd.yaml')}")
    assert answer.status_code == 400
    assert "has keys that sos-reports does not know" in answer.text
    assert "favourite_colour" in answer.text
    assert (folder / "odd.yaml").read_bytes() == before


def test_a_json_draft_is_saved_as_json(browser: Browser, folder: Path) -> None:
    tree = read_input(EXAMPLES / "icpc-school.yaml").tree
    (folder / "school.json").write_text(json.dumps(tree, default=str), "utf-8")
    draft = browser.id("school.json")
    url = f"/d/{draft}/task/{task_number('icpc', 'Family' + chr(39) + 's views')}"
    browser.post(url, {"family_views": "Kerry agrees with the plan.", "action": "continue"})
    saved = json.loads((folder / "school.json").read_text("utf-8"))
    assert saved["family_views"] == "Kerry agrees with the plan."
    assert saved["children"][0]["name"] == "Maisie Fenwick"


def test_a_page_sent_after_the_file_changed_is_shown_again_not_saved(
    browser: Browser, folder: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    draft = browser.id("school.yaml")
    url = f"/d/{draft}/task/{task_number('icpc', 'Family' + chr(39) + 's views')}"
    version = re.search(r'name="version" value="(\d+)"', browser.get(url).text)[1]  # type: ignore[index]
    # Another program (or tab) saves the draft in between.
    path = folder / "school.yaml"
    path.write_text(path.read_text("utf-8").replace("Kerry agrees", "Kerry now agrees"), "utf-8")
    changed = path.read_bytes()
    answer = browser.post(
        url, {"family_views": "Typed in the stale tab.", "version": version, "action": "continue"}
    )
    assert answer.status_code == 409
    assert "was changed somewhere else" in answer.text
    assert "Typed in the stale tab." in answer.text
    assert path.read_bytes() == changed


def test_add_another_saves_the_page_first_and_an_empty_new_entry_is_not_added(
    browser: Browser, folder: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    draft = browser.id("school.yaml")
    url = f"/d/{draft}/task/{task_number('icpc', 'What needs to happen?')}"
    shown = browser.get(url).text
    count = len(read_input(folder / "school.yaml").tree["needs_to_happen"]["next_steps"])
    fields = _fields_of(shown)
    fields["needs_to_happen.information_gaps"] = ["We do not know who else visits the home."]
    added = browser.post(url, {**fields, "action": "add:needs_to_happen.next_steps"})
    assert added.status_code == 303
    assert added.headers["location"] == f"/d/{draft}/entry/needs_to_happen.next_steps.{count}"
    tree = read_input(folder / "school.yaml").tree
    assert tree["needs_to_happen"]["information_gaps"] == "We do not know who else visits the home."
    # Nothing typed: no entry.
    entry = added.headers["location"]
    browser.post(entry, {"action": "continue"})
    assert len(read_input(folder / "school.yaml").tree["needs_to_happen"]["next_steps"]) == count
    # Typed: an entry, in order, and the list page again.
    done = browser.post(
        entry,
        {
            f"needs_to_happen.next_steps[{count}].action": "Invite Pat to the core group.",
            f"needs_to_happen.next_steps[{count}].who": "Priya Lund",
            f"needs_to_happen.next_steps[{count}].by": "ongoing",
            "action": "continue",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == url
    steps = read_input(folder / "school.yaml").tree["needs_to_happen"]["next_steps"]
    assert steps[count] == {
        "action": "Invite Pat to the core group.",
        "who": "Priya Lund",
        "by": "ongoing",
    }


def test_an_entry_is_removed_only_when_confirmed(browser: Browser, folder: Path) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    draft = browser.id("school.yaml")
    url = f"/d/{draft}/remove/household.3"
    assert "Are you sure you want to remove Pat Holroyd from household?" in text_of(
        browser.get(url).text
    )
    unanswered = browser.post(url, {}, version=False)
    assert (
        unanswered.status_code == 400
        and "Select yes if you want to remove Pat Holroyd" in unanswered.text
    )
    browser.post(url, {"confirm": "no"}, version=False)
    assert len(read_input(folder / "school.yaml").tree["household"]) == 4
    mark = _entry_mark(browser, url)
    browser.post(url, {"confirm": "yes", "entry": mark}, version=False)
    names = [p["name"] for p in read_input(folder / "school.yaml").tree["household"]]
    assert names == ["Kerry Fenwick", "Dean Ashby", "Craig Fenwick"]


def test_check_your_answers_lists_every_error_and_holds_back_the_downloads(
    browser: Browser, folder: Path
) -> None:
    browser.client.post(
        "/new", data={"kind": "icpc", "csrf": browser.keys.csrf}, headers={"origin": ORIGIN}
    )
    (draft,) = folder.iterdir()
    page = browser.get(f"/d/{browser.id(draft.name)}/check").text
    assert "<title>Error: Check your answers" in page
    assert "Conference: Conference date is required but is blank" in text_of(page)
    assert "Children: Children needs at least one entry" in text_of(page)
    assert "download/report.docx" not in page
    refused = browser.client.get(
        f"/d/{browser.id(draft.name)}/download/report.docx", follow_redirects=False
    )
    assert refused.status_code == 303 and refused.headers["location"].endswith("/check")


def test_the_report_download_is_the_fill_of_the_draft(
    browser: Browser, folder: Path, tmp_path: Path
) -> None:
    from sos_reports.commands.reports import fill
    from tests.helpers.docx_xml import docx_text

    shutil.copy(EXAMPLES / "medical-gp.yaml", folder / "gp.yaml")
    draft = browser.id("gp.yaml")
    check = browser.get(f"/d/{draft}/check").text
    assert "Download the report (Word document)" in check
    assert "Download the confidential annex (Word document)" in check
    report = browser.get(f"/d/{draft}/download/report.docx")
    annex = browser.get(f"/d/{draft}/download/annex.docx")
    assert 'filename="gp-report.docx"' in report.headers["content-disposition"]
    (tmp_path / "r.docx").write_bytes(report.content)
    (tmp_path / "a.docx").write_bytes(annex.content)
    copy = tmp_path / "gp.yaml"
    shutil.copy(EXAMPLES / "medical-gp.yaml", copy)
    written = [Path(p) for p in fill(copy).written]
    assert docx_text(tmp_path / "r.docx") == docx_text(written[0])
    assert docx_text(tmp_path / "a.docx") == docx_text(written[1])


def test_serve_is_a_command_with_its_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--no-browser" in result.output
    missing = CliRunner().invoke(cli, ["serve", "/no/such/folder"])
    assert missing.exit_code == 2 and "does not exist" in missing.output


@pytest.mark.pdf
def test_the_pdf_downloads_are_the_report_and_the_annex_apart(
    browser: Browser, folder: Path, libreoffice: str
) -> None:
    import subprocess

    shutil.copy(EXAMPLES / "medical-gp.yaml", folder / "gp.yaml")
    draft = browser.id("gp.yaml")
    assert "Download the report (PDF)" in browser.get(f"/d/{draft}/check").text
    texts = {}
    for part in ("report", "annex"):
        got = browser.get(f"/d/{draft}/download/{part}.pdf")
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        assert got.content.startswith(b"%PDF")
        pdf = folder.parent / f"{part}.pdf"
        pdf.write_bytes(got.content)
        texts[part] = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    details = read_input(folder / "gp.yaml").tree["confidential"]["details"].split()[:6]
    assert " ".join(details) in " ".join(texts["annex"].split())
    assert " ".join(details) not in " ".join(texts["report"].split())


def _entry_mark(browser: Browser, url: str) -> str:
    """The fingerprint a remove confirmation carries of the entry it names."""
    return re.search(r'name="entry" value="([0-9a-f]+)"', browser.get(url).text)[1]  # type: ignore[index]


def _stale(path: Path) -> None:
    """The draft's file changed elsewhere since the page was shown."""
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_a_stale_page_for_a_new_entry_sent_empty_adds_nothing(
    browser: Browser, folder: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    url = f"/d/{browser.id('school.yaml')}/entry/household.4"
    shown = browser.get(url).text
    _stale(folder / "school.yaml")
    sent = browser.post(url, {**_fields_of(shown), "action": "continue"}, version=False)
    assert sent.status_code == 303
    assert len(read_input(folder / "school.yaml").tree["household"]) == 4


def test_a_stale_page_of_questions_per_child_saves_the_child_typed_for(
    browser: Browser, folder: Path
) -> None:
    tree = read_input(EXAMPLES / "icpc-school.yaml").tree
    tree["child_voice"] = []
    (folder / "school.yaml").write_text(json.dumps(tree, default=str), "utf-8")  # JSON is YAML
    url = f"/d/{browser.id('school.yaml')}/task/{task_number('icpc', 'The child' + chr(39) + 's voice')}"
    shown = browser.get(url).text
    fields = _fields_of(shown)
    fields["child_voice[1].views"] = ["Leo says he is scared at night."]
    _stale(folder / "school.yaml")
    sent = browser.post(url, {**fields, "action": "later"}, version=False)
    assert sent.status_code == 303
    voices = read_input(folder / "school.yaml").tree["child_voice"]
    assert [(v["child"], v["views"]) for v in voices] == [
        ("leo", "Leo says he is scared at night.")
    ]


def test_a_value_not_among_the_children_is_a_box_to_untick(browser: Browser, folder: Path) -> None:
    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
    text = text.replace(
        "    parental_responsibility_for: [leo]\n", "    parental_responsibility_for: [leo, bob]\n"
    )
    (folder / "school.yaml").write_text(text, "utf-8")
    url = f"/d/{browser.id('school.yaml')}/entry/household.1"
    shown = browser.get(url).text
    assert "bob (not one of the answers)" in shown
    fields = _fields_of(shown)
    assert fields["household[1].parental_responsibility_for"] == ["leo", "bob"]
    fields["household[1].parental_responsibility_for"] = ["leo"]  # bob unticked
    browser.post(url, {**fields, "action": "later"})
    assert read_input(folder / "school.yaml").tree["household"][1][
        "parental_responsibility_for"
    ] == ["leo"]


def test_a_choice_in_another_spelling_the_model_takes_is_shown_chosen(
    browser: Browser, folder: Path
) -> None:
    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
    assert "    parental_responsibility: yes\n" in text
    (folder / "school.yaml").write_text(
        text.replace(
            "    parental_responsibility: yes\n", "    parental_responsibility: true\n", 1
        ),
        "utf-8",
    )
    shown = browser.get(f"/d/{browser.id('school.yaml')}/entry/household.0").text
    assert _fields_of(shown)["household[0].parental_responsibility"] == ["yes"]
    assert "not one of the answers" not in shown


def test_a_problem_in_a_list_inside_an_entry_links_to_that_inner_entry(
    browser: Browser, folder: Path
) -> None:
    tree = read_input(EXAMPLES / "medical-gp.yaml").tree
    admission = tree["child_health"][0]["admissions"][0]
    admission["date"] = "31/02/2024"
    (folder / "gp.yaml").write_text(json.dumps(tree, default=str), "utf-8")
    draft = browser.id("gp.yaml")
    check = browser.get(f"/d/{draft}/check").text
    link = f"/d/{draft}/entry/child_health.0.admissions.0#f-child-health-0-admissions-0-date"
    assert f'href="{link}"' in check
    page = browser.get(link.split("#")[0]).text
    assert 'id="f-child-health-0-admissions-0-date"' in page


def test_a_remove_confirmed_after_the_list_changed_elsewhere_removes_nothing(
    browser: Browser, folder: Path
) -> None:
    shutil.copy(EXAMPLES / "icpc-school.yaml", folder / "school.yaml")
    draft = browser.id("school.yaml")
    url = f"/d/{draft}/remove/household.2"
    mark = _entry_mark(browser, url)
    assert "remove Craig Fenwick" in text_of(browser.get(url).text)
    # Another tab removes the first person: Craig's place now holds Pat.
    first = f"/d/{draft}/remove/household.0"
    first_mark = _entry_mark(browser, first)
    browser.post(first, {"confirm": "yes", "entry": first_mark}, version=False)
    answer = browser.post(url, {"confirm": "yes", "entry": mark}, version=False)
    assert answer.status_code == 409 and "nothing was removed" in text_of(answer.text)
    names = [p["name"] for p in read_input(folder / "school.yaml").tree["household"]]
    assert names == ["Dean Ashby", "Craig Fenwick", "Pat Holroyd"]
