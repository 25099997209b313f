"""Every rule of input-format.md, broken one at a time from a valid example, is reported.

Each case starts from the example input of a kind, changes a few values, and checks the
finding: its severity, the exact dotted path, and a fragment of a message a practitioner can
act on. The shared blocks are broken in every kind; ICPC's own blocks, the types, unknown
keys, deadlines, line numbers and "every error in one run" are here too. The review (rcpc)
and GP (medical) blocks are in test_rules_rcpc.py and test_rules_medical.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sos_reports.commands.reports import validate
from sos_reports.errors import SosError
from sos_reports.support.deadlines import DueDays
from tests.helpers.examples import example_tree, write_yaml
from tests.helpers.kinds import (
    AGENCY,
    KINDS,
    REPORTS,
    kinds_checking,
    kinds_offering,
    kinds_with,
    kinds_without,
)
from tests.helpers.rules import (
    CASE,
    DROP,
    assert_finding,
    changed,
    check_tree,
    day,
    findings,
    get,
    listing,
    row,
    table,
    tree_of,
    value_at,
)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: each check rewrites the same input file."""
    return tmp_path_factory.mktemp("rules")


# --- the examples -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_examples_are_valid_without_warnings(work: Path, kind: str) -> None:
    checked = check_tree(work, tree_of(kind))
    assert checked.findings == [], listing(checked.findings)
    assert checked.model is not None


# --- types ----------------------------------------------------------------------------------

SCORE = "scaling.scores[1].score"
NEEDS_SCORE = "a whole number from 0 to 10 is needed"

# fmt: off
TYPES = table(
    # score
    *(
        row(f"score-{value}", {SCORE: value}, "error", SCORE, NEEDS_SCORE)
        for value in ("11", "-1", "4.5", "4/10", "four", "yes", "10.5")
    ),
    row("score-json-11", {SCORE: 11}, "error", SCORE, NEEDS_SCORE, kinds=["icpc"]),
    row("score-json-4.5", {SCORE: 4.5}, "error", SCORE, NEEDS_SCORE, kinds=["icpc"]),
    row("score-json-true", {SCORE: True}, "error", SCORE, NEEDS_SCORE, kinds=["icpc"]),
    row("score-missing", {SCORE: DROP}, "error", SCORE, "is required",
        kinds=kinds_with(SCORE, required=True)),
    # dates
    *(
        row(
            f"date-{value.replace('/', '.')}",
            {"report.sent_to_chair": value},
            "error",
            "report.sent_to_chair",
            "is not a real date",
            kinds=["icpc"],
        )
        for value in ("31/02/2026", "2025-13-01", "03/31/2025", "2025-02-29", "0/3/2025")
    ),
    *(
        row(
            f"not-a-date-{value.replace('/', '.')}",
            {"report.sent_to_chair": value},
            "error",
            "report.sent_to_chair",
            "write it as YYYY-MM-DD or DD/MM/YYYY",
            kinds=["icpc"],
        )
        for value in ("7 March 2025", "7/3/25", "2025/03/07", "07.03.2025", "2025-3-7", "soon")
    ),
    row(
        "date-or-text-impossible-date",
        {"needs_to_happen.next_steps[1].by": "31/04/2026"},
        "error",
        "needs_to_happen.next_steps[1].by",
        "is not a real date",
    ),
    # yes/no
    *(
        row(
            f"bool-{value}",
            {"confidential.present": value},
            "error",
            "confidential.present",
            "should be yes or no",
        )
        for value in ("1", "0", "on", "off", "t", "f", "si")
    ),
    row("bool-json-1", {"confidential.present": 1}, "error", "confidential.present", "yes or no"),
    # choices
    row(
        "choice-misspelt",
        {"conference.type": "intial"},
        "error",
        "conference.type",
        "did you mean `initial`?",
        kinds=kinds_offering("initial"),
    ),
    row(
        "choice-unknown-lists-the-values",
        {"child_voice[0].method": "interview"},
        "error",
        "child_voice[0].method",
        "`direct conversation`, `three houses`",
    ),
    # text
    row(
        "text-with-a-newline",
        {"author.name": "Joanna\nPryce"},
        "error",
        "author.name",
        "must be on one line",
    ),
    row(
        "text-with-a-word-line-break",
        {"author.role": "Designated\x0bSafeguarding Lead"},
        "error",
        "author.role",
        "must be on one line",
    ),
    row("text-blank-required", {"author.base": "   "}, "error", "author.base", "is required"),
    row("text-as-a-block", {"author.phone": {"home": "1"}}, "error", "author.phone", "not a block"),
    row("text-as-a-list", {"author.phone": ["1", "2"]}, "error", "author.phone", "not a list"),
    row("text-as-json-bool", {"author.phone": True}, "error", "author.phone", "put it in quotes"),
    # e-mail
    *(
        row(
            f"email-{value}",
            {"author.email": value},
            "error",
            "author.email",
            "is not a valid e-mail address",
        )
        for value in (
            "dsl@@thornby.example", "dsl.thornby.example", "dsl@thornby", "d sl@x.example",
        )
    ),
    # NHS number
    row(
        "nhs-check-digit",
        {"children[0].nhs_number": "999 027 3155"},
        "error",
        "children[0].nhs_number",
        "its check digit is wrong",
    ),
    row(
        "nhs-check-digit-of-ten",
        # 999 000 000 has a check digit of 10, which no NHS number can have
        {"children[0].nhs_number": "9990000000"},
        "error",
        "children[0].nhs_number",
        "check digit",
    ),
    row(
        "nhs-nine-digits",
        {"children[0].nhs_number": "999 027 315"},
        "error",
        "children[0].nhs_number",
        "needs 10 digits",
    ),
    row(
        "nhs-letters",
        {"children[0].nhs_number": "NHS 999 027 3154"},
        "error",
        "children[0].nhs_number",
        "needs 10 digits",
    ),
    # whole numbers
    row("format-version-2", {"format_version": "2"}, "error", "format_version", "format_version 1"),
    row("format-version-words", {"format_version": "one"}, "error", "format_version", "version 1"),
    # child references
    row(
        "child-unknown-with-a-hint",
        {"scaling.scores[1].child": "leon"},
        "error",
        "scaling.scores[1].child",
        "there is no child with id `leon`; did you mean `leo`?",
    ),
    row(
        "child-unknown-lists-the-ids",
        {"worries.danger_statements[0].children": ["maisie", "sam"]},
        "error",
        "worries.danger_statements[0].children[1]",
        "The children's ids are: `maisie`, `leo`",
    ),
    row(
        "child-unknown-in-parental-responsibility",
        {"household[1].parental_responsibility_for": ["Leo"]},
        "error",
        "household[1].parental_responsibility_for[0]",
        "no child with id `Leo`",
    ),
    row(
        "child-id-with-a-space",
        {"children[0].id": "maisie f"},
        "error",
        "children[0].id",
        "use letters, digits, - and _ only",
    ),
)
# fmt: on


@pytest.mark.parametrize(CASE, TYPES)
def test_a_value_of_the_wrong_type_is_refused(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


# fmt: off
ACCEPTED = [
    # (kind, changes, path, the value the model holds)
    pytest.param("icpc", {SCORE: "4.0"}, SCORE, 4, id="score-4.0-as-excel-stores-it"),
    pytest.param("icpc", {SCORE: 7.0}, SCORE, 7, id="score-json-7.0"),
    pytest.param("icpc", {SCORE: " 10 "}, SCORE, 10, id="score-10-with-spaces"),
    pytest.param("icpc", {SCORE: "0"}, SCORE, 0, id="score-0"),
    pytest.param(
        "icpc", {"report.sent_to_chair": "7/3/2025"}, "report.sent_to_chair",
        dt.date(2025, 3, 7), id="date-uk-day-first",
    ),
    pytest.param(
        "icpc", {"report.sent_to_chair": "07/03/2025"}, "report.sent_to_chair",
        dt.date(2025, 3, 7), id="date-uk-zero-padded",
    ),
    pytest.param(
        "icpc", {"needs_to_happen.next_steps[1].by": "31/3/2025"},
        "needs_to_happen.next_steps[1].by", dt.date(2025, 3, 31), id="date-or-text-as-date",
    ),
    pytest.param(
        "icpc", {"needs_to_happen.next_steps[1].by": "end of term"},
        "needs_to_happen.next_steps[1].by", "end of term", id="date-or-text-as-text",
    ),
    *(
        pytest.param(
            "icpc", {"author.attending": spelling}, "author.attending", meaning,
            id=f"bool-{spelling}",
        )
        for spelling, meaning in (
            ("yes", True), ("Y", True), ("TRUE", True), ("FALSE", False), ("no", False),
            ("n", False), (" No ", False), (True, True),
        )
    ),
    pytest.param(
        "icpc", {"conference.type": "INITIAL"}, "conference.type", "initial",
        id="choice-value-any-case",
    ),
    pytest.param(
        "icpc", {"conference.type": "  Initial CHILD  protection conference "},
        "conference.type", "initial", id="choice-label-any-case-and-spaces",
    ),
    pytest.param(
        "icpc", {"child_voice[0].method": "Three Houses"}, "child_voice[0].method",
        "three houses", id="choice-label-of-a-method",
    ),
    pytest.param(
        "icpc", {"sharing.with[0].method": "VIA SOCIAL WORKER"}, "sharing.with[0].method",
        "via social worker", id="choice-sharing-method",
    ),
    pytest.param(
        "icpc", {"author.phone": 1609000111}, "author.phone", "1609000111",
        id="text-json-number-as-digits",
    ),
    pytest.param(
        "icpc", {"children[0].religion": "no"}, "children[0].religion", "no",
        id="text-no-is-the-word",
    ),
    *[
        pytest.param(
            "icpc", {"household[0].parental_responsibility": typed},
            "household[0].parental_responsibility", meant, id=f"yes-no-not-known-{typed}",
        )
        for typed, meant in ((True, "yes"), (False, "no"), ("TRUE", "yes"), ("false", "no"),
                             ("Y", "yes"), ("n", "no"), ("Not Known", "not known"))
    ],
    pytest.param(
        "icpc", {"author.name": "  Ms\tJoanna Pryce  "}, "author.name", "Ms\tJoanna Pryce",
        id="text-trimmed-tab-kept",
    ),
    pytest.param(
        "icpc", {"worries.complicating_factors": "Low mood.\x0bRent arrears.\u2029Attendance."},
        "worries.complicating_factors", "Low mood.\nRent arrears.\n\nAttendance.",
        id="mtext-word-breaks",
    ),
    pytest.param(
        "icpc", {"author.email": "DSL@Thornby-Primary.example.gov.uk"}, "author.email",
        "DSL@Thornby-Primary.example.gov.uk", id="email-kept-as-typed",
    ),
    pytest.param(
        "icpc", {"children[0].nhs_number": "999 027 3154"}, "children[0].nhs_number",
        "999 027 3154", id="nhs-valid-with-spaces",
    ),
    pytest.param(
        "icpc", {"children[0].nhs_number": "9990273154"}, "children[0].nhs_number",
        "9990273154", id="nhs-valid-without-spaces",
    ),
    pytest.param(
        "medical", {"practice.gmc_number": "0000000"}, "practice.gmc_number", "0000000",
        id="gmc-leading-zeros-kept",
    ),
    pytest.param("icpc", {"format_version": "1.0"}, "format_version", 1, id="format-version-1.0"),
    pytest.param(
        "icpc", {"conference.time": "10:00"}, "conference.time", "10:00", id="time-stays-text"
    ),
]
# fmt: on


@pytest.mark.parametrize(("kind", "changes", "path", "expected"), ACCEPTED)
def test_an_accepted_spelling_is_read_as_meant(work, kind, changes, path, expected):
    checked = check_tree(work, changed(kind, changes))
    assert checked.findings == [], listing(checked.findings)
    got = value_at(checked.model, path)
    assert got == expected
    assert type(got) is type(expected) or isinstance(got, type(expected))


def test_a_choice_is_stored_as_its_value_and_printed_with_its_label(work):
    checked = check_tree(
        work, changed("icpc", {"conference.type": "initial child protection conference"})
    )
    assert checked.model is not None
    assert checked.model.conference.type == "initial"
    assert checked.model.conference.type.label == "Initial child protection conference"


# fmt: off
XML_INVALID = [
    pytest.param(char, path, id=f"U+{ord(char):04X}-{path}")
    for chars, path in (
        ("\x00\x07\x08\x0c\x0e\x1b\x1f\ufffe\uffff\ud800", "author.role"),  # text
        ("\x00\x0c\x1f\ufffe\ud800", "worries.harm"),  # mtext
        ("\x07", "scaling.scores[0].reason"),
        ("\x07", "sharing.with[0].name"),
    )
    for char in chars
]
# fmt: on


@pytest.mark.parametrize(("char", "path"), XML_INVALID)
def test_a_character_xml_cannot_hold_is_refused_naming_its_position(work, char, path):
    found = findings(work, "icpc", {path: f"Lead{char} text"})
    hit = assert_finding(found, "error", path, f"U+{ord(char):04X} at position 5")
    assert "delete it" in hit.message


def test_the_position_of_a_bad_character_counts_windows_line_breaks_as_typed(work):
    found = findings(work, "icpc", {"worries.harm": "ab\r\ncd\x07"})
    assert_finding(found, "error", "worries.harm", "U+0007 at position 7")


def test_a_tab_and_ordinary_unicode_are_text(work):
    text = "Kerry\tsaid: “diolch” & <ok> {{ x }} {% if %} 😊 مرحبا"
    checked = check_tree(work, changed("icpc", {"worries.complicating_factors": text}))
    assert checked.findings == [], listing(checked.findings)
    assert checked.model.worries.complicating_factors == text


# --- unknown keys and another kind's keys ----------------------------------------------------


def belongs(path: str) -> str:
    """What the error says of a key of other kinds: the kinds whose model has it."""
    return f"belongs to {' and '.join(kinds_with(path))} reports"


# fmt: off
UNKNOWN = table(
    row("top-level-typo", {"worrys": {"harm": "x"}}, "error", "worrys",
        "unknown field `worrys` in the top level; did you mean `worries`?"),
    row("block-typo", {"conference.chiar": "Sam Okafor"}, "error", "conference.chiar",
        "did you mean `chair`?"),
    row("list-entry-typo", {"scaling.scores[0].scroe": "4"}, "error", "scaling.scores[0].scroe",
        "unknown field `scroe` in `scaling.scores[0]`; did you mean `score`?"),
    row("nothing-like-it", {"author.favourite_colour": "blue"}, "error",
        "author.favourite_colour", "unknown field `favourite_colour` in `author`"),
    # a key of another kind says which kinds use it
    row("core-group-in-icpc", {"core_group": []}, "error", "core_group",
        belongs("core_group"), kinds=kinds_without("core_group")),
    row("remaining-concerns-in-icpc", {"worries.remaining_concerns": "x"}, "error",
        "worries.remaining_concerns", belongs("worries.remaining_concerns"), kinds=kinds_without("worries.remaining_concerns")),
    row("progress-outside-rcpc", {"working_well.progress": "x"}, "error",
        "working_well.progress", belongs("working_well.progress"), kinds=kinds_without("working_well.progress")),
    row("previous-score-in-icpc", {"scaling.scores[0].previous": "3"}, "error",
        "scaling.scores[0].previous", belongs("scaling.scores[0].previous"), kinds=kinds_without("scaling.scores[0].previous")),
    row("initial-date-outside-rcpc", {"conference.initial_date": "2025-01-08"}, "error",
        "conference.initial_date", belongs("conference.initial_date"), kinds=kinds_without("conference.initial_date")),
    row("view-on-plan-outside-icpc", {"view_on_plan": []}, "error", "view_on_plan",
        belongs("view_on_plan"), kinds=kinds_without("view_on_plan")),
    row("involvement-in-medical", {"involvement": {}}, "error", "involvement",
        belongs("involvement"), kinds=kinds_without("involvement")),
    row("attending-in-medical", {"author.attending": "yes"}, "error", "author.attending",
        belongs("author.attending"), kinds=kinds_without("author.attending")),
    row("presenting-in-medical", {"author.presenting": "Dr Mehra"}, "error",
        "author.presenting", belongs("author.presenting"), kinds=kinds_without("author.presenting")),
    row("practice-outside-medical", {"practice": {}}, "error", "practice",
        belongs("practice"), kinds=kinds_without("practice")),
    row("child-health-outside-medical", {"child_health": []}, "error", "child_health",
        belongs("child_health"), kinds=kinds_without("child_health")),
)
# fmt: on


@pytest.mark.parametrize(CASE, UNKNOWN)
def test_an_unknown_key_is_refused_with_a_hint(work, kind, changes, severity, path, fragment):
    hit = assert_finding(findings(work, kind, changes), severity, path, fragment)
    assert hit.code == "unknown"


def test_another_kinds_key_is_named_in_good_english(work):
    found = findings(work, "icpc", {"core_group": []})
    assert_finding(found, "error", "core_group", "is not used in an icpc report")


def test_a_wrong_kind_is_refused_listing_the_kinds(work):
    found = findings(work, "icpc", {"kind": "icpx"})
    assert_finding(found, "error", "kind", "use one of `icpc`, `rcpc`, `medical`")


@pytest.mark.parametrize("kind_spelling", ["ICPC", " icpc "])
def test_the_kind_is_a_choice_in_any_case(work, kind_spelling):
    checked = check_tree(work, changed("icpc", {"kind": kind_spelling}))
    assert checked.findings == [] and checked.kind == "icpc"


def test_a_missing_kind_is_refused(work):
    assert_finding(findings(work, "icpc", {"kind": DROP}), "error", "kind", "is required")


# --- required keys ----------------------------------------------------------------------------

ALWAYS = [
    "conference",
    "author",
    "report",
    "sharing",
    "children",
    "worries",
    "working_well",
    "needs_to_happen",
    "scaling",
    "confidential",
    "sign_off",
]
# fmt: off
REQUIRED = table(
    *(
        row(f"no-{key}", {key: DROP}, "error", key, "is required",
            kinds=kinds_with(key, required=True))
        for key in ALWAYS
    ),
    *(
        row(f"no-{key}", {key: DROP}, "error", key, "is required",
            kinds=kinds_with(key, required=True))
        for key in ("household", "child_voice", "family_views", "involvement")
    ),
    *(
        row(f"no-{path}", {path: DROP}, "error", path, "is required",
            kinds=kinds_with(path, required=True))
        for path in (
            "conference.type", "conference.date", "author.name", "author.role", "author.agency",
            "author.base", "author.phone", "author.email", "report.date", "sharing.shared",
            "sharing.with[0].name", "sharing.with[0].relationship", "sharing.with[0].shared",
            "children[0].id", "children[0].name", "children[0].gender", "children[0].ethnicity",
            "children[0].first_language", "household[0].name", "household[0].relationship",
            "household[0].parental_responsibility", "household[0].in_household",
            "worries.harm", "worries.danger_statements", "worries.danger_statements[0].text",
            "working_well.strengths", "needs_to_happen.safety_goals",
            "needs_to_happen.next_steps", "needs_to_happen.next_steps[0].action",
            "needs_to_happen.next_steps[0].who", "needs_to_happen.next_steps[0].by",
            "child_voice[0].child", "child_voice[0].views", "child_voice[0].method",
            "scaling.scores", "scaling.scores[0].child", "scaling.scores[0].reason",
            "confidential.present", "sign_off.name", "sign_off.date",
        )
    ),
    row("no-author-attending", {"author.attending": DROP}, "error", "author.attending",
        "is required", kinds=kinds_with("author.attending", required=True)),
    *(
        row(f"no-{path}", {path: DROP}, "error", path, "is required",
            kinds=kinds_with(path, required=True))
        for path in ("involvement.reason", "involvement.help_offered", "involvement.last_seen")
    ),
    row("blank-harm", {"worries.harm": " \n \n"}, "error", "worries.harm", "is required"),
    row("blank-strengths", {"working_well.strengths": ""}, "error", "working_well.strengths",
        "is required"),
    *(
        row(f"empty-{path}", {path: []}, "error", path, "needs at least one entry")
        for path in (
            "children", "worries.danger_statements", "needs_to_happen.safety_goals",
            "needs_to_happen.next_steps",
        )
    ),
    row("blank-safety-goal", {"needs_to_happen.safety_goals[0]": "  "}, "error",
        "needs_to_happen.safety_goals[0]", "is required"),
)
# fmt: on


@pytest.mark.parametrize(CASE, REQUIRED)
def test_a_required_key_left_out_is_refused(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


@pytest.mark.parametrize("key", ["household", "child_voice", "family_views"])
def test_the_family_blocks_are_optional_for_a_gp(work, key):
    checked = check_tree(work, changed("medical", {key: DROP}))
    assert checked.findings == [], listing(checked.findings)


@pytest.mark.parametrize(
    "changes",
    [
        {"conference.time": DROP, "conference.venue": DROP, "conference.chair": DROP},
        {"marking": DROP, "family_address": DROP, "format_version": DROP},
        {
            "report.sent_to_chair": DROP,
            "sharing.family_comments": DROP,
            "sharing.with": DROP,
            "sharing.not_shared_reason": DROP,  # nobody left without the report
        },
        {"children[0].religion": DROP, "children[0].disability": DROP, "children[0].setting": ""},
        {"worries.complicating_factors": DROP, "working_well.existing_safety": DROP},
        {"scaling.question": DROP, "scaling.ten_means": "", "scaling.zero_means": DROP},
        {"sign_off.countersigned_by": DROP, "sign_off.countersigned_date": DROP},
        {"view_on_plan": DROP},
        {"view_on_plan": lambda tree: tree["view_on_plan"][:1]},
    ],
    ids=[
        "conference",
        "top-level",
        "sharing",
        "child",
        "worries",
        "scaling",
        "sign-off",
        "no-view-on-plan",
        "one-view-on-plan",
    ],
)
def test_optional_keys_may_be_left_out(work, changes):
    checked = check_tree(work, changed("icpc", changes))
    assert checked.findings == [], listing(checked.findings)


# --- the shared blocks, broken in every kind -------------------------------------------------

NOT_SHARED = {"sharing": {"shared": "no"}}
# fmt: off
SHARED_BLOCKS = table(
    # conference
    row("conference-date-impossible", {"conference.date": "30/02/2025"}, "error",
        "conference.date", "is not a real date"),
    row("pre-birth-without-an-unborn-child", {"conference.type": "pre-birth"}, "error",
        "conference.type", "none of the children is unborn", kinds=kinds_offering("pre-birth")),
    # author
    row("not-attending-nobody-presenting",
        {"author.attending": "no", "author.presenting": DROP}, "error", "author.presenting",
        "is required when the author is not attending", kinds=AGENCY),
    row("not-attending-presenting-blank",
        {"author.attending": "n", "author.presenting": " "}, "error", "author.presenting",
        "who presents the report, or 'report only'", kinds=AGENCY),
    # report
    row("report-after-the-conference", {"report.date": day("conference.date", 1)}, "error",
        "report.date", "is after the conference"),
    row("report-on-the-conference-day", {"report.date": day("conference.date")}, "warning",
        "report.date", "is the day of the conference"),
    row("sent-before-the-report", {"report.sent_to_chair": day("report.date", -1)}, "error",
        "report.sent_to_chair", "is before the report date"),
    row("sent-after-the-conference", {"report.sent_to_chair": day("conference.date", 1)},
        "error", "report.sent_to_chair", "is after the conference"),
    # sharing
    row("shared-without-a-date", {"sharing.date": DROP}, "error", "sharing.date",
        "is required when the report has been shared"),
    row("shared-before-the-report", {"sharing.date": day("report.date", -1)}, "error",
        "sharing.date", "is before the report date"),
    row("shared-after-the-conference", {"sharing.date": day("conference.date", 1)}, "error",
        "sharing.date", "is after the conference"),
    row("not-shared-no-plan-no-reason", NOT_SHARED, "error", "sharing",
        "give `planned_date` (when it will be) or `not_shared_reason`", kinds=REPORTS),
    row("planned-after-the-conference",
        {**NOT_SHARED, "sharing.planned_date": day("conference.date", 1)}, "error",
        "sharing.planned_date", "is after the conference"),
    row("given-without-a-method",
        {"sharing.with[1].shared": "yes", "sharing.with[1].method": DROP}, "error",
        "sharing.with[1].method", "how Dean Ashby was given the report"),
    row("method-unknown",
        {"sharing.with[1].shared": "no", "sharing.with[1].method": "carrier pigeon"}, "error",
        "sharing.with[1].method", "`in person`, `phone`, `video`, `post`, `email`"),
    row("someone-not-given-it-no-reason",
        {"sharing.with[1].shared": "no", "sharing.not_shared_reason": DROP}, "error",
        "sharing.not_shared_reason", "the report was not given to Dean Ashby; say why"),
    row("entry-shared-while-not-shared",
        {"sharing": {"shared": "no", "not_shared_reason": "It will be shared on Monday.",
                     "with": [{"name": "Kerry Fenwick", "relationship": "Mother",
                               "shared": "yes", "method": "phone"}]}},
        "error", "sharing.with[0].shared", "`sharing.shared` says it has not been shared",
        kinds=REPORTS),
    # children
    row("no-dob-no-edd", {"children[0].dob": DROP}, "error", "children[0].dob",
        "is required: Maisie Fenwick's date of birth"),
    row("born-after-the-report", {"children[1].dob": day("report.date", 1)}, "error",
        "children[1].dob", "is after the report date", kinds=REPORTS),
    row("eighteen-on-the-day", {"children[0].dob": day("conference.date", years=-18)}, "error",
        "children[0].dob", "18 or over on the conference date"),
    row("unborn-without-edd", {"children[1].gender": "unborn", "children[1].dob": DROP},
        "error", "children[1].edd", "is required for an unborn child"),
    row("unborn-with-a-dob",
        {"children[1].gender": "Unborn", "children[1].edd": day("conference.date", 60)},
        "error", "children[1].dob", "an unborn child has an expected date of delivery"),
    row("edd-of-a-born-child", {"children[1].edd": day("conference.date", 60)}, "error",
        "children[1].edd", "is only for an unborn child"),
    row("edd-before-the-report",
        {"children[1].gender": "unborn", "children[1].dob": DROP,
         "children[1].edd": day("report.date", -1)},
        "warning", "children[1].edd", "has the baby been born?", kinds=REPORTS),
    row("id-used-twice", {"children[1].id": "maisie"}, "error", "children[1].id",
        "is used for two children"),
    row("gender-unknown", {"children[0].gender": "girl"}, "error", "children[0].gender",
        "is not one of: `female`, `male`, `other`, `not known`, `unborn`"),
    # household
    row("responsibility-for-without-responsibility",
        {"household[0].parental_responsibility": "not known",
         "household[0].parental_responsibility_for": ["maisie"]},
        "error", "household[0].parental_responsibility_for", "`parental_responsibility: yes`"),
    row("responsibility-maybe", {"household[0].parental_responsibility": "maybe"}, "error",
        "household[0].parental_responsibility", "`yes`, `no`, `not known`"),
    row("withheld-without-confidential",
        {"household[2].withhold_from_family": "yes", "confidential": {"present": "no"}},
        "error", "household[2].withhold_from_family", "`confidential.present` is no"),
    row("household-empty", {"household": []}, "error", "household",
        "needs at least one person", kinds=kinds_checking("family_household_rules")),
    row("household-no-one-with-responsibility",
        {"household": lambda tree: [{**person, "parental_responsibility": "not known",
                                     "parental_responsibility_for": []}
                                    for person in tree["household"]]},
        "warning", "household", "no one here has parental responsibility",
        kinds=kinds_checking("family_household_rules")),
    # worries, working well, needs to happen
    row("four-danger-statements",
        {"worries.danger_statements": lambda tree: [
            {"text": f"Danger statement {n}."} for n in range(1, 5)]},
        "warning", "worries.danger_statements", "aim for no more than three"),
    row("more-goals-than-dangers",
        {"needs_to_happen.safety_goals": lambda tree: [
            *tree["needs_to_happen"]["safety_goals"], "Kerry will have support for her mood."]},
        "warning", "needs_to_happen.safety_goals",
        "each danger statement usually has its own goal"),
    row("next-step-before-the-report",
        {"needs_to_happen.next_steps[0].by": day("report.date", -1)}, "warning",
        "needs_to_happen.next_steps[0].by", "is before the report date", kinds=REPORTS),
    # child's voice
    row("voice-missing-a-child", {"child_voice": lambda tree: tree["child_voice"][:1]}, "error",
        "child_voice", "has no entry for `leo` (Leo Ashby); every child needs one"),
    row("voice-twice-for-a-child", {"child_voice[1].child": "maisie"}, "error",
        "child_voice[1].child", "`maisie` is listed more than once"),
    row("voice-not-gathered-no-reason",
        {"child_voice[0].method": "Not gathered", "child_voice[0].not_gathered_reason": DROP},
        "error", "child_voice[0].not_gathered_reason", "say why, and describe the child's daily"),
    # scaling
    row("score-missing-a-child", {"scaling.scores": lambda tree: tree["scaling"]["scores"][1:]},
        "error", "scaling.scores", "has no entry for `maisie`", kinds=REPORTS),
    row("score-twice-for-a-child", {"scaling.scores[1].child": "maisie"}, "error",
        "scaling.scores[1].child", "`maisie` is listed more than once; give each child one entry", kinds=REPORTS),
    # confidential
    *(
        row(f"confidential-without-{key}", {"confidential": {"present": "yes"}}, "error",
            f"confidential.{key}", f"is required when there is confidential information: {what}")
        for key, what in (
            ("reason", "why"), ("chair_informed", "the date the chair was told"),
            ("details", "the confidential information itself"),
        )
    ),
    row("confidential-reason-unknown",
        {"confidential": {"present": "no", "reason": "gossip"}},
        "error", "confidential.reason", "`third-party information`"),
    # sign-off
    row("countersigned-without-a-date", {"sign_off.countersigned_date": DROP}, "error",
        "sign_off.countersigned_date", "is required when the report is countersigned",
        kinds=REPORTS),
    row("countersigned-before-the-report",
        {"sign_off.countersigned_date": day("report.date", -1)}, "warning",
        "sign_off.countersigned_date", "is before the report date", kinds=REPORTS),
    row("signed-before-the-report", {"sign_off.date": day("report.date", -1)}, "warning",
        "sign_off.date", "is before the report date", kinds=REPORTS),
    row("signed-after-the-conference", {"sign_off.date": day("conference.date", 1)}, "warning",
        "sign_off.date", "is after the conference", kinds=REPORTS),
    # deadlines (see also the tests below)
    row("sent-after-the-due-date", {"report.sent_to_chair": day("conference.date", -1)},
        "warning", "report.sent_to_chair", "is after the due date"),
    row("shared-after-the-due-date", {"sharing.date": day("conference.date", -1)}, "warning",
        "sharing.date", "is after the due date"),
    row("planned-after-the-due-date",
        {**NOT_SHARED, "sharing.planned_date": day("conference.date", -1)}, "warning",
        "sharing.planned_date", "is after the due date"),
)
# fmt: on


@pytest.mark.parametrize(CASE, SHARED_BLOCKS)
def test_a_broken_rule_of_a_shared_block_is_reported(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


@pytest.mark.parametrize("kind", KINDS)
def test_a_child_just_under_eighteen_is_a_child(work, kind):
    found = findings(work, kind, {"children[0].dob": day("conference.date", 1, years=-18)})
    assert found == [], listing(found)


@pytest.mark.parametrize("kind", REPORTS)
def test_not_yet_shared_with_a_plan_or_a_reason_is_enough(work, kind):
    planned = {"sharing": {"shared": "no", "planned_date": get(tree_of(kind), "report.date")}}
    reason = {"sharing": {"shared": "no", "not_shared_reason": "The family did not attend."}}
    assert findings(work, kind, planned) == []
    assert findings(work, kind, reason) == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_unborn_child_with_an_edd_is_valid(work, kind):
    changes = {
        "children[1].gender": "unborn",
        "children[1].dob": DROP,
        "children[1].edd": day("conference.date", 60),
    }
    if kind == "medical":  # an unborn baby has no practice record to speak of
        changes["child_health[1]"] = {"child": "leo", "conditions": "Not yet born."}
    found = findings(work, kind, changes)
    # an unborn child needs no `last_seen` (icpc, rcpc) and no immunisations (medical)
    assert [f for f in found if f.severity == "error"] == [], listing(found)


# --- ICPC only ------------------------------------------------------------------------------

# fmt: off
ICPC = table(
    row("review-is-not-initial", {"conference.type": "review"}, "error", "conference.type",
        "is not one of: `initial`, `pre-birth`, `transfer-in`", kinds=["icpc"]),
    row("involved-since-after-the-report", {"involvement.since": day("report.date", 1)},
        "error", "involvement.since", "is after the report date", kinds=["icpc"]),
    row("last-seen-missing-a-child",
        {"involvement.last_seen": lambda tree: tree["involvement"]["last_seen"][1:]}, "error",
        "involvement.last_seen", "has no entry for `maisie`", kinds=["icpc"]),
    row("last-seen-twice", {"involvement.last_seen[1].child": "maisie"}, "error",
        "involvement.last_seen[1].child", "listed more than once", kinds=["icpc"]),
    row("last-seen-unknown-child", {"involvement.last_seen[1].child": "Leo"}, "error",
        "involvement.last_seen[1].child", "did you mean `leo`?", kinds=["icpc"]),
    row("last-seen-without-a-date", {"involvement.last_seen[0].date": DROP}, "error",
        "involvement.last_seen[0].date", "or give `not_seen_reason`", kinds=["icpc"]),
    row("last-seen-without-seen-alone", {"involvement.last_seen[0].seen_alone": DROP}, "error",
        "involvement.last_seen[0].seen_alone", "yes or no (or give `not_seen_reason`)",
        kinds=["icpc"]),
    row("last-seen-after-the-report", {"involvement.last_seen[0].date": day("report.date", 1)},
        "error", "involvement.last_seen[0].date", "is after the report date", kinds=["icpc"]),
    row("view-on-plan-twice", {"view_on_plan[1].child": "maisie"}, "error",
        "view_on_plan[1].child", "`maisie` has more than one view; give one per child",
        kinds=["icpc"]),
    row("view-on-plan-unknown", {"view_on_plan[0].view": "adoption"}, "error",
        "view_on_plan[0].view", "`child protection plan`, `child in need plan`", kinds=["icpc"]),
    row("view-on-plan-no-reason", {"view_on_plan[0].reason": ""}, "error",
        "view_on_plan[0].reason", "is required", kinds=["icpc"]),
    row("view-on-plan-no-child", {"view_on_plan[0].child": DROP}, "error",
        "view_on_plan[0].child", "is required", kinds=["icpc"]),
)
# fmt: on


@pytest.mark.parametrize(CASE, ICPC)
def test_a_broken_icpc_rule_is_reported(work, kind, changes, severity, path, fragment):
    assert_finding(findings(work, kind, changes), severity, path, fragment)


@pytest.mark.parametrize("conference_type", ["transfer-in", "Pre-birth"])
def test_an_icpc_is_initial_pre_birth_or_transfer_in(work, conference_type):
    changes = {"conference.type": conference_type}
    if conference_type == "Pre-birth":
        changes |= {
            "children[1].gender": "unborn",
            "children[1].dob": DROP,
            "children[1].edd": "2025-05-01",
        }
    found = findings(work, "icpc", changes)
    assert found == [], listing(found)


def test_a_child_the_agency_has_not_seen_needs_only_a_reason(work):
    found = findings(
        work,
        "icpc",
        {
            "involvement.last_seen[0]": {
                "child": "maisie",
                "not_seen_reason": "Maisie has been absent since she was enrolled.",
            }
        },
    )
    assert found == [], listing(found)


def test_an_unborn_child_needs_no_last_seen(work):
    found = findings(
        work,
        "icpc",
        {
            "conference.type": "pre-birth",
            "children[1].gender": "unborn",
            "children[1].dob": DROP,
            "children[1].edd": "2025-05-01",
            "involvement.last_seen": lambda tree: tree["involvement"]["last_seen"][:1],
        },
    )
    assert found == [], listing(found)


# --- deadlines ------------------------------------------------------------------------------


def test_the_due_date_is_two_working_days_before_an_initial_conference(work):
    checked = check_tree(work, tree_of("icpc"))  # Wednesday 12 March 2025
    assert (checked.due_days, checked.due_date) == (2, dt.date(2025, 3, 10))


def test_the_due_date_skips_a_weekend(work):
    checked = check_tree(work, changed("icpc", {"conference.date": "2025-03-11"}))
    assert checked.due_date == dt.date(2025, 3, 7)  # Tuesday minus 2 working days: Friday


def _on(conference: str, sent: str) -> dict[str, Any]:
    """The icpc example moved to a conference on `conference`, sent and shared on `sent`."""
    return {
        "conference.date": conference,
        "report.date": "2025-05-19",
        "report.sent_to_chair": sent,
        "sharing.date": sent,
        "sharing.with[0].date": sent,
        "sign_off.date": "2025-05-19",
        "sign_off.countersigned_date": "2025-05-19",
        "needs_to_happen.next_steps": lambda tree: [
            {
                "action": "Weekly ELSA (emotional literacy support) session.",
                "who": "Ms Joanna Pryce",
                "by": "ongoing",
            }
        ],
        "involvement.last_seen[0].date": "2025-05-19",
    }


def test_a_bank_holiday_monday_moves_the_due_date_a_day_earlier(work):
    # Tuesday 27 May 2025 follows the Spring bank holiday, Monday 26 May 2025.
    after_holiday = check_tree(work, changed("icpc", _on("2025-05-27", "2025-05-22")))
    normal_week = check_tree(work, changed("icpc", _on("2025-06-03", "2025-05-30")))
    assert after_holiday.due_date == dt.date(2025, 5, 22)  # Thursday
    assert normal_week.due_date == dt.date(2025, 5, 30)  # Friday
    assert after_holiday.findings == [] and normal_week.findings == []


def test_sent_on_the_friday_before_a_bank_holiday_is_late(work):
    checked = check_tree(work, changed("icpc", _on("2025-05-27", "2025-05-23")))
    assert_finding(
        checked.findings,
        "warning",
        "report.sent_to_chair",
        "23 May 2025 is after the due date, 22 May 2025",
    )
    assert_finding(checked.findings, "warning", "sharing.date", "is after the due date")
    assert checked.errors == []


def test_on_the_due_date_is_not_late(work):
    found = findings(
        work, "icpc", {"report.sent_to_chair": "2025-03-10", "sharing.date": "2025-03-10"}
    )
    assert found == [], listing(found)


@pytest.mark.parametrize(
    ("due_days", "due_date", "late"),
    [
        (DueDays(initial=2), dt.date(2025, 3, 10), False),
        (DueDays(initial=3), dt.date(2025, 3, 7), False),
        (DueDays(initial=4), dt.date(2025, 3, 6), True),
        (DueDays.parse("initial=5,review=10"), dt.date(2025, 3, 5), True),
        (DueDays.parse(" review=1 "), dt.date(2025, 3, 10), False),
    ],
    ids=["2", "3", "4", "parsed-5", "parsed-review-only"],
)
def test_due_days_change_the_due_date_of_an_initial_conference(work, due_days, due_date, late):
    checked = check_tree(work, tree_of("icpc"), due_days)  # sent and shared on 7 March
    assert checked.due_date == due_date
    late_paths = {f.path for f in checked.warnings if "due date" in f.message}
    assert late_paths == ({"report.sent_to_chair", "sharing.date"} if late else set())


@pytest.mark.parametrize("text", ["initial=two", "first=3", "initial=3;review=5", "review=100"])
def test_due_days_that_cannot_be_read_are_refused(text):
    with pytest.raises(SosError, match="for example initial=2,review=5"):
        DueDays.parse(text)


# --- every error in one run -----------------------------------------------------------------


def test_every_error_of_an_input_is_reported_in_one_run(work):
    found = findings(
        work,
        "icpc",
        {
            SCORE: "four",  # a type error ...
            "report.date": "2025-03-13",  # ... beside a rule across fields
            "author.email": "dsl@@thornby.example",
            "children[0].nhs_number": "999 027 3155",
            "conference.venue": "Room\x072",
            "worrys": "x",
            "child_voice": lambda tree: tree["child_voice"][:1],
            "involvement.last_seen[0].by": "Ms\nPryce",
            "view_on_plan[1].child": "maisie",
            "sign_off.countersigned_date": DROP,
        },
    )
    expected = {
        SCORE: "a whole number from 0 to 10",
        "report.date": "is after the conference",
        "author.email": "not a valid e-mail address",
        "children[0].nhs_number": "check digit",
        "conference.venue": "U+0007",
        "worrys": "did you mean `worries`?",
        "child_voice": "has no entry for `leo`",
        "involvement.last_seen[0].by": "must be on one line",
        "view_on_plan[1].child": "more than one view",
        "sign_off.countersigned_date": "is required when the report is countersigned",
    }
    for path, fragment in expected.items():
        assert_finding(found, "error", path, fragment)


@pytest.mark.parametrize(
    ("kind", "changes", "path", "fragment"),
    [
        (
            "icpc",
            {"sharing.with[0].method": "carrier pigeon"},
            "sharing.with[0].method",
            "is not one of",
        ),
        ("medical", {"confidential.reason": "gossip"}, "confidential.reason", "is not one of"),
        (
            "icpc",
            {"involvement.last_seen[0].seen_alone": "sometimes"},
            "involvement.last_seen[0].seen_alone",
            "should be yes or no",
        ),
        (
            "medical",
            {"child_health[1].immunisations": "partly"},
            "child_health[1].immunisations",
            "is not one of",
        ),
    ],
    ids=["sharing-method", "confidential-reason", "seen-alone", "immunisations"],
)
def test_a_wrong_value_is_not_also_reported_as_missing(work, kind, changes, path, fragment):
    assert_finding(findings(work, kind, changes), "error", path, fragment)


@pytest.mark.parametrize(
    ("kind", "changes", "path"),
    [
        ("icpc", {"report.date": ""}, "report.date"),
        ("icpc", {SCORE: "  "}, SCORE),
        ("icpc", {"author.attending": " "}, "author.attending"),
        ("icpc", {"conference.type": ""}, "conference.type"),
    ],
    ids=["date", "score", "bool", "choice"],
)
def test_a_blank_required_value_is_reported_as_required(work, kind, changes, path):
    assert_finding(findings(work, kind, changes), "error", path, "is required but is blank")


def test_a_bad_optional_value_does_not_hide_the_rules_of_its_block(work):
    # sent_to_chair is not a date; the report block's own rule still runs on report.date
    found = findings(
        work, "icpc", {"report.sent_to_chair": "31/02/2025", "report.date": "2025-03-12"}
    )
    assert_finding(found, "error", "report.sent_to_chair", "is not a real date")
    assert_finding(found, "warning", "report.date", "is the day of the conference")


def test_errors_come_before_warnings(work):
    found = findings(work, "icpc", {"report.date": "2025-03-12", SCORE: "11"})
    severities = [f.severity for f in found]
    assert severities == sorted(severities)  # "error" < "warning"
    assert "warning" in severities and "error" in severities


def test_warnings_stop_the_report_only_when_strict(work):
    checked = check_tree(
        work,
        changed(
            "icpc",
            {
                "report.date": "2025-03-12",
                "report.sent_to_chair": DROP,
                "sharing.date": "2025-03-12",
                "sharing.with[0].date": DROP,
            },
        ),
    )
    assert checked.errors == [] and checked.warnings
    assert checked.valid_model() is checked.model
    with pytest.raises(SosError):
        checked.valid_model(strict=True)


# --- line numbers in YAML -------------------------------------------------------------------


def line_of(text: str, *steps: str) -> int:
    """The line of the last of `steps`, each searched for (as a line's start, after any
    indentation and `- `) from the line of the one before: a path through the YAML."""
    lines = text.splitlines()
    at = -1
    for step in steps:
        at = next(
            i
            for i in range(at + 1, len(lines))
            if lines[i].strip().removeprefix("- ").startswith(step)
        )
    return at + 1


# fmt: off
LINES = [
    pytest.param({SCORE: "eleven"}, "error", SCORE, ("scaling:", "scores:", "child: leo",
                                                     "score:"), id="type-error-in-a-list"),
    pytest.param({"report.date": "2025-03-13"}, "error", "report.date", ("report:", "date:"),
                 id="rule-on-a-date"),
    pytest.param({"sharing.date": "2025-03-11"}, "warning", "sharing.date",
                 ("sharing:", "date:"), id="deadline-warning"),
    pytest.param({"child_voice[1].child": "maisie"}, "error", "child_voice[1].child",
                 ("child_voice:", "child: maisie", "child: maisie"), id="duplicate-child"),
    pytest.param({"worries.harm": "Tab\x01"}, "error", "worries.harm", ("worries:", "harm:"),
                 id="control-character-in-mtext"),
    pytest.param({"conference.chiar": "Sam Okafor"}, "error", "conference.chiar",
                 ("conference:", "chiar:"), id="unknown-key-with-a-text-value"),
    pytest.param({"worrys": {"harm": "x"}}, "error", "worrys", ("worrys:",),
                 id="unknown-key-with-a-block-value"),
    pytest.param({"needs_to_happen.safety_goals": lambda tree: ["One goal.", "Two.", "Three."]},
                 "warning", "needs_to_happen.safety_goals",
                 ("needs_to_happen:", "safety_goals:"), id="warning-on-a-list"),
    pytest.param({"author.attending": "no", "author.presenting": DROP}, "error",
                 "author.presenting", ("author:",), id="missing-key-its-block"),
]
# fmt: on


@pytest.mark.parametrize(("changes", "severity", "path", "steps"), LINES)
def test_a_yaml_finding_names_the_line_of_its_key(work, changes, severity, path, steps):
    source = write_yaml(work / "input.yaml", changed("icpc", changes))
    found = validate(source).findings
    hit = assert_finding(found, severity, path, "")
    assert hit.line == line_of(source.read_text("utf-8"), *steps), str(hit)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("practice.gmc_number", "٠٠٠٠٠٠٠"),
        ("conference.date", "２０２５-０３-１２"),
        ("scaling.scores[0].score", "٥"),
    ],
    ids=["arabic-indic-gmc", "full-width-date", "arabic-indic-score"],
)
def test_digits_of_other_scripts_are_not_taken_as_numbers(tmp_path, path, value):
    from sos_reports.checks.validation import check
    from sos_reports.inputs.read import read_input

    tree = example_tree("medical")
    node = tree
    parts = path.replace("[0]", ".0").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    found = check(read_input(write_yaml(tmp_path / "m.yaml", tree))).errors
    assert path in {f.path for f in found}
