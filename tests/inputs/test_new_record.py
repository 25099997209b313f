"""The record started from the agencies' inputs, and the reviews started from the record.

`new record --from` takes the agencies' inputs as `merge` does and fills what they know;
`new rcpc --from record.yaml --agency NAME` starts that agency's review with the plan the
conference made, so that every review judges the same actions.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.forms import convert
from sos_reports.commands.merge import merge
from sos_reports.commands.reports import validate
from sos_reports.inputs.read import read_input
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES, example_path, write_yaml

CONFERENCE = EXAMPLES / "conference"
RECORD = example_path("record")


def given(value: Any) -> Any:
    """A tree read back from a form, without its blank answers."""
    if isinstance(value, dict):
        return {k: given(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [given(v) for v in value]
    return value


def sos(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    return result


def started(tmp_path: Path, *inputs: Path) -> tuple[Path, dict[str, Any]]:
    out = tmp_path / "record.yaml"
    args = [a for path in inputs for a in ("--from", str(path))]
    result = sos("new", "record", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    return out, read_input(out).tree


# --- the record from the agencies' inputs -------------------------------------------------------


def test_the_record_from_the_conference_folder_leaves_only_what_the_meeting_says(
    tmp_path: Path,
) -> None:
    out, _ = started(tmp_path, CONFERENCE)
    checked = validate(out)
    missing = {f.path for f in checked.errors}
    people = len(checked.source.tree["attendance"])
    assert missing == {
        *(f"attendance[{i}].attended" for i in range(people)),
        "family_views",
        "decisions[0].plan",
        "decisions[0].reason",
        "decisions[1].plan",
        "decisions[1].reason",
        "confidential.present",
        "sign_off.date",
    }
    assert {f.code for f in checked.errors} == {"required"}


def test_the_record_takes_the_conference_the_authors_the_columns_and_the_scores(
    tmp_path: Path,
) -> None:
    _, tree = started(tmp_path, CONFERENCE)
    school = read_input(CONFERENCE / "school-icpc.yaml").tree
    assert tree["conference"]["date"] == school["conference"]["date"]
    assert [c["id"] for c in tree["children"]] == ["maisie", "leo"]
    authors = {
        read_input(p).tree["author"]["name"]: read_input(p).tree["author"]["agency"]
        for p in sorted(CONFERENCE.glob("*.yaml"))
    }
    rows = {r["name"]: r for r in tree["attendance"]}
    for name, agency in authors.items():
        assert rows[name]["agency"] == agency
        assert rows[name]["report_received"] == "yes"
    # Each agency's paragraphs under its name; each agency's scores `by` its author.
    harm = tree["worries"]["harm"]
    assert "School: " in harm and "Police: " in harm and "General practice: " in harm
    dangers = tree["worries"]["danger_statements"]
    assert all(d["text"].split(": ", 1)[0] in authors.values() for d in dangers)
    scores = {(s["child"], s["by"]): s["score"] for s in tree["scaling"]["scores"]}
    assert scores[("maisie", "Ms Joanna Pryce")] == "4"
    # The police call the children mf and la; the record uses the first input's ids.
    assert scores[("leo", "DC Rachel Oduya")] == "1"
    assert {child for child, _ in scores} == {"maisie", "leo"}


def test_no_agencys_confidential_details_or_withheld_entry_enter_the_draft(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(CONFERENCE, folder)
    school = read_input(folder / "school-icpc.yaml").tree
    school["household"].append(
        {
            "name": "Tina Marsh",
            "relationship": "Kerry's sister, who the children stay with",
            "parental_responsibility": "no",
            "in_household": "no",
            "address": "9 Quiet Lane, Somewhere Safe",
            "withhold_from_family": "yes",
        }
    )
    school["confidential"] = {
        "present": "yes",
        "reason": "whereabouts of a person at risk",
        "chair_informed": school["report"]["date"],
        "details": "Tina's address must not reach Dean.",
    }
    write_yaml(folder / "school-icpc.yaml", school)
    out, _ = started(tmp_path, folder)
    draft = out.read_text("utf-8")
    secrets = ["Tina", "Somewhere Safe", "caution in 2019", "pushed her against"]
    for path in folder.glob("*.yaml"):
        details = (read_input(path).tree.get("confidential") or {}).get("details")
        if details:
            secrets.append(details.split(".")[0])
    for secret in secrets:
        assert secret not in draft


def test_the_inputs_may_be_any_form_and_named_one_by_one(tmp_path: Path) -> None:
    workbook = convert(CONFERENCE / "police-icpc.yaml", tmp_path / "police.xlsx").written[0]
    word = convert(CONFERENCE / "gp-medical.yaml", tmp_path / "gp.docx").written[0]
    _, from_files = started(tmp_path, CONFERENCE / "school-icpc.yaml", workbook, word)
    (tmp_path / "record.yaml").unlink()
    _, from_folder = started(tmp_path, CONFERENCE)
    assert len(from_files["attendance"]) == len(from_folder["attendance"])
    assert sorted(from_files["scaling"]["scores"], key=str) == sorted(
        from_folder["scaling"]["scores"], key=str
    )


def test_an_input_that_is_not_valid_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    broken = read_input(CONFERENCE / "school-icpc.yaml").tree
    broken["scaling"]["scores"][0]["score"] = "eleven"
    bad = write_yaml(tmp_path / "school.yaml", broken)
    out = tmp_path / "record.yaml"
    result = sos(
        "new",
        "record",
        "--from",
        str(bad),
        "--from",
        str(CONFERENCE / "gp-medical.yaml"),
        "-o",
        str(out),
    )
    assert result.exit_code == 1
    assert "scaling.scores[0].score" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_report_is_started_from_one_earlier_input_only(tmp_path: Path) -> None:
    result = sos(
        "new", "rcpc", "--from", str(CONFERENCE / "school-icpc.yaml"),
        "--from", str(CONFERENCE / "police-icpc.yaml"), "-o", str(tmp_path / "r.yaml"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "is started from one earlier input, not 2" in result.output


# --- reviews from the record ------------------------------------------------------------------


def review(tmp_path: Path, agency: str | None, name: str, kind: str = "rcpc") -> Path:
    out = tmp_path / name
    extra = ["--agency", agency] if agency else []
    result = sos("new", kind, "--from", str(RECORD), *extra, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_the_schools_review_leaves_only_what_the_school_alone_can_write(tmp_path: Path) -> None:
    out = review(tmp_path, "School", "school-review.yaml")
    tree = given(read_input(out).tree)
    record = read_input(RECORD).tree
    assert tree["conference"] == {
        "type": "review", "date": "2025-06-04", "review_number": "1",
        "previous_date": "2025-03-12", "initial_date": "2025-03-12",
        "chair": "Sam Okafor", "case_reference": "TH-CP-2025-0147", "social_worker": "Priya Lund",
    }  # fmt: skip
    assert tree["author"] == {
        "name": "Ms Joanna Pryce", "role": "Designated Safeguarding Lead", "agency": "School",
    }  # fmt: skip
    assert tree["plan"] == [
        {"child": "maisie", "start_date": "2025-03-12", "categories": ["emotional abuse"]},
        {"child": "leo", "start_date": "2025-03-12", "categories": ["emotional abuse"]},
    ]
    schools = [a for a in record["plan"] if a.get("agency") == "School"]
    assert [p["action"] for p in tree["plan_progress"]] == [a["action"] for a in schools]
    assert [p["responsible"] for p in tree["plan_progress"]] == [a["responsible"] for a in schools]
    assert [s["previous"] for s in tree["scaling"]["scores"]] == ["4", "3"]
    assert tree["household"] == record["household"]
    # What is left is the school's to write: no finding about what the record gave.
    from_record = ("conference", "children", "household", "family_address", "plan[", "author.name",
             "author.role", "author.agency", "scaling.scores[0].previous", "marking")  # fmt: skip
    findings = validate(out).findings
    assert findings and all(f.code == "required" for f in findings)
    assert not [f.path for f in findings if f.path.startswith(from_record)]
    assert not [
        f for f in findings if f.path.startswith("plan_progress") and "status" not in f.path
    ]


def test_without_an_agency_the_review_judges_every_action(tmp_path: Path) -> None:
    tree = given(read_input(review(tmp_path, None, "all.yaml")).tree)
    assert len(tree["plan_progress"]) == len(read_input(RECORD).tree["plan"])
    assert "author" not in tree or not tree["author"].get("name")


def test_a_gps_review_report_from_the_record(tmp_path: Path) -> None:
    tree = given(read_input(review(tmp_path, "General practice", "gp.yaml", kind="medical")).tree)
    assert tree["conference"]["type"] == "review"
    assert tree["conference"]["date"] == "2025-06-04"
    assert tree["conference"]["review_number"] == "1"
    assert tree["author"]["name"] == "Dr Anil Mehra"
    assert [c["child"] for c in tree["child_health"]] == ["maisie", "leo"]


def test_an_agency_the_record_does_not_know_is_refused_with_those_it_does(tmp_path: Path) -> None:
    result = sos(
        "new",
        "rcpc",
        "--from",
        str(RECORD),
        "--agency",
        "Fire service",
        "-o",
        str(tmp_path / "x.yaml"),
    )
    assert result.exit_code == 1
    assert "no agency 'Fire service'" in result.output
    assert "Children's Social Care" in result.output and "School" in result.output
    result = sos(
        "new",
        "rcpc",
        "--from",
        str(CONFERENCE / "school-icpc.yaml"),
        "--agency",
        "School",
        "-o",
        str(tmp_path / "y.yaml"),
    )
    assert result.exit_code == 1 and "from a conference record" in result.output


def _fill_in(path: Path, status: list[str], name: str, agency_extra: dict[str, Any]) -> Path:
    """A review as its author completes it: the example review's own answers, with the
    pre-filled plan and progress kept."""
    started_tree = given(read_input(path).tree)
    example = read_input(example_path("rcpc")).tree
    done = {**example, **{k: started_tree[k] for k in ("conference", "plan", "household")}}
    done["author"] = {**example["author"], **started_tree["author"], **agency_extra}
    done["plan_progress"] = [
        {**entry, "status": s, "comment": f"{name}: {s}."}
        for entry, s in zip(started_tree["plan_progress"], status, strict=True)
    ]
    done["sign_off"] = {"name": done["author"]["name"], "date": example["sign_off"]["date"]}
    return write_yaml(path.with_name(f"{name}-done.yaml"), done)


def test_the_map_of_two_reviews_shows_both_agencies_progress_on_the_same_actions(
    tmp_path: Path,
) -> None:
    school = _fill_in(
        review(tmp_path, "School", "school.yaml"),
        ["achieved", "partly achieved", "achieved"],
        "school",
        {},
    )
    social = _fill_in(
        review(tmp_path, None, "social-care.yaml"),
        ["achieved", "partly achieved", "not yet due", "achieved", "not achieved", "not yet due"],
        "social-care",
        {"name": "Priya Lund", "role": "Social worker", "agency": "Children's Social Care"},
    )
    for path in (school, social):
        assert validate(path).errors == [], [str(f) for f in validate(path).errors]
    written = merge([school, social], tmp_path / "map.docx").written
    text = docx_text(Path(written[0]))
    assert "Progress against the plan" in text
    section = text.split("Progress against the plan", 1)[1].split("For the chair", 1)[0]
    elsa = read_input(RECORD).tree["plan"][0]["action"]
    assert section.count(elsa) == 1  # the action once, each agency's view under it
    after = section.split(elsa, 1)[1]
    assert "school: achieved." in after and "social-care: achieved." in after
    assert after.index("school: achieved.") < after.index("social-care: not yet due.")


def test_new_record_runs_as_a_command(tmp_path: Path) -> None:
    out = tmp_path / "record.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "sos_reports", "new", "record", "--from", str(CONFERENCE), "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(out)
    tree = read_input(out).tree
    assert len(tree["scaling"]["scores"]) == 6
    assert yaml.safe_dump(tree)
    with pytest.raises(AssertionError):
        assert validate(out).errors == []  # the meeting's parts are still to fill
