"""What the README's "Limits" promises: inputs within the limits are reported whole, however
long the text or many the children; beyond them, a stated refusal, never a silent cut."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.reports import fill
from sos_reports.inputs.read import MAX_BYTES, MAX_DEPTH
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT, example_tree, write_yaml

README = (ROOT / "README.md").read_text("utf-8")


def test_a_very_long_free_text_reaches_the_report_whole(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    # About 300 KB in one field, in paragraphs, each one different.
    paragraphs = [
        f"Paragraph {i}: " + "the family said more about the day. " * 20 for i in range(400)
    ]
    tree["worries"]["harm"] = "\n\n".join(paragraphs)
    source = write_yaml(tmp_path / "long.yaml", tree)
    assert source.stat().st_size < MAX_BYTES
    text = docx_text(Path(fill(source).written[0]))
    missing = [p for p in paragraphs if p.strip() not in text]
    assert missing == []


def _many_children(count: int) -> dict[str, Any]:
    tree = example_tree("icpc")
    maisie = tree["children"][0]
    score = next(s for s in tree["scaling"]["scores"] if s["child"] == maisie["id"])
    voice = next(v for v in tree["child_voice"] if v["child"] == maisie["id"])
    seen = next(s for s in tree["involvement"]["last_seen"] if s["child"] == maisie["id"])
    tree["children"], tree["scaling"]["scores"], tree["child_voice"] = [], [], []
    tree["involvement"]["last_seen"] = []
    tree.pop("view_on_plan", None)
    for person in tree["household"]:
        person.pop("parental_responsibility_for", None)
    for danger in tree["worries"]["danger_statements"]:
        danger.pop("children", None)
    for i in range(count):
        child_id = f"child{i}"
        tree["children"].append(
            {**copy.deepcopy(maisie), "id": child_id, "name": f"Child Number {i}"}
        )
        tree["scaling"]["scores"].append(
            {**score, "child": child_id, "reason": f"The reason for child number {i}."}
        )
        tree["child_voice"].append(
            {**voice, "child": child_id, "views": f"The views of child {i}."}
        )
        tree["involvement"]["last_seen"].append({**seen, "child": child_id})
    return tree


def test_many_children_are_all_in_the_report(tmp_path: Path) -> None:
    source = write_yaml(tmp_path / "many.yaml", _many_children(40))
    text = docx_text(Path(fill(source).written[0]))
    for i in range(40):
        assert f"Child Number {i}" in text
        assert f"The reason for child number {i}." in text
        assert f"The views of child {i}." in text


def _refusal(tmp_path: Path, name: str, data: str) -> str:
    source = tmp_path / name
    source.write_text(data, "utf-8")
    result = CliRunner().invoke(cli, ["fill", str(source)])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written
    return result.output


def test_an_input_over_the_size_limit_is_refused_saying_the_limit(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["worries"]["harm"] = "x" * (MAX_BYTES + 10)
    output = _refusal(tmp_path, "huge.json", json.dumps(tree))
    message = f"an input is at most {MAX_BYTES // 1024 // 1024} MB"
    assert message in output
    assert message in README


def test_nesting_deeper_than_the_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    deep = "kind: icpc\nworries:\n" + "".join("  " * i + "  a:\n" for i in range(MAX_DEPTH + 2))
    output = _refusal(tmp_path, "deep.yaml", deep)
    assert f"nests more than {MAX_DEPTH} levels deep" in output
    assert "line " in output
    assert f"more than {MAX_DEPTH} levels" in README


@pytest.mark.parametrize(
    "promised",
    [
        "is at most 10 MB",  # a workbook or Word form file
        "would unpack to",  # its decompressed size
        "5,000",  # answer boxes of a Word form
        "32,767",  # characters in a workbook cell
        "30 seconds",  # the time a rendering may take
    ],
)
def test_the_readme_states_each_limit(promised: str) -> None:
    section = README.split("## Limits", 1)
    assert len(section) == 2, "the README has no Limits section"
    assert promised in section[1].split("\n## ", 1)[0]
