"""The GP report's own rules (medical), each broken from the valid GP example."""

from __future__ import annotations

from pathlib import Path

import pytest

from sos_reports.support.deadlines import DueDays
from tests.helpers.rules import (
    CASE,
    DROP,
    assert_finding,
    changed,
    check_tree,
    findings,
    listing,
    row,
    table,
    value_at,
)

MEDICAL = ["medical"]
REVIEW = {
    "conference.type": "review",
    "conference.review_number": "1",
    "conference.previous_date": "2024-12-11",
}
# A pre-birth conference for the example's family, Leo not yet born (due 1 May 2025).
PRE_BIRTH = {
    "conference.type": "pre-birth",
    "children[1].gender": "unborn",
    "children[1].dob": DROP,
    "children[1].edd": "2025-05-01",
}
NOT_SHARED = {"sharing": {"shared": "no", "not_shared_reason": "The chair will decide."}}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rules-medical")


def review(changes: dict) -> dict:
    return {**REVIEW, **changes}


# fmt: off
RULES = table(
    # conference: a review needs its number and previous date, other conferences do not
    row("review-without-a-number", review({"conference.review_number": DROP}), "error",
        "conference.review_number", "is required for a review conference", kinds=MEDICAL),
    row("review-without-a-previous-date", review({"conference.previous_date": DROP}), "error",
        "conference.previous_date", "is required for a review conference", kinds=MEDICAL),
    row("review-previous-on-the-day", review({"conference.previous_date": "2025-03-12"}),
        "error", "conference.previous_date", "is not before the conference date",
        kinds=MEDICAL),
    row("review-previous-after", review({"conference.previous_date": "2025-04-01"}), "error",
        "conference.previous_date", "is not before the conference date", kinds=MEDICAL),
    row("review-number-0", review({"conference.review_number": "0"}), "error",
        "conference.review_number", "a whole number of 1 or more", kinds=MEDICAL),
    row("review-number-for-an-initial", {"conference.review_number": "1"}, "error",
        "conference.review_number", "is only for a review conference", kinds=MEDICAL),
    row("previous-date-for-an-initial", {"conference.previous_date": "2024-12-11"}, "error",
        "conference.previous_date", "is only for a review conference", kinds=MEDICAL),
    row("previous-score-for-an-initial", {"scaling.scores[0].previous": "3"}, "error",
        "scaling.scores[0].previous", "a previous score is only for a review conference",
        kinds=MEDICAL),
    row("previous-score-11", review({"scaling.scores[0].previous": "11"}), "error",
        "scaling.scores[0].previous", "a whole number from 0 to 10 is needed", kinds=MEDICAL),
    row("no-score-no-reason", {"scaling.scores[1].score": DROP, "scaling.scores[1].reason": ""},
        "error", "scaling.scores[1].reason", "is required", kinds=MEDICAL),
    # practice
    row("no-practice", {"practice": DROP}, "error", "practice", "is required", kinds=MEDICAL),
    row("no-practice-name", {"practice.name": " "}, "error", "practice.name", "is required",
        kinds=MEDICAL),
    row("no-practice-address", {"practice.address": DROP}, "error", "practice.address",
        "is required", kinds=MEDICAL),
    *(
        row(f"gmc-{value}", {"practice.gmc_number": value}, "error", "practice.gmc_number",
            "is not a GMC number: it needs exactly 7 digits", kinds=MEDICAL)
        for value in ("123456", "12345678", "GMC1234", "123 4567")
    ),
    row("attendance-unknown", {"practice.attendance": "maybe"}, "error",
        "practice.attendance", "`attending in person`, `attending virtually`", kinds=MEDICAL),
    row("no-attendance", {"practice.attendance": DROP}, "error", "practice.attendance",
        "is required", kinds=MEDICAL),
    # registered household
    row("no-registered-household", {"registered_household": DROP}, "error",
        "registered_household", "is required", kinds=MEDICAL),
    row("registered-maybe", {"registered_household[1].registered": "maybe"}, "error",
        "registered_household[1].registered", "should be yes or no", kinds=MEDICAL),
    row("registered-not-said", {"registered_household[1].registered": DROP}, "error",
        "registered_household[1].registered", "is required", kinds=MEDICAL),
    row("registered-nhs-check-digit", {"registered_household[0].nhs_number": "999 014 7281"},
        "error", "registered_household[0].nhs_number", "its check digit is wrong",
        kinds=MEDICAL),
    row("registered-no-relationship", {"registered_household[0].relationship": DROP}, "error",
        "registered_household[0].relationship", "is required", kinds=MEDICAL),
    row("registered-since-impossible", {"registered_household[0].registered_since": "2012-02-30"},
        "error", "registered_household[0].registered_since", "is not a real date",
        kinds=MEDICAL),
    # child health
    row("no-child-health", {"child_health": DROP}, "error", "child_health", "is required",
        kinds=MEDICAL),
    row("health-missing-a-child", {"child_health": lambda tree: tree["child_health"][:1]},
        "error", "child_health", "has no entry for `leo` (Leo Ashby)", kinds=MEDICAL),
    row("health-twice-for-a-child", {"child_health[1].child": "maisie"}, "error",
        "child_health[1].child", "`maisie` is listed more than once", kinds=MEDICAL),
    row("health-unknown-child", {"child_health[0].child": "maisy"}, "error",
        "child_health[0].child", "did you mean `maisie`?", kinds=MEDICAL),
    row("registered-before-birth", {"child_health[1].registered_since": "2023-11-30"}, "error",
        "child_health[1].registered_since", "is before the child's date of birth",
        kinds=MEDICAL),
    row("no-last-seen", {"child_health[0].last_seen": DROP}, "error",
        "child_health[0].last_seen", "when the child was last seen at the practice",
        kinds=MEDICAL),
    row("last-seen-without-a-date", {"child_health[0].last_seen.date": DROP}, "error",
        "child_health[0].last_seen.date", "is required", kinds=MEDICAL),
    row("no-immunisations", {"child_health[0].immunisations": DROP}, "error",
        "child_health[0].immunisations", "up to date, incomplete or delayed, declined or not",
        kinds=MEDICAL),
    row("immunisations-unknown", {"child_health[0].immunisations": "mostly"}, "error",
        "child_health[0].immunisations", "`up to date`, `incomplete or delayed`",
        kinds=MEDICAL),
    row("immunisations-delayed-without-details",
        {"child_health[1].immunisation_details": DROP}, "error",
        "child_health[1].immunisation_details", "is required when immunisations are not up to",
        kinds=MEDICAL),
    row("immunisations-not-known-without-details",
        {"child_health[0].immunisations": "not known", "child_health[0].immunisation_details": ""},
        "error", "child_health[0].immunisation_details", "which, and what is planned",
        kinds=MEDICAL),
    row("no-conditions", {"child_health[1].conditions": DROP}, "error",
        "child_health[1].conditions", "is required", kinds=MEDICAL),
    row("consultations-negative", {"child_health[0].consultations_12_months": "-1"}, "error",
        "child_health[0].consultations_12_months", "a whole number of 0 or more", kinds=MEDICAL),
    row("consultations-words", {"child_health[0].consultations_12_months": "a few"}, "error",
        "child_health[0].consultations_12_months", "a whole number of 0 or more", kinds=MEDICAL),
    row("missed-appointment-no-service",
        {"child_health[1].missed_appointments[0].service": DROP}, "error",
        "child_health[1].missed_appointments[0].service", "is required", kinds=MEDICAL),
    row("missed-appointment-no-date", {"child_health[1].missed_appointments[0].date": DROP},
        "error", "child_health[1].missed_appointments[0].date", "is required", kinds=MEDICAL),
    row("urgent-care-no-reason", {"child_health[1].urgent_care[0].reason": DROP}, "error",
        "child_health[1].urgent_care[0].reason", "is required", kinds=MEDICAL),
    row("urgent-care-no-setting", {"child_health[1].urgent_care[0].setting": ""}, "error",
        "child_health[1].urgent_care[0].setting", "is required", kinds=MEDICAL),
    row("urgent-care-date-words", {"child_health[1].urgent_care[0].date": "last week"},
        "error", "child_health[1].urgent_care[0].date", "write it as YYYY-MM-DD", kinds=MEDICAL),
    row("check-date-impossible", {"child_health[1].development_checks[0].date": "2024-02-30"},
        "error", "child_health[1].development_checks[0].date", "is not a real date",
        kinds=MEDICAL),
    row("admission-date-impossible", {"child_health[0].admissions[0].date": "31/09/2022"},
        "error", "child_health[0].admissions[0].date", "is not a real date", kinds=MEDICAL),
    # carer health
    row("no-carer-health", {"carer_health": DROP}, "error", "carer_health", "is required",
        kinds=MEDICAL),
    row("carer-not-in-the-registered-household", {"carer_health[0].name": "Kerry Smith"},
        "warning", "carer_health[0].name", "Kerry Smith is not in the registered household",
        kinds=MEDICAL),
    row("carer-mental-health-current-no-impact",
        {"carer_health[0].mental_health.impact": DROP}, "error",
        "carer_health[0].mental_health.impact",
        "is required when the status is current: the impact on parenting", kinds=MEDICAL),
    row("carer-domestic-abuse-current-no-impact",
        {"carer_health[0].domestic_abuse.impact": " "}, "error",
        "carer_health[0].domestic_abuse.impact", "is required when the status is current",
        kinds=MEDICAL),
    row("carer-substance-use-past-no-impact",
        {"carer_health[0].substance_use": {"status": "Past"}}, "error",
        "carer_health[0].substance_use.impact", "is required when the status is past",
        kinds=MEDICAL),
    row("carer-status-unknown", {"carer_health[0].substance_use.status": "none"}, "error",
        "carer_health[0].substance_use.status", "`no concerns known`, `current`, `past`",
        kinds=MEDICAL),
    row("carer-no-mental-health", {"carer_health[0].mental_health": DROP}, "error",
        "carer_health[0].mental_health", "is required", kinds=MEDICAL),
    row("carer-withheld-without-confidential",
        {"carer_health[0].withhold_from_family": "yes", "confidential": {"present": "no"}},
        "error", "carer_health[0].withhold_from_family", "`confidential.present` is no",
        kinds=MEDICAL),
    # what one adult disclosed about another is for the chair, not the family's copy
    row("carer-domestic-abuse-current-in-the-familys-copy",
        {"carer_health[0].withhold_from_family": "no"}, "warning",
        "carer_health[0].domestic_abuse", "normally given to the chair only", kinds=MEDICAL),
    row("carer-domestic-abuse-current-withhold-not-given",
        {"carer_health[0].withhold_from_family": DROP}, "warning",
        "carer_health[0].domestic_abuse", "unless that adult agreed to it being shared",
        kinds=MEDICAL),
    row("pre-birth-no-carer-pregnancy", PRE_BIRTH, "warning", "carer_health",
        "no carer has a `pregnancy_edd`", kinds=MEDICAL),
    row("pre-birth-pregnancy-differs",
        {**PRE_BIRTH, "carer_health[0].pregnancy_edd": "2025-05-08"}, "warning",
        "carer_health[0].pregnancy_edd", "differs from the unborn child's expected date",
        kinds=MEDICAL),
    row("pregnancy-edd-impossible", {"carer_health[0].pregnancy_edd": "2025-02-29"}, "error",
        "carer_health[0].pregnancy_edd", "is not a real date", kinds=MEDICAL),
    # information sharing
    row("not-informed-but-shared",
        {"information_sharing.basis": "not informed: would increase risk"}, "error",
        "information_sharing.basis", "`sharing.shared` says the report has been shared",
        kinds=MEDICAL),
    row("basis-unknown", {"information_sharing.basis": "consent"}, "error",
        "information_sharing.basis", "`parents informed and agree`", kinds=MEDICAL),
    row("no-information-sharing", {"information_sharing": DROP}, "error",
        "information_sharing", "is required", kinds=MEDICAL),
)
# fmt: on


@pytest.mark.parametrize(CASE, RULES)
def test_a_broken_gp_rule_is_reported(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


# fmt: off
CLEAN = [
    pytest.param({"carer_health[0].name": "KERRY FENWICK"}, id="carer-name-any-case"),
    pytest.param({"carer_health": []}, id="no-carers"),
    pytest.param({"registered_household": [], "carer_health": []}, id="nobody-registered"),
    pytest.param({"scaling.scores[1].score": DROP}, id="no-score-with-a-reason"),
    pytest.param({"child_health[0]": {
        "child": "maisie", "registered": "no",
        "conditions": "Not registered here; the school has told us she has asthma."}},
        id="unregistered-child-needs-only-conditions"),
    pytest.param({"child_health[1].development_checks[1].date": "not recorded"},
                 id="check-date-as-words"),
    pytest.param({"child_health[1].registered_since": "2023-12-02"},
                 id="registered-on-the-day-of-birth"),
    pytest.param({"child_health[1].immunisations": "up to date",
                  "child_health[1].immunisation_details": DROP}, id="up-to-date-needs-no-details"),
    pytest.param({"practice.gmc_number": DROP, "practice.usual_gp": DROP}, id="gmc-optional"),
    pytest.param({"practice.attendance": "Attending Virtually"}, id="attendance-any-case"),
    pytest.param({**NOT_SHARED, "information_sharing.basis": "not informed: would increase risk"},
                 id="not-informed-not-shared"),
    pytest.param({"conference.type": "transfer-in"}, id="transfer-in"),
    pytest.param({**PRE_BIRTH, "carer_health[0].pregnancy_edd": "1/5/2025",
                  "child_health[1].last_seen": DROP, "child_health[1].immunisations": DROP,
                  "child_health[1].immunisation_details": DROP},
                 id="pre-birth-with-the-matching-pregnancy"),
    pytest.param({**REVIEW, "scaling.scores[0].previous": "4"}, id="review-with-a-previous-score"),
]
# fmt: on


@pytest.mark.parametrize("changes", CLEAN)
def test_a_valid_gp_report_has_no_findings(work, changes):
    # a review's due date is 5 working days before (5 March): count 2 so the example is on time
    checked = check_tree(work, changed("medical", changes), DueDays(initial=2, review=2))
    assert checked.findings == [], listing(checked.findings)


def test_a_gp_report_to_a_review_is_due_five_working_days_before(work):
    checked = check_tree(work, changed("medical", REVIEW))
    assert checked.due_days == 5
    assert_finding(
        checked.findings, "warning", "report.sent_to_chair", "after the due date, 5 March 2025"
    )


def test_a_gp_may_leave_out_the_family_blocks_and_the_author_attending(work):
    checked = check_tree(
        work,
        changed(
            "medical",
            {
                "household": DROP,
                "child_voice": DROP,
                "family_views": DROP,
            },
        ),
    )
    assert checked.findings == [], listing(checked.findings)
    assert value_at(checked.model, "child_voice") == []


def test_a_gp_s_harm_may_say_there_is_no_record(work):
    found = findings(
        work,
        "medical",
        {
            "worries.harm": "The practice holds no record of harm to either child.",
        },
    )
    assert found == [], listing(found)


def test_a_medical_review_previous_date_reaches_the_rules_once(work):
    # the rule added for a GP's review: only one finding even when both rules could see it
    found = findings(work, "medical", review({"conference.previous_date": "2025-03-12"}))
    assert [f.path for f in found if f.severity == "error"] == ["conference.previous_date"]
