"""`convert`: the same input in another form, content kept whole, between every pair of forms."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.forms import convert
from sos_reports.commands.reports import validate
from sos_reports.errors import InputError, OutputError
from sos_reports.inputs.read import read_input
from tests.helpers.examples import example_path, example_tree, write_yaml
from tests.helpers.kinds import KINDS

FORMS = [".yaml", ".json", ".xlsx", ".docx"]


def given(value: Any) -> Any:
    """A tree without its blank keys, every value as text: what was filled in (`true` and
    `yes` are one spelling of the same answer)."""
    if isinstance(value, dict):
        out = {k: given(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [given(v) for v in value]
    if value is None:
        return None
    return {"true": "yes", "false": "no"}.get(str(value).lower(), str(value))


@pytest.mark.parametrize("kind", KINDS)
def test_yaml_to_workbook_to_word_form_to_json_to_yaml_gives_back_the_same_input(
    tmp_path: Path, kind: str
) -> None:
    path = example_path(kind)
    for step, suffix in enumerate([".xlsx", ".docx", ".json", ".yaml"]):
        out = tmp_path / f"step{step}{suffix}"
        result = convert(path, out)
        assert result.written == [out]
        path = out
    assert validate(path).model == validate(example_path(kind)).model
    assert validate(path).errors == []
    # The tree itself, not only the model: nothing added, nothing lost.
    back, example = given(read_input(path).tree), given(example_tree(kind))
    back.pop("format_version", None)
    example.pop("format_version", None)
    assert back == example


@pytest.mark.parametrize("kind", KINDS)
def test_convert_between_every_pair_of_forms_keeps_the_input_whole(
    tmp_path: Path, kind: str
) -> None:
    expected = validate(example_path(kind)).model
    sources = {}
    for suffix in FORMS:
        sources[suffix] = tmp_path / f"source{suffix}"
        convert(example_path(kind), sources[suffix])
    for a, b in itertools.permutations(FORMS, 2):
        out = tmp_path / f"{a[1:]}-to-{b[1:]}{b}"
        convert(sources[a], out)
        assert validate(out).model == expected, f"{a} -> {b}"


def test_an_incomplete_input_converts_as_it_is(tmp_path: Path) -> None:
    """A case-management export with only the family's details becomes a form to complete."""
    tree = example_tree("icpc")
    export = {"kind": "icpc", "conference": tree["conference"], "children": tree["children"]}
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export), "utf-8")
    for suffix in (".xlsx", ".docx", ".yaml"):
        out = tmp_path / f"form{suffix}"
        convert(source, out)
        # And back, as an administrator would check what the form holds.
        convert(out, tmp_path / f"back{suffix}.yaml")
        back = read_input(tmp_path / f"back{suffix}.yaml").tree
        assert given(back["children"]) == given(tree["children"]), suffix
        assert given(back["conference"]) == given(tree["conference"]), suffix
        assert not given(back.get("worries", {})), suffix


def test_a_wrong_value_is_converted_as_typed_for_the_check_to_name(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["scaling"]["scores"][0]["score"] = "four"
    tree["report"]["date"] = "31/02/2026"
    source = write_yaml(tmp_path / "wrong.yaml", tree)
    for suffix in (".docx", ".xlsx", ".json"):
        out = tmp_path / f"wrong{suffix}"
        convert(source, out)
        paths = {f.path for f in validate(out).errors}
        assert {"scaling.scores[0].score", "report.date"} <= paths, suffix


def test_what_a_form_cannot_carry_is_refused_not_dropped(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["worrys"] = "typo"
    source = write_yaml(tmp_path / "typo.yaml", tree)
    out = tmp_path / "form.docx"
    with pytest.raises(InputError) as caught:
        convert(source, out)
    assert [f.path for f in caught.value.findings] == ["worrys"]
    assert not out.exists()


def test_convert_never_replaces_a_file_or_an_input(tmp_path: Path) -> None:
    out = tmp_path / "there.yaml"
    out.write_text("mine")
    with pytest.raises(OutputError):
        convert(example_path("icpc"), out)
    assert out.read_text() == "mine"
    copy = write_yaml(tmp_path / "in.yaml", example_tree())
    with pytest.raises(OutputError):
        convert(copy, copy, force=True)


def test_cli_convert_prints_the_path_and_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "form.docx"
    result = runner.invoke(cli, ["convert", str(example_path("medical")), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    bad = runner.invoke(
        cli, ["convert", str(example_path("medical")), "-o", str(tmp_path / "x.txt")]
    )
    # A wrong extension is a mistake on the command line: click's usage error, exit 2.
    assert bad.exit_code == 2 and ".xlsx or .docx" in bad.stderr
    assert "Traceback" not in bad.output


@pytest.mark.parametrize("typed", ["null", "Null", "NULL"])
def test_an_answer_that_reads_as_no_value_in_yaml_is_written_quoted(
    tmp_path: Path, typed: str
) -> None:
    """A surname `Null` in a JSON input or a workbook stays a name in the YAML written."""
    tree = example_tree("icpc")
    tree["household"][0]["name"] = typed
    source = tmp_path / "input.json"
    source.write_text(json.dumps(tree, default=str), "utf-8")
    convert(source, tmp_path / "input.yaml")
    assert read_input(tmp_path / "input.yaml").tree["household"][0]["name"] == typed
