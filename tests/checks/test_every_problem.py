"""Every problem of an input in one run: a bad value never hides the checks beside it.

A wrong score used to make its whole block unreadable to the checks across fields, so a
child left out of the same list went unreported: the "scaling forgotten for one child"
failure the tool exists to catch. Here each per-child list of each kind is broken twice at
once, the same in a workbook, and every single value of every example is broken in turn to
prove that no check fails on what is left.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sos_reports.checks.validation import check
from sos_reports.commands.forms import new_input
from sos_reports.inputs.read import Source, read_input
from tests.helpers.examples import example_path
from tests.helpers.kinds import KINDS, REPORTS, kinds_with
from tests.helpers.rules import (
    DROP,
    assert_finding,
    findings,
    get,
    listing,
    tree_of,
)

# A score must be given, one per child: an agency's report (a record has one per person).
SCORED = tuple(k for k in kinds_with("scaling.scores[0].score", required=True) if k in REPORTS)
INVOLVED = kinds_with("involvement")  # an agency's involvement, with when each child was seen


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("every-problem")


def without_last(path: str) -> Any:
    return lambda tree: get(tree, path)[:-1]


# (kind, per-child list, a value of its block made bad, the bad value, what its error says).
# A bad required value beside the list is the case that hid the list's checks; a bad
# optional value inside an entry was set aside even before.
# fmt: off
PER_CHILD = [
    *[(kind, "scaling.scores", "scaling.scores[0].score", "11", "a whole number from 0 to 10")
      for kind in SCORED],
    ("medical", "scaling.scores", "scaling.scores[0].reason", " ", "is required"),
    *[(kind, "child_voice", "child_voice[0].method", "telepathy", "is not one of")
      for kind in KINDS],
    *[(kind, "involvement.last_seen", "involvement.help_offered", "", "is required")
      for kind in INVOLVED],
    ("rcpc", "plan", "plan[0].start_date", "someday", "is not a date"),
    ("rcpc", "recommendations", "recommendations[0].recommendation", "maybe", "is not one of"),
    ("medical", "child_health", "child_health[0].conditions", "", "is required"),
]
# fmt: on


@pytest.mark.parametrize(
    ("kind", "listed", "path", "bad", "fragment"),
    PER_CHILD,
    ids=[f"{kind}-{listed}" for kind, listed, *_ in PER_CHILD],
)
def test_a_bad_value_does_not_hide_a_child_left_out_of_a_per_child_list(
    work: Path, kind: str, listed: str, path: str, bad: str, fragment: str
) -> None:
    found = findings(work, kind, {listed: without_last(listed), path: bad})
    assert_finding(found, "error", path, fragment)
    assert_finding(found, "error", listed, "has no entry for `leo` (Leo Ashby)")


# (kind, changes: a bad value (first) and a rule broken in another entry of the same list,
#  where the rule's finding is, its severity, what it says)
# fmt: off
EACH_ENTRY = [
    *[(kind, {"child_voice[0].method": "telepathy", "child_voice[1].method": "not gathered",
              "child_voice[1].not_gathered_reason": DROP},
       "child_voice[1].not_gathered_reason", "error", "is required when the child's views")
      for kind in KINDS],
    *[(kind, {"involvement.help_offered": " ", "involvement.last_seen[0].date": "2999-01-01"},
       "involvement.last_seen[0].date", "error", "is after the report date")
      for kind in INVOLVED],
    ("rcpc", {"recommendations[0].reason": "",
              "recommendations[1].recommendation": "end plan - child in need",
              "recommendations[1].category_change": "Neglect."},
     "recommendations[1].category_change", "warning", "only applies when the plan continues"),
    ("medical", {"child_health[0].conditions": "", "child_health[1].immunisation_details": DROP},
     "child_health[1].immunisation_details", "error", "is required when immunisations"),
]
# fmt: on


@pytest.mark.parametrize(
    ("kind", "changes", "path", "severity", "fragment"),
    EACH_ENTRY,
    ids=[f"{kind}-{path.split('[')[0]}" for kind, _, path, *_ in EACH_ENTRY],
)
def test_each_entry_of_a_list_is_checked_beside_a_bad_value_in_another(
    work: Path, kind: str, changes: dict[str, Any], path: str, severity: str, fragment: str
) -> None:
    found = findings(work, kind, changes)
    bad = next(iter(changes))
    assert [f for f in found if f.path == bad and f.severity == "error"], listing(found)
    assert_finding(found, severity, path, fragment)


def test_the_scaling_forgotten_for_one_child_beside_a_score_of_11(tmp_path: Path) -> None:
    """The case as a chair met it, through the command line: both problems, with lines."""
    from click.testing import CliRunner

    from sos_reports.cli import cli

    text = example_path("icpc").read_text("utf-8")
    text = text.replace("      score: 4\n", "      score: 11\n", 1)
    start = text.index("    - child: leo\n      score: 3")
    text = text[:start] + "\n" + text[text.index("confidential:") :]
    source = tmp_path / "icpc.yaml"
    source.write_text(text, "utf-8")
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        "scaling.scores[0].score (line " in line and "a whole number from 0 to 10" in line
        for line in lines
    ), result.output
    assert any(
        "scaling.scores (line " in line and "has no entry for `leo` (Leo Ashby)" in line
        for line in lines
    ), result.output
    assert "2 errors" in result.output


@pytest.mark.parametrize("kind", REPORTS)
def test_the_rules_of_a_block_run_beside_a_missing_required_value_in_it(
    work: Path, kind: str
) -> None:
    # The report block has no date; its other rule (sent to the chair after the
    # conference) still runs on what is there.
    found = findings(work, kind, {"report.date": DROP, "report.sent_to_chair": "2025-12-31"})
    assert_finding(found, "error", "report.date", "is required")
    assert_finding(found, "error", "report.sent_to_chair", "is after the conference")


@pytest.mark.parametrize("kind", REPORTS)
def test_an_entry_that_is_not_a_block_keeps_the_others_checked(work: Path, kind: str) -> None:
    found = findings(
        work,
        kind,
        {
            "scaling.scores": lambda tree: [
                "four",
                tree["scaling"]["scores"][0],
                tree["scaling"]["scores"][0],
            ],
        },
    )
    assert_finding(found, "error", "scaling.scores[0]", "should be a block of fields")
    assert_finding(found, "error", "scaling.scores[2].child", "is listed more than once")
    # The entry that cannot be read may be Leo's: he is not reported as left out.
    assert not [f for f in found if f.path == "scaling.scores"], listing(found)


@pytest.mark.parametrize("kind", KINDS)
def test_a_mistyped_child_is_not_reported_again_as_a_missing_child(work: Path, kind: str) -> None:
    found = findings(work, kind, {"scaling.scores[1].child": "leoo"})
    assert_finding(found, "error", "scaling.scores[1].child", "did you mean `leo`?")
    assert not [f for f in found if f.path == "scaling.scores"], listing(found)


@pytest.mark.parametrize("kind", REPORTS)
def test_a_child_left_out_is_reported_beside_a_mistyped_one(work: Path, kind: str) -> None:
    # Two children, one entry with a mistyped id: one child is certainly missing, and
    # which one cannot be known, so both are named.
    found = findings(
        work,
        kind,
        {
            "scaling.scores": lambda tree: tree["scaling"]["scores"][:1],
            "scaling.scores[0].child": "maisy",
        },
    )
    assert_finding(found, "error", "scaling.scores[0].child", "did you mean `maisie`?")
    missing = [f.message for f in found if f.path == "scaling.scores"]
    assert len(missing) == 2 and "`leo`" in missing[1], listing(found)


# --- a value that was given but cannot be read is not also "missing" -------------------------


@pytest.mark.parametrize("kind", REPORTS)
def test_an_unreadable_planned_date_is_not_also_asked_for(work: Path, kind: str) -> None:
    found = findings(work, kind, {"sharing": {"shared": "no", "planned_date": "next week"}})
    assert_finding(found, "error", "sharing.planned_date", "is not a date")
    assert not [f for f in found if f.path == "sharing"], listing(found)


@pytest.mark.parametrize("kind", INVOLVED)
def test_an_unreadable_reason_not_seen_is_not_also_a_missing_date(work: Path, kind: str) -> None:
    found = findings(
        work,
        kind,
        {
            "involvement.last_seen[1]": {"child": "leo", "not_seen_reason": "Not\x01met"},
        },
    )
    assert_finding(found, "error", "involvement.last_seen[1].not_seen_reason", "U+0001")
    assert [f.path for f in found] == ["involvement.last_seen[1].not_seen_reason"], listing(found)


def test_an_unreadable_registered_is_not_also_a_missing_last_seen(work: Path) -> None:
    found = findings(
        work,
        "medical",
        {
            "child_health[1].registered": "elsewhere",
            "child_health[1].last_seen": DROP,
            "child_health[1].immunisations": DROP,
            "child_health[1].immunisation_details": DROP,
        },
    )
    assert_finding(found, "error", "child_health[1].registered", "should be yes or no")
    assert [f.path for f in found] == ["child_health[1].registered"], listing(found)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreadable_gender_says_nothing_of_dates_of_birth(work: Path, kind: str) -> None:
    found = findings(work, kind, {"children[1].gender": "boy", "children[1].dob": DROP})
    assert_finding(found, "error", "children[1].gender", "is not one of")
    assert [f.path for f in found] == ["children[1].gender"], listing(found)


# --- the workbook -----------------------------------------------------------------------------


def test_an_empty_last_seen_sheet_is_reported_beside_a_blank_required_cell(
    tmp_path: Path,
) -> None:
    path = tmp_path / "icpc.xlsx"
    new_input("icpc", path, from_path=example_path("icpc"))
    wb = load_workbook(path)
    involvement = wb["Involvement"]
    reason = next(
        row[1] for row in involvement.iter_rows() if row[0].value == "Why the agency is involved *"
    )
    reason.value = None
    last_seen = wb["Last seen"]
    for row in last_seen.iter_rows(min_row=5, max_row=last_seen.max_row):
        for cell in row:
            cell.value = None
    wb.save(path)
    found = check(read_input(path)).errors
    where = {f.cell: f.message for f in found}
    assert "is required" in where[f"Involvement!{reason.coordinate}"], listing(found)
    last = [f for f in found if f.path == "involvement.last_seen"]
    assert [f.cell for f in last] == ["Last seen!A4", "Last seen!A4"], listing(found)
    assert "`maisie`" in last[0].message and "`leo`" in last[1].message


# --- no check fails on a partial input ---------------------------------------------------------


def _places(tree: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position of a tree: each block, list, entry and value."""
    if loc:
        yield loc
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _places(value, (*loc, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _places(value, (*loc, i))


def _broken(tree: dict[str, Any], loc: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(tree)
    node: Any = out
    for part in loc[:-1]:
        node = node[part]
    if value is DROP:
        del node[loc[-1]]
    else:
        node[loc[-1]] = value
    return out


def _wrong_for(value: Any) -> Any:
    """A value of the wrong shape for whatever is at a place."""
    if isinstance(value, dict):
        return "not a block"
    if isinstance(value, list):
        return {"not": "a list"}
    return ["not", "a value"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_value_of_every_example_broken_in_turn_gives_findings_not_a_crash(
    kind: str,
) -> None:
    tree = tree_of(kind)
    places = [loc for loc in _places(tree) if loc != ("kind",)]
    assert len(places) > 150
    for loc in places:
        original: Any = tree
        for part in loc:
            original = original[part]
        for change in (_wrong_for(original), DROP, None, "31/02/2025"):
            broken = _broken(tree, loc, change)
            checked = check(Source(Path(f"{kind}.json"), broken))
            errors = checked.errors
            where = f"{loc} set to {change!r}"
            # Each problem once: no path is reported twice with the same words.
            twice = [k for k, n in Counter((f.path, f.message) for f in errors).items() if n > 1]
            assert not twice, where + "\n" + listing(errors)
            if change is not DROP and change is not None and not isinstance(change, str):
                assert errors, where


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        ("not a block", "children[1]", "should be a block of fields"),
        ({"id": "leo a"}, "children[1].id", "cannot be an id"),
    ],
    ids=["entry", "id"],
)
def test_a_child_that_cannot_be_read_is_not_reported_again_in_every_list_naming_it(
    work: Path, kind: str, change: Any, path: str, fragment: str
) -> None:
    def edit(tree: dict[str, Any]) -> None:
        if isinstance(change, dict):
            tree["children"][1].update(change)
        else:
            tree["children"][1] = change

    found = findings(work, kind, edit)
    assert_finding(found, "error", path, fragment)
    assert not [f for f in found if "no child with id" in f.message], listing(found)
