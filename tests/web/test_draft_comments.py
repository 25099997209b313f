"""A YAML draft keeps the comments its author typed into it, however often the browser form
saves it, each once and where it was written; the tool's help comments are not doubled."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from sos_reports.commands.reports import validate
from sos_reports.inputs.forms.layout import canonical
from sos_reports.inputs.forms.skeleton import yaml_skeleton
from sos_reports.inputs.read import read_input
from sos_reports.inputs.yaml_comments import carry_comments
from tests.helpers.examples import EXAMPLES
from tests.web.test_sections import FAMILY_VIEWS, ORIGIN, Form, number_of

OWN = {
    "head": "# Started from the initial conference's report; Ms Pryce to check the dates.",
    "before": "# Kerry asked that her words are kept as she said them.",
    "trailing": "# room booked by the chair",
    "entry": "# Kerry already knows Craig's address: nothing about him needs withholding.",
    "end": "# Last read through on 6 March 2025.",
}
# A line of a block of text that begins with `#` is text, not a comment.
IN_TEXT = "#1 for Kerry: a calm home."


def read_text_tree(text: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "draft.yaml"
        path.write_text(text, "utf-8")
        return read_input(path).tree


def hand_written(folder: Path) -> Path:
    """The school's example with comments of every kind typed into it by hand."""
    path = folder / "school.yaml"
    path.write_text(hand_written_text(), "utf-8")
    return path


def hand_written_text() -> str:
    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
    assert OWN["entry"] in text  # the example's own comment inside Craig's entry
    text = OWN["head"] + "\n" + text
    text = text.replace("family_views: |\n", f"{OWN['before']}\nfamily_views: |\n  {IN_TEXT}\n\n")
    text = text.replace(
        "  venue: Thornby Civic Centre, Meeting Room 2\n",
        f"  venue: Thornby Civic Centre, Meeting Room 2   {OWN['trailing']}\n",
    )
    return text + f"\n{OWN['end']}\n"


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def assert_kept_once(text: str) -> None:
    lines = text.splitlines()
    for comment in OWN.values():
        assert text.count(comment) == 1, (comment, text)
    # Each where it was written.
    at = next(i for i, line in enumerate(lines) if line.strip() == OWN["before"])
    assert lines[at + 1].startswith("family_views: |")
    (venue,) = [line for line in lines if line.startswith("  venue:")]
    assert venue == f'  venue: "Thornby Civic Centre, Meeting Room 2"  {OWN["trailing"]}'
    at = next(i for i, line in enumerate(lines) if line.strip() == OWN["entry"])
    assert lines[at + 1].strip().startswith("withhold_from_family: ")
    craig = max(i for i, line in enumerate(lines[:at]) if line.strip().startswith("- name:"))
    assert lines[craig].strip() == "- name: Craig Fenwick"
    assert comment_lines(text)[-1] == OWN["end"]
    # Without the author's comments, the file is what the tool writes of its answers: its
    # help comments once, each where the tool puts it, and nothing else.
    typed = set(comment_lines(hand_written_text())) - {IN_TEXT}
    bare = "".join(
        line.replace(f"  {OWN['trailing']}", "") + "\n"
        for line in lines
        if line.strip() not in typed
    )
    assert bare == yaml_skeleton(
        "icpc", canonical("icpc", read_text_tree(text)), blank_entries=False
    )
    assert text.count(IN_TEXT) == 1


def test_hand_written_comments_survive_three_saves_from_the_browser_once_each(
    folder: Path, tmp_path: Path
) -> None:
    path = hand_written(folder)
    assert validate(path).errors == []
    form = Form(folder, tmp_path / "sections.json")
    listed = form.client.get("/").text
    draft = re.search(r'href="/d/([0-9a-f]{20})"', listed)[1]  # type: ignore[index]
    views = f"/d/{draft}/task/{number_of('icpc', FAMILY_VIEWS)}"
    family_views = read_input(path).tree["family_views"]
    assert family_views.startswith(IN_TEXT)

    # 1: the family's views saved as they are, then with a sentence added.
    assert form.save(views, {"family_views": family_views}) == 303
    assert_kept_once(path.read_text("utf-8"))
    added = family_views + "\n\nKerry read this report with Ms Pryce on 7 March 2025."
    assert form.save(views, {"family_views": added}) == 303
    assert_kept_once(path.read_text("utf-8"))

    # 2: Dean removed from the household: Craig's entry, and its comment, move up one.
    remove = f"/d/{draft}/remove/household.1"
    mark = re.search(r'name="entry" value="([0-9a-f]+)"', form.client.get(remove).text)[1]  # type: ignore[index]
    done = form.client.post(
        remove,
        data={"csrf": form.keys.csrf, "confirm": "yes", "entry": mark},
        headers={"origin": ORIGIN},
        follow_redirects=False,
    )
    assert done.status_code == 303
    text = path.read_text("utf-8")
    assert_kept_once(text)
    assert "Dean Ashby\n" not in text.replace("- name: Dean", "")  # his entry is gone

    # 3: saved again: nothing new, nothing doubled.
    assert form.save(views, {"family_views": added}) == 303
    text = path.read_text("utf-8")
    assert_kept_once(text)
    tree = read_input(path).tree
    assert tree["family_views"].strip() == added.strip()  # free text is read trimmed
    assert [p["name"] for p in tree["household"]] == [
        "Kerry Fenwick",
        "Craig Fenwick",
        "Pat Holroyd",
    ]


def test_a_comment_after_a_hash_inside_quotes_or_text_is_not_carried_as_one() -> None:
    old = 'kind: icpc\nname: "Room #2"  # the big room\nnote: |\n  # a line of text\n'
    new = "# help\nkind: icpc\n# help for the name\nname: Room 2\nnote: changed\n"
    carried = carry_comments(old, new, ["# help", "# help for the name"])
    assert carried == (
        "# help\nkind: icpc\n# help for the name\nname: Room 2  # the big room\nnote: changed\n"
    )


def test_text_that_cannot_be_scanned_is_written_without_the_old_comments() -> None:
    new = "kind: icpc\n"
    assert carry_comments("kind: [icpc\n# mine\n", new, []) == new


def test_a_comment_beside_an_impossible_date_is_carried_and_the_date_stays_as_typed() -> None:
    old = "kind: icpc\nreport:\n  date: 2025-02-31  # from the letter\n"
    new = "kind: icpc\nreport:\n  # Date; required\n  date: 2025-02-31\n"
    assert carry_comments(old, new, ["# Date; required"]) == (
        "kind: icpc\nreport:\n  # Date; required\n  date: 2025-02-31  # from the letter\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        'a: "x # not a comment" # a comment\n',
        "b: |\n  # a line of the text\n  text\n# after it\nc: 1 # trailing\n",
        "l:\n  - x#y\n  - 'q' #c\n  - p # r # s\n",
        "# top\nk: v\n#end",
        "k: >\n  folded # text\n\n  more\n# c\n",
    ],
)
def test_libyaml_finds_the_comments_ruamel_finds(text: str) -> None:
    import yaml

    from sos_reports.inputs.yaml_comments import _ruamel_starts, _starts_between

    spans = [
        (t.start_mark.index, t.end_mark.index) for t in yaml.scan(text, Loader=yaml.CSafeLoader)
    ]
    assert _starts_between(text, spans) == _ruamel_starts(text, text.split("\n"))
