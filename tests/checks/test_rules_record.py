"""The conference record's own rules (input-format.md, Record only): each broken once in the
example record and refused at its place, and several broken at once reported in one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sos_reports.commands.reports import validate
from tests.helpers.examples import write_yaml
from tests.helpers.rules import (
    DROP,
    assert_finding,
    changed,
    check_tree,
    findings,
    listing,
    tree_of,
)

KIND = "record"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("record-rules")


def review_tree() -> dict[str, Any]:
    """The example record made the record of the first review, three months on: every plan
    continues, and the review's own parts of the columns are written."""
    tree = tree_of(KIND)
    tree["conference"].update(
        type="review", date="2025-06-04", review_number=1, previous_date="2025-03-12",
        initial_date="2025-03-12",
    )  # fmt: skip
    tree["worries"]["remaining_concerns"] = "Dean's programme has only just started."
    tree["working_well"]["progress"] = "No further police call-outs since the conference."
    tree["core_group"]["first_meeting"] = "2025-06-11"
    tree["review_date"] = "2025-12-03"
    for entry in tree["distribution"]:
        entry["sent"] = "2025-06-11"
    tree["sign_off"]["date"] = "2025-06-05"
    tree["confidential"]["chair_informed"] = "2025-06-04"
    return tree


def review_findings(work: Path, change: Any) -> list[Any]:
    tree = review_tree()
    change(tree)
    return check_tree(work, tree).findings


def test_the_example_record_and_its_review_are_valid(work: Path) -> None:
    assert findings(work, KIND, {}) == []
    found = check_tree(work, review_tree()).findings
    assert found == [], listing(found)


# --- the decisions --------------------------------------------------------------------------


def test_a_child_decided_twice_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"decisions[1].child": "maisie"})
    assert_finding(found, "error", "decisions[1].child", "`maisie` is listed more than once")


def test_a_child_not_decided_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"decisions": lambda tree: tree["decisions"][:1]})
    assert_finding(found, "error", "decisions", "has no entry for `leo` (Leo Ashby)")


def test_a_plan_needs_a_category(work: Path) -> None:
    found = findings(work, KIND, {"decisions[0].categories": []})
    assert_finding(
        found, "error", "decisions[0].categories", "is required when the child has a plan"
    )


def test_a_category_without_a_plan_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"decisions[0].plan": "no"})
    assert_finding(found, "error", "decisions[0].categories", "is only for a child with a plan")


def test_a_review_that_ends_a_plan_says_to_what(work: Path) -> None:
    def end_maisies_plan(tree: dict[str, Any]) -> None:
        tree["decisions"][0].update(plan="no", categories=[])

    found = review_findings(work, end_maisies_plan)
    assert_finding(
        found, "error", "decisions[0].ended_to", "is required when a review ends the plan"
    )

    def ended_to_child_in_need(tree: dict[str, Any]) -> None:
        end_maisies_plan(tree)
        tree["decisions"][0]["ended_to"] = "child in need"

    assert review_findings(work, ended_to_child_in_need) == []


def test_ended_to_is_only_for_a_review_that_ends_the_plan(work: Path) -> None:
    found = findings(work, KIND, {"decisions[0].ended_to": "child in need"})
    assert_finding(found, "error", "decisions[0].ended_to", "is only for a review conference")


def test_no_plan_for_any_child_needs_no_plan_goals_core_group_or_review(work: Path) -> None:
    found = findings(
        work,
        KIND,
        {
            "decisions[0].plan": "no",
            "decisions[0].categories": DROP,
            "decisions[1].plan": "no",
            "decisions[1].categories": DROP,
            "plan": DROP,
            "family_goals": DROP,
            "agency_goals": DROP,
            "core_group": DROP,
            "review_date": DROP,
        },
    )
    assert found == [], listing(found)


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("plan", "what will be done, by whom, by when"),
        ("family_goals", "what the family wants to achieve"),
        ("agency_goals", "what the agencies want to achieve"),
        ("review_date", "the date of the review conference"),
        ("core_group.first_meeting", "the date of the first core group meeting"),
        ("core_group.members", "who is in it"),
    ],
)
def test_a_plan_needs_its_actions_goals_core_group_and_review(
    work: Path, key: str, fragment: str
) -> None:
    found = findings(work, KIND, {key: [] if key in {"plan", "core_group.members"} else DROP})
    hit = assert_finding(found, "error", key, "is required when a child has a plan")
    assert fragment in hit.message


# --- the scores -----------------------------------------------------------------------------


def test_a_score_by_someone_not_in_the_attendance_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"scaling.scores[1].by": "Mrs Joanna Price"})
    assert_finding(
        found, "error", "scaling.scores[1].by", "Mrs Joanna Price is not in the attendance"
    )


def test_the_attendance_name_matches_whatever_its_case(work: Path) -> None:
    assert findings(work, KIND, {"scaling.scores[3].by": "kerry fenwick"}) == []


def test_a_child_nobody_scored_is_refused(work: Path) -> None:
    found = findings(
        work,
        KIND,
        {
            "scaling.scores": lambda tree: [
                s for s in tree["scaling"]["scores"] if s["child"] != "leo"
            ]
        },
    )
    assert_finding(found, "error", "scaling.scores", "has no score for `leo` (Leo Ashby)")


def test_many_scores_for_one_child_are_expected(work: Path) -> None:
    scores = tree_of(KIND)["scaling"]["scores"]
    assert len([s for s in scores if s["child"] == "maisie"]) == 4
    assert findings(work, KIND, {}) == []


def test_an_unreadable_score_entry_does_not_also_report_a_child_without_a_score(
    work: Path,
) -> None:
    found = findings(
        work,
        KIND,
        {"scaling.scores": lambda tree: ["four", *tree["scaling"]["scores"][:4]]},
    )
    assert_finding(found, "error", "scaling.scores[0]", "should be a block of fields")
    assert not [f for f in found if f.path == "scaling.scores"], listing(found)


# --- the attendance -------------------------------------------------------------------------


def test_a_person_listed_twice_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"attendance[3].name": "Kerry Fenwick"})
    assert_finding(found, "error", "attendance[3].name", "Kerry Fenwick is listed twice")


def test_a_chair_missing_from_the_attendance_is_warned_about(work: Path) -> None:
    found = findings(work, KIND, {"attendance": lambda tree: tree["attendance"][1:]})
    assert_finding(found, "warning", "attendance", "does not list the chair, Sam Okafor")


# --- the dates: working days as the due dates count them --------------------------------------


def test_the_first_core_group_is_within_10_working_days(work: Path) -> None:
    # 12 March 2025 + 10 working days = Wednesday 26 March.
    assert findings(work, KIND, {"core_group.first_meeting": "2025-03-26"}) == []
    found = findings(work, KIND, {"core_group.first_meeting": "2025-03-27"})
    hit = assert_finding(
        found, "error", "core_group.first_meeting", "more than 10 working days after the conference"
    )
    assert "by 26 March 2025" in hit.message


def test_working_days_leave_out_the_bank_holidays(work: Path) -> None:
    # A conference on Thursday 10 April 2025: Good Friday and Easter Monday are not working
    # days, so the tenth working day after it is Monday 28 April, not Thursday 24 April.
    dates = {
        "conference.date": "2025-04-10",
        "review_date": "2025-07-09",
        "sign_off.date": "2025-04-11",
        "confidential.chair_informed": "2025-04-10",
        "distribution": [],
        "needs_to_happen.next_steps": [
            {"action": "Hold the first core group.", "who": "Priya Lund", "by": "2025-04-28"}
        ],
    }
    assert findings(work, KIND, {**dates, "core_group.first_meeting": "2025-04-28"}) == []
    found = findings(work, KIND, {**dates, "core_group.first_meeting": "2025-04-29"})
    assert_finding(
        found, "error", "core_group.first_meeting", "first core group meets by 28 April 2025"
    )


def test_a_core_group_before_the_conference_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"core_group.first_meeting": "2025-03-11"})
    assert_finding(found, "error", "core_group.first_meeting", "is before the conference")


@pytest.mark.parametrize("conference_type", ["initial", "pre-birth", "transfer-in"])
def test_the_review_is_within_3_months_of_an_initial_conference(
    work: Path, conference_type: str
) -> None:
    changes: dict[str, Any] = {"conference.type": conference_type}
    if conference_type == "pre-birth":
        changes.update({"children[1].gender": "unborn", "children[1].dob": DROP,
                        "children[1].edd": "2025-05-01", "children[1].setting": DROP})  # fmt: skip
    assert findings(work, KIND, {**changes, "review_date": "2025-06-12"}) == []
    found = findings(work, KIND, {**changes, "review_date": "2025-06-13"})
    hit = assert_finding(found, "error", "review_date", "more than 3 months after")
    assert "held by 12 June 2025" in hit.message


def test_the_review_after_a_review_is_within_6_months(work: Path) -> None:
    def on(day: str) -> Any:
        return lambda tree: tree.update(review_date=day)

    assert review_findings(work, on("2025-12-04")) == []
    found = review_findings(work, on("2025-12-05"))
    hit = assert_finding(found, "error", "review_date", "more than 6 months after a review")
    assert "held by 4 December 2025" in hit.message


def test_a_review_date_on_the_conference_day_is_refused(work: Path) -> None:
    found = findings(work, KIND, {"review_date": "2025-03-12"})
    assert_finding(found, "error", "review_date", "is not after the conference")


def test_a_record_sent_after_15_working_days_is_a_warning(work: Path) -> None:
    # 12 March 2025 + 15 working days = Wednesday 2 April.
    assert findings(work, KIND, {"distribution[0].sent": "2025-04-02"}) == []
    found = findings(work, KIND, {"distribution[0].sent": "2025-04-03"})
    hit = assert_finding(
        found, "warning", "distribution[0].sent", "more than 15 working days after the conference"
    )
    assert "sent by 2 April 2025" in hit.message


# --- a review's own parts, and what a record has not -------------------------------------------


def test_a_review_record_needs_the_remaining_concerns_and_the_progress(work: Path) -> None:
    def without(tree: dict[str, Any]) -> None:
        del tree["worries"]["remaining_concerns"], tree["working_well"]["progress"]

    found = review_findings(work, without)
    assert_finding(found, "error", "worries.remaining_concerns", "is required for a review")
    assert_finding(found, "error", "working_well.progress", "is required for a review")


def test_a_review_record_needs_its_number_and_previous_date(work: Path) -> None:
    found = review_findings(work, lambda tree: tree["conference"].pop("review_number"))
    assert_finding(found, "error", "conference.review_number", "is required for a review")


def test_the_review_parts_are_refused_in_the_record_of_an_initial_conference(work: Path) -> None:
    found = findings(work, KIND, {"worries.remaining_concerns": "x", "conference.review_number": 1})
    assert_finding(found, "error", "worries.remaining_concerns", "only for a review conference")
    assert_finding(found, "error", "conference.review_number", "only for a review conference")


def test_an_agencys_blocks_in_a_record_say_which_kinds_use_them(work: Path) -> None:
    found = findings(work, KIND, {"author": {"name": "Sam Okafor"}, "sharing": {}})
    assert_finding(found, "error", "author", "`author` is not used in a record report")
    assert_finding(found, "error", "sharing", "it belongs to icpc and rcpc and medical reports")


# --- every problem in one run -----------------------------------------------------------------


def test_one_record_breaking_four_rules_gets_four_findings_in_one_run(work: Path) -> None:
    tree = changed(
        KIND,
        {
            "scaling.scores[2].by": "PC Rachel Oduya",  # not in the attendance
            "decisions[1].categories": [],  # a plan without a category
            "core_group.first_meeting": "2025-04-09",  # 19 working days after
            "review_date": "2025-07-01",  # more than 3 months after an initial conference
        },
    )
    source = work / "four.yaml"
    write_yaml(source, tree)
    found = validate(source).findings
    assert [(f.severity, f.path) for f in found] == [
        ("error", "scaling.scores[2].by"),
        ("error", "decisions[1].categories"),
        ("error", "core_group.first_meeting"),
        ("error", "review_date"),
    ], listing(found)
    # Each at its line of the file, as the author typed it.
    lines = source.read_text("utf-8").splitlines()
    assert "PC Rachel Oduya" in lines[found[0].line - 1]
    assert "2025-04-09" in lines[found[2].line - 1]
    assert "2025-07-01" in lines[found[3].line - 1]
