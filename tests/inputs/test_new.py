"""Blank forms and carry-forward: a new input a practitioner can fill, and validate tells what is left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.forms import convert, new_input
from sos_reports.commands.reports import validate
from sos_reports.inputs.read import read_input
from sos_reports.kinds import KINDS as REGISTRY
from tests.helpers.examples import example_path, example_tree, write_yaml
from tests.helpers.kinds import KINDS


def given(value: object) -> object:
    """A tree without its blank keys: what was filled in."""
    if isinstance(value, dict):
        return {k: given(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [given(v) for v in value]
    return value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_blank_form_lists_only_missing_required_fields(
    tmp_path: Path, kind: str, suffix: str
) -> None:
    out = tmp_path / f"blank{suffix}"
    new_input(kind, out)
    checked = validate(out)
    assert checked.kind == kind
    assert checked.errors, "a blank form is not a report"
    assert {f.code for f in checked.errors} == {"required"}
    paths = {f.path for f in checked.errors}
    signer = "author.name" if "author" in REGISTRY[kind].model.model_fields else "sign_off.name"
    assert {
        "conference.date",
        signer,
        "worries.harm",
        "scaling.scores[0].score" if kind != "medical" else "scaling.scores[0].reason",
    } <= paths


def test_the_yaml_skeleton_explains_every_field(tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    new_input("icpc", out)
    lines = out.read_text("utf-8").splitlines()
    keys = [line for line in lines if line.strip() and not line.strip().startswith("#")]
    for i, line in enumerate(lines):
        if line in keys and not line.lstrip().startswith("- ") and ":" in line:
            assert lines[i - 1].lstrip().startswith("#"), line
    assert (
        "# Conference date; required; a date, YYYY-MM-DD or DD/MM/YYYY"
        in lines[lines.index("conference:") + 3]
    )


def test_a_review_carried_forward_from_the_initial_report(tmp_path: Path) -> None:
    out = tmp_path / "review.yaml"
    new_input("rcpc", out, from_path=example_path("icpc"))
    initial = read_input(example_path("icpc")).tree
    review = read_input(out).tree
    assert review["kind"] == "rcpc"
    assert given(review["children"]) == initial["children"]
    assert given(review["household"]) == initial["household"]
    for key in ("name", "role", "agency", "base", "phone", "email"):
        assert review["author"][key] == initial["author"][key]
    assert review["conference"]["type"] == "review"
    assert review["conference"]["review_number"] == "1"
    assert (
        review["conference"]["previous_date"]
        == review["conference"]["initial_date"]
        == "2025-03-12"
    )
    previous = {s["child"]: s["previous"] for s in review["scaling"]["scores"]}
    assert previous == {s["child"]: s["score"] for s in initial["scaling"]["scores"]}
    actions = [row["action"] for row in review["plan_progress"]]
    assert actions == [step["action"] for step in initial["needs_to_happen"]["next_steps"]]

    checked = validate(out)
    assert {f.code for f in checked.errors} <= {"required", "rule"}
    still_to_write = {f.path for f in checked.errors}
    assert still_to_write == {
        "conference.date",
        "author.attending",
        "report.date",
        "sharing.shared",
        "worries.harm",
        "worries.danger_statements[0].text",
        "worries.remaining_concerns",
        "working_well.strengths",
        "working_well.progress",
        "needs_to_happen.safety_goals[0]",
        "needs_to_happen.next_steps[0].action",
        "needs_to_happen.next_steps[0].who",
        "needs_to_happen.next_steps[0].by",
        "child_voice[0].views",
        "child_voice[0].method",
        "child_voice[1].views",
        "child_voice[1].method",
        "family_views",
        "scaling.scores[0].score",
        "scaling.scores[0].reason",
        "scaling.scores[1].score",
        "scaling.scores[1].reason",
        "confidential.present",
        "sign_off.name",
        "sign_off.date",
        "involvement.help_offered",
        # each child's last seen is asked for even though help_offered is blank beside it
        "involvement.last_seen[0].date",
        "involvement.last_seen[0].seen_alone",
        "involvement.last_seen[1].date",
        "involvement.last_seen[1].seen_alone",
        "plan[0].categories[0]",
        "plan[1].categories[0]",
        "plan_progress[0].status",
        "plan_progress[1].status",
        "plan_progress[2].status",
        "changes_since_last",
        "recommendations[0].recommendation",
        "recommendations[0].reason",
        "recommendations[1].recommendation",
        "recommendations[1].reason",
    }


def test_review_to_next_review_moves_the_history_on(tmp_path: Path) -> None:
    out = tmp_path / "review2.json"
    new_input("rcpc", out, from_path=example_path("rcpc"))
    first = read_input(example_path("rcpc")).tree
    second = json.loads(out.read_text("utf-8"))
    assert second["conference"]["review_number"] == "2"
    assert second["conference"]["previous_date"] == first["conference"]["date"]
    assert second["conference"]["initial_date"] == first["conference"]["initial_date"]
    assert second["plan"] == first["plan"]
    previous = {s["child"]: s["previous"] for s in second["scaling"]["scores"]}
    assert previous == {s["child"]: s["score"] for s in first["scaling"]["scores"]}


def test_any_kind_to_medical_carries_the_conference_children_and_household(tmp_path: Path) -> None:
    out = tmp_path / "gp.yaml"
    new_input("medical", out, from_path=example_path("icpc"))
    initial = read_input(example_path("icpc")).tree
    gp = read_input(out).tree
    assert gp["conference"]["date"] == initial["conference"]["date"]
    assert given(gp["children"]) == initial["children"]
    assert given(gp["household"]) == initial["household"]
    assert gp["author"]["name"] is None  # the GP writes their own
    assert [h["child"] for h in gp["child_health"]] == ["maisie", "leo"]


def test_from_refuses_a_malformed_earlier_input(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["worrys"] = tree.pop("worries")
    bad = write_yaml(tmp_path / "bad.yaml", tree)
    result = CliRunner().invoke(
        cli, ["new", "rcpc", "--from", str(bad), "-o", str(tmp_path / "r.yaml")]
    )
    assert result.exit_code == 1
    assert "worrys" in result.stderr
    assert not (tmp_path / "r.yaml").exists()


def test_new_refuses_an_unknown_suffix_and_an_existing_file(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "icpc", "-o", str(tmp_path / "x.txt")]).exit_code == 2
    (tmp_path / "x.yaml").write_text("mine")
    result = runner.invoke(cli, ["new", "icpc", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and "--force" in result.stderr
    assert (tmp_path / "x.yaml").read_text() == "mine"


def test_details_sent_ahead_for_this_conference_are_copied_whole_by_convert(
    tmp_path: Path,
) -> None:
    """A conference administrator's partial input of the same kind becomes a form as it is."""
    for kind in KINDS:
        tree = example_tree(kind)
        admin = {"kind": kind, "conference": tree["conference"], "children": tree["children"]}
        source = write_yaml(tmp_path / f"admin-{kind}.yaml", admin)
        out = tmp_path / f"form-{kind}.yaml"
        convert(source, out)
        form = read_input(out).tree
        assert given(form["conference"]) == tree["conference"], kind
        assert given(form["children"]) == tree["children"], kind


def test_a_complete_icpc_report_is_copied_whole_by_convert(tmp_path: Path) -> None:
    out = tmp_path / "again.yaml"
    convert(example_path("icpc"), out)
    assert validate(out).model == validate(example_path("icpc")).model


@pytest.mark.parametrize("kind", ["icpc", "medical"])
def test_new_from_a_report_of_the_same_kind_starts_the_next_report(
    tmp_path: Path, kind: str
) -> None:
    """However complete the earlier input, `new` writes the next report: what only the
    practitioner can write for the new conference is left blank."""
    out = tmp_path / "next.yaml"
    new_input(kind, out, from_path=example_path(kind))
    earlier = read_input(example_path(kind)).tree
    tree = read_input(out).tree
    assert given(tree["children"]) == earlier["children"]
    assert tree["worries"]["harm"] is None
    assert tree["report"]["date"] is None
    assert all(s.get("score") is None for s in tree["scaling"]["scores"])


@pytest.mark.parametrize("number", [None, "1.0", "two"])
def test_a_review_number_that_is_blank_or_odd_does_not_stop_carry_forward(
    tmp_path: Path, number: str | None
) -> None:
    tree = example_tree("rcpc")
    tree["conference"]["review_number"] = number
    source = write_yaml(tmp_path / "r.yaml", tree)
    out = tmp_path / "next.yaml"
    if number == "two":  # a value of the wrong form is refused, with its place
        result = CliRunner().invoke(cli, ["new", "rcpc", "--from", str(source), "-o", str(out)])
        assert result.exit_code == 1 and "conference.review_number" in result.stderr
        return
    new_input("rcpc", out, from_path=source)
    expected = {None: None, "1.0": "2"}[number]
    assert read_input(out).tree["conference"]["review_number"] == expected
