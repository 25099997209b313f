"""The review conference's own rules (rcpc), each broken from the valid review example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sos_reports.support.deadlines import DueDays
from tests.helpers.rules import (
    CASE,
    DROP,
    assert_finding,
    changed,
    check_tree,
    day,
    findings,
    listing,
    row,
    table,
    tree_of,
    value_at,
)

RCPC = ["rcpc"]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rules-rcpc")


# fmt: off
RULES = table(
    # conference
    row("initial-is-not-a-review", {"conference.type": "initial"}, "error", "conference.type",
        "is not one of: `review`", kinds=RCPC),
    row("no-review-number", {"conference.review_number": DROP}, "error",
        "conference.review_number", "is required", kinds=RCPC),
    row("review-number-0", {"conference.review_number": "0"}, "error",
        "conference.review_number", "a whole number of 1 or more is needed", kinds=RCPC),
    row("review-number-words", {"conference.review_number": "first"}, "error",
        "conference.review_number", "a whole number of 1 or more", kinds=RCPC),
    row("review-number-1.5", {"conference.review_number": "1.5"}, "error",
        "conference.review_number", "a whole number of 1 or more", kinds=RCPC),
    row("no-previous-date", {"conference.previous_date": DROP}, "error",
        "conference.previous_date", "is required", kinds=RCPC),
    row("previous-on-the-conference-day", {"conference.previous_date": day("conference.date")},
        "error", "conference.previous_date", "is not before the conference date", kinds=RCPC),
    row("previous-after-the-conference",
        {"conference.previous_date": day("conference.date", 7)}, "error",
        "conference.previous_date", "is not before the conference date", kinds=RCPC),
    row("no-initial-date", {"conference.initial_date": DROP}, "error",
        "conference.initial_date", "is required", kinds=RCPC),
    row("initial-after-previous",
        {"conference.initial_date": day("conference.previous_date", 1)}, "error",
        "conference.initial_date", "is after the previous conference", kinds=RCPC),
    # worries and working well
    row("no-remaining-concerns", {"worries.remaining_concerns": DROP}, "error",
        "worries.remaining_concerns", "is required", kinds=RCPC),
    row("blank-remaining-concerns", {"worries.remaining_concerns": " "}, "error",
        "worries.remaining_concerns", "is required", kinds=RCPC),
    row("no-progress", {"working_well.progress": DROP}, "error", "working_well.progress",
        "is required", kinds=RCPC),
    # scaling
    row("previous-score-11", {"scaling.scores[0].previous": "11"}, "error",
        "scaling.scores[0].previous", "a whole number from 0 to 10 is needed", kinds=RCPC),
    row("previous-score-words", {"scaling.scores[1].previous": "three"}, "error",
        "scaling.scores[1].previous", "a whole number from 0 to 10 is needed", kinds=RCPC),
    # involvement since the last conference
    row("last-seen-before-the-previous-conference",
        {"involvement.last_seen[1].date": day("conference.previous_date", -1)}, "warning",
        "involvement.last_seen[1].date", "is before the previous conference", kinds=RCPC),
    row("last-seen-after-the-report",
        {"involvement.last_seen[0].date": day("report.date", 1)}, "error",
        "involvement.last_seen[0].date", "is after the report date", kinds=RCPC),
    row("last-seen-missing-a-child",
        {"involvement.last_seen": lambda tree: tree["involvement"]["last_seen"][:1]}, "error",
        "involvement.last_seen", "has no entry for `leo`", kinds=RCPC),
    # the plan
    row("no-plan", {"plan": DROP}, "error", "plan", "is required", kinds=RCPC),
    row("plan-missing-a-child", {"plan": lambda tree: tree["plan"][1:]}, "error", "plan",
        "has no entry for `maisie` (Maisie Fenwick); every child needs one", kinds=RCPC),
    row("plan-twice-for-a-child", {"plan[1].child": "maisie"}, "error", "plan[1].child",
        "`maisie` is listed more than once", kinds=RCPC),
    row("plan-unknown-child", {"plan[1].child": "leon"}, "error", "plan[1].child",
        "did you mean `leo`?", kinds=RCPC),
    row("plan-started-after-the-previous-conference",
        {"plan[0].start_date": day("conference.previous_date", 1)}, "error",
        "plan[0].start_date", "is after the previous conference", kinds=RCPC),
    row("plan-without-a-start", {"plan[0].start_date": DROP}, "error", "plan[0].start_date",
        "is required", kinds=RCPC),
    row("plan-without-a-category", {"plan[0].categories": []}, "error", "plan[0].categories",
        "needs at least one entry", kinds=RCPC),
    row("plan-category-unknown", {"plan[0].categories": ["emotional abuse", "bullying"]},
        "error", "plan[0].categories[1]",
        "is not one of: `neglect`, `physical abuse`, `emotional abuse`, `sexual abuse`",
        kinds=RCPC),
    # core group
    row("no-core-group", {"core_group": DROP}, "error", "core_group", "is required", kinds=RCPC),
    row("core-group-before-the-previous-conference",
        {"core_group[0].date": day("conference.previous_date", -1)}, "warning",
        "core_group[0].date", "is outside the time since the previous conference", kinds=RCPC),
    row("core-group-after-the-conference", {"core_group[2].date": day("conference.date", 1)},
        "warning", "core_group[2].date", "is outside the time since the previous conference",
        kinds=RCPC),
    row("core-group-attended-maybe", {"core_group[0].attended": "maybe"}, "error",
        "core_group[0].attended", "should be yes or no", kinds=RCPC),
    row("core-group-no-attended", {"core_group[0].attended": DROP}, "error",
        "core_group[0].attended", "is required", kinds=RCPC),
    row("core-group-no-date", {"core_group[1].date": DROP}, "error", "core_group[1].date",
        "is required", kinds=RCPC),
    row("core-group-update-sent-1", {"core_group[2].update_sent": "1"}, "error",
        "core_group[2].update_sent", "should be yes or no", kinds=RCPC),
    # progress against the plan
    row("no-plan-progress", {"plan_progress": DROP}, "error", "plan_progress", "is required",
        kinds=RCPC),
    row("empty-plan-progress", {"plan_progress": []}, "error", "plan_progress",
        "needs at least one entry", kinds=RCPC),
    row("progress-status-unknown", {"plan_progress[0].status": "done"}, "error",
        "plan_progress[0].status", "`achieved`, `partly achieved`, `not achieved`", kinds=RCPC),
    row("progress-no-status", {"plan_progress[0].status": DROP}, "error",
        "plan_progress[0].status", "is required", kinds=RCPC),
    row("progress-no-action", {"plan_progress[1].action": ""}, "error",
        "plan_progress[1].action", "is required", kinds=RCPC),
    row("progress-nobody-responsible", {"plan_progress[2].responsible": DROP}, "error",
        "plan_progress[2].responsible", "is required", kinds=RCPC),
    row("progress-unknown-child", {"plan_progress[0].children": ["maisie", "Sam"]}, "error",
        "plan_progress[0].children[1]", "there is no child with id `Sam`", kinds=RCPC),
    row("no-changes-since-last", {"changes_since_last": DROP}, "error", "changes_since_last",
        "is required", kinds=RCPC),
    # recommendations
    row("no-recommendations", {"recommendations": DROP}, "error", "recommendations",
        "is required", kinds=RCPC),
    row("recommendation-missing-a-child",
        {"recommendations": lambda tree: tree["recommendations"][:1]}, "error",
        "recommendations", "has no entry for `leo`", kinds=RCPC),
    row("recommendation-twice", {"recommendations[1].child": "maisie"}, "error",
        "recommendations[1].child", "`maisie` is listed more than once", kinds=RCPC),
    row("recommendation-unknown", {"recommendations[0].recommendation": "stop"}, "error",
        "recommendations[0].recommendation", "`continue plan`, `end plan - child in need`",
        kinds=RCPC),
    row("recommendation-no-reason", {"recommendations[0].reason": DROP}, "error",
        "recommendations[0].reason", "is required", kinds=RCPC),
    row("category-change-with-the-plan-ending",
        {"recommendations[0].recommendation": "end plan - child in need"}, "warning",
        "recommendations[0].category_change",
        "a change of category only applies when the plan continues", kinds=RCPC),
    # deadline: 5 working days before a review
    row("sent-after-the-review-due-date", {"report.sent_to_chair": "2025-05-29"}, "warning",
        "report.sent_to_chair", "29 May 2025 is after the due date, 28 May 2025", kinds=RCPC),
)
# fmt: on


@pytest.mark.parametrize(CASE, RULES)
def test_a_broken_review_rule_is_reported(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


# fmt: off
ACCEPTED = [
    pytest.param({"recommendations[1].recommendation": "End the plan: child in need plan"},
                 "recommendations[1].recommendation", "end plan - child in need",
                 id="recommendation-by-label"),
    pytest.param({"recommendations[1].recommendation": "CONTINUE THE PLAN"},
                 "recommendations[1].recommendation", "continue plan",
                 id="recommendation-label-any-case"),
    pytest.param({"plan_progress[1].status": " Partly Achieved "}, "plan_progress[1].status",
                 "partly achieved", id="status-any-case"),
    pytest.param({"plan[0].categories": ["Neglect", "EMOTIONAL ABUSE"]}, "plan[0].categories",
                 ["neglect", "emotional abuse"], id="categories-any-case"),
    pytest.param({"core_group": []}, "core_group", [], id="core-group-may-be-empty"),
    pytest.param({"conference.initial_date": "2024-11-20", "conference.review_number": "2"},
                 "conference.review_number", 2, id="second-review"),
    pytest.param({"scaling.scores[0].previous": DROP}, "scaling.scores[0].previous", None,
                 id="previous-score-optional"),
    pytest.param({"worries.new_concerns": DROP}, "worries.new_concerns", None,
                 id="new-concerns-optional"),
    pytest.param({"core_group[0].date": day("conference.previous_date")}, "core_group[0].date",
                 dt.date(2025, 3, 12), id="core-group-on-the-previous-conference-day"),
    pytest.param({"involvement.last_seen[1].date": day("conference.previous_date")},
                 "involvement.last_seen[1].date", dt.date(2025, 3, 12),
                 id="last-seen-on-the-previous-conference-day"),
]
# fmt: on


@pytest.mark.parametrize(("changes", "path", "expected"), ACCEPTED)
def test_an_accepted_review_value_is_read_as_meant(work, changes, path, expected):
    checked = check_tree(work, changed("rcpc", changes))
    assert checked.findings == [], listing(checked.findings)
    assert value_at(checked.model, path) == expected


def test_a_category_change_is_for_a_continuing_plan(work):
    found = findings(work, "rcpc", {"recommendations[1].category_change": "Add neglect."})
    assert found == [], listing(found)


def test_a_review_is_due_five_working_days_before(work):
    checked = check_tree(work, tree_of("rcpc"))  # Wednesday 4 June 2025
    assert (checked.due_days, checked.due_date) == (5, dt.date(2025, 5, 28))


def test_due_days_for_a_review_change_its_due_date(work):
    checked = check_tree(work, tree_of("rcpc"), DueDays.parse("initial=2,review=7"))
    # 7 working days before Wednesday 4 June 2025, skipping the bank holiday of 26 May
    assert checked.due_date == dt.date(2025, 5, 23)
    assert_finding(checked.findings, "warning", "sharing.date", "after the due date, 23 May 2025")
    assert_finding(checked.findings, "warning", "report.sent_to_chair", "is after the due date")
