"""Plain English on the family's copy: acronyms and jargon explained, sentences a parent can read."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sos_reports.checks.language import TERMS_ENV, reading_ease, syllables
from sos_reports.cli import cli
from sos_reports.commands.reports import validate
from sos_reports.errors import Finding
from sos_reports.model.common import CommonInput
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT, example_path, example_tree, write_yaml
from tests.helpers.kinds import KINDS
from tests.helpers.report_text import free_text
from tests.helpers.workbook import answer_cell, edited, example_workbook

# A sentence of the kind practice guidance asks report writers to avoid (36 words).
HARD = (
    "Notwithstanding the multiplicity of safeguarding considerations articulated by the "
    "multi-agency professional network, it is the considered professional opinion of the "
    "undersigned that the parents' capacity to prioritise the children's developmental and "
    "emotional needs remains fundamentally compromised."
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _no_local_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's own SOS_REPORTS_TERMS must not change what these tests see."""
    monkeypatch.delenv(TERMS_ENV, raising=False)


def language(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.category == "language"]


def checked_tree(tmp_path: Path, tree: dict[str, Any], **kw: Any) -> list[Finding]:
    path = write_yaml(tmp_path / f"{tree['kind']}.yaml", tree)
    return language(validate(path, **kw).findings)


def add(tree: dict[str, Any], path: str, text: str) -> None:
    """Append a sentence to a free-text field, given as a dotted path with list indexes."""
    node: Any = tree
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    node[last] = f"{str(node[last]).rstrip()} {text}"


def about(findings: list[Finding], path: str, term: str) -> Finding:
    hits = [f for f in findings if f.path == path and f'"{term}"' in f.message]
    assert len(hits) == 1, [str(f) for f in findings]
    return hits[0]


# --- the shipped examples are plain English ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_examples_get_no_plain_english_warning(kind: str) -> None:
    checked = validate(example_path(kind))
    assert language(checked.findings) == []
    # ... and every field long enough to judge has its figure.
    assert len(checked.readings) >= 20
    assert all(r.words >= 20 and r.where for r in checked.readings)


# --- acceptance 1: every planted item is found, with its field and a suggestion ------------------


def own_free_text(kind: str) -> str:
    """The first free-text value of the kind's example in a block only its kind has."""
    shared = set(CommonInput.model_fields)
    model = validate(example_path(kind)).valid_model()
    return next(
        path
        for path, value in free_text(model)
        if path.split(".")[0].split("[")[0] not in shared and len(value.split()) >= 3
    )


# Each kind's own fields, beside the shared ones, so that every kind's model is walked: named
# for the kinds there are, the first of its own for a kind added later.
NAMED = {
    "icpc": "involvement.help_offered",
    "rcpc": "changes_since_last",
    "medical": "child_health[0].conditions",
    "record": "decisions[0].reason",
}
OWN_FIELD = {kind: NAMED.get(kind) or own_free_text(kind) for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_every_planted_acronym_and_a_long_hard_sentence_are_warned_about(
    tmp_path: Path, kind: str
) -> None:
    tree = example_tree(kind)
    add(tree, "worries.harm", "Both children were discussed at MASH on 20 February 2025.")
    add(tree, "working_well.strengths", "Kerry now talks to her IDVA every week.")
    add(tree, "needs_to_happen.safety_goals[0]", "The CIN plan will be reviewed.")
    add(tree, "family_views", "Kerry asked what an EHCP is.")
    add(tree, OWN_FIELD[kind], "The s47 enquiry found that the children had been harmed.")
    add(tree, "worries.complicating_factors", HARD)
    found = checked_tree(tmp_path, tree)

    expected = {
        ("worries.harm", "MASH"): "multi-agency safeguarding hub (MASH)",
        ("working_well.strengths", "IDVA"): "independent domestic violence adviser (IDVA)",
        ("needs_to_happen.safety_goals[0]", "CIN"): "child in need (CIN)",
        ("family_views", "EHCP"): "education, health and care plan (EHCP)",
        (OWN_FIELD[kind], "s47"): "child protection enquiry (s47)",
    }
    for (path, term), suggestion in expected.items():
        warning = about(found, path, term)
        assert warning.severity == "warning" and isinstance(warning.line, int)
        assert warning.suggestion == suggestion
        assert suggestion in warning.message
    hard = [f for f in found if f.path == "worries.complicating_factors"]
    assert len(hard) == 1, [str(f) for f in found]
    assert "long, hard sentence" in hard[0].message
    assert '"Notwithstanding the multiplicity of safeguarding' in hard[0].message
    assert "…" in hard[0].message  # a long sentence is shortened, not printed whole
    assert len(found) == len(expected) + 1, [str(f) for f in found]


def test_the_warning_is_on_the_first_use_and_names_the_others(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    add(tree, "worries.harm", "Maisie spoke to the HV about it.")
    add(tree, "family_views", "Kerry would like the HV to visit.")
    [warning] = checked_tree(tmp_path, tree)
    assert warning.path == "worries.harm"
    assert "also used in family_views (line" in warning.message


def test_a_field_that_is_hard_to_read_as_a_whole_is_warned_about(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["worries"]["complicating_factors"] = (
        "Maternal engagement with universal services has been inconsistent. "
        "Professional concerns regarding sustainability persist. "
        "Parental acknowledgement of the cumulative impact remains limited."
    )
    [warning] = checked_tree(tmp_path, tree)
    assert warning.path == "worries.complicating_factors"
    assert warning.message.startswith("is hard to read (reading ease -")
    assert warning.message.endswith(
        'The hardest sentence: "Professional concerns regarding sustainability persist."'
    )


def test_a_sentence_wrapped_by_hand_is_still_one_sentence(tmp_path: Path) -> None:
    tree = example_tree("rcpc")
    wrapped = HARD.replace(" articulated ", "\narticulated ").replace(" that ", "\nthat ")
    tree["worries"]["new_concerns"] = f"Two things:\n- the school nurse\n- attendance\n{wrapped}"
    [warning] = checked_tree(tmp_path, tree)
    assert warning.path == "worries.new_concerns"
    assert "long, hard sentence (36 words" in warning.message


def test_reading_ease_is_the_flesch_formula_on_counted_syllables() -> None:
    # 2 sentences, 12 words, 13 syllables (hap-py).
    ease, words = reading_ease("The cat sat on the mat. It was happy to be there.")
    assert words == 12
    assert ease == pytest.approx(206.835 - 1.015 * 12 / 2 - 84.6 * 13 / 12)
    assert [syllables(w) for w in ("home", "being", "wanted", "called", "vaccinations")] == [
        1,
        2,
        2,
        1,
        4,
    ]
    assert syllables("out-of-hours") == 3 and syllables("2025") == 1


# --- what is not jargon --------------------------------------------------------------------------


def test_an_acronym_explained_once_in_the_report_is_then_used_freely(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    add(tree, "worries.harm", "Maisie told the Designated Safeguarding Lead (DSL).")
    add(tree, "family_views", "Kerry trusts the DSL and the DSLs' deputy.")
    add(tree, "working_well.strengths", "A CAMHS (children's mental health) nurse visits.")
    add(tree, "scaling.scores[0].reason", "The CAMHS nurse agrees.")
    add(tree, "needs_to_happen.information_gaps", "A child protection enquiry (s47) began.")
    add(tree, "involvement.contact", "The s47 found no injury. MARAC stands for a meeting.")
    add(tree, "family_views", "She asked about the MARAC.")
    assert checked_tree(tmp_path, tree) == []


def test_the_words_elsewhere_or_a_name_in_brackets_do_not_explain_it(tmp_path: Path) -> None:
    tree = example_tree("icpc")  # says "child protection plan" and "Ms Joanna Pryce"
    add(tree, "worries.harm", "Leo may need a CPP. Ms Pryce (DSL) was told.")
    add(tree, "family_views", "Kerry spoke to the DSL.")
    found = checked_tree(tmp_path, tree)
    assert {f.suggestion for f in found} == {
        "child protection plan (CPP)",
        "designated safeguarding lead (DSL)",
    }


def test_words_that_only_look_like_acronyms_are_left_alone(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    add(
        tree,
        "worries.harm",
        "Maisie's PRIMARY reading book was lost. The case is CP/2025/14 (TH-CP-2025-0147); "
        "write to cp@thornby.example.",
    )
    add(tree, "working_well.strengths", "Kerry cooks with less salt and will send a note.")
    add(
        tree,
        "family_views",
        "PLEASE SEND THE FORM BACK, Kerry wrote. Kerry did not attend her review.",
    )
    assert checked_tree(tmp_path, tree) == []


def test_a_persons_initials_are_not_an_acronym(tmp_path: Path) -> None:
    tree = example_tree("icpc")  # Dean Ashby, Leo Ashby, Sam Okafor (chair)
    add(tree, "worries.harm", "DA said LA was asleep.")
    add(tree, "family_views", "DV is not known to the school.")
    found = checked_tree(tmp_path, tree)
    assert [f.suggestion for f in found] == ["domestic violence (DV)"]


def test_dna_testing_in_a_medical_report_is_not_did_not_attend(tmp_path: Path) -> None:
    tree = example_tree("medical")
    add(tree, "child_health[1].conditions", "A DNA test for a genetic condition was normal.")
    add(tree, "worries.harm", "Paternity was confirmed by DNA testing.")
    assert checked_tree(tmp_path, tree) == []


def test_plurals_and_possessives_of_an_acronym_are_found(tmp_path: Path) -> None:
    tree = example_tree("icpc")
    add(tree, "worries.harm", "Both children were LACs in 2022.")
    add(tree, "family_views", "Kerry read the ICPC's minutes. Leo was on two CPPs.")
    found = checked_tree(tmp_path, tree)
    assert {f.suggestion for f in found} == {
        "looked after child (LAC)",
        "initial child protection conference (ICPC)",
        "child protection plan (CPP)",
    }


def test_jargon_with_everyday_words_for_it_gets_those_words(tmp_path: Path) -> None:
    tree = example_tree("rcpc")
    add(tree, "worries.harm", "Maisie said that she was scared. She presented as tired.")
    add(tree, "family_views", "Kerry asked what a strategy discussion is.")
    add(tree, "worries.new_concerns", "Dean Ashby (DA) said he was disengaged.")
    found = checked_tree(tmp_path, tree)
    presented = about(found, "worries.harm", "presented as")
    assert presented.suggestion == "seemed"
    assert "language of professionals" in presented.message
    strategy = about(found, "family_views", "strategy discussion")
    assert strategy.suggestion.startswith("strategy discussion (a meeting of children's social")
    assert "say what it means the first time" in strategy.message
    assert about(found, "worries.new_concerns", "disengaged").suggestion == (
        "not taking up the help offered"
    )
    assert len(found) == 3


def test_a_child_who_missed_an_appointment_was_not_brought(tmp_path: Path) -> None:
    tree = example_tree("medical")
    add(tree, "worries.harm", "Leo did not attend his 12-month review.")
    add(tree, "child_health[1].missed_appointments[0].follow_up", "Second DNA; letter sent.")
    tree["carer_health"][0]["withhold_from_family"] = "no"  # in the family's copy
    add(tree, "carer_health[0].engagement", "Kerry DNA'd her mood review twice.")
    found = checked_tree(tmp_path, tree)
    child = about(found, "worries.harm", "did not attend")
    assert child.suggestion == "was not brought"
    assert "said of a child" in child.message
    entry = about(found, "child_health[1].missed_appointments[0].follow_up", "DNA")
    assert entry.suggestion == "was not brought"
    adult = about(found, "carer_health[0].engagement", "DNA")
    assert adult.suggestion == "did not attend"
    assert len(found) == 3


def test_only_the_familys_free_text_is_checked(tmp_path: Path) -> None:
    tree = example_tree("medical")
    tree["confidential"]["details"] += "\nDiscussed at MARAC; the IDVA is Sam.\n"
    tree["carer_health"][0]["withhold_from_family"] = "yes"
    tree["carer_health"][0]["engagement"] = "Kerry sees the IDVA and CAMHS."
    tree["author"]["role"] = "GP and DSL"  # a one-line field: a job title, not prose
    tree["children"][0]["address"] = "1 CP Row\nThornby"
    found = checked_tree(tmp_path, tree)
    assert found == [], [str(f) for f in found]
    # The report does not print them either (so the warnings are not missing anything).
    checked = validate(write_yaml(tmp_path / "medical.yaml", tree))
    assert checked.errors == []


# --- acceptance 2: a local authority's own list ---------------------------------------------------


def local_terms(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "our-terms.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_local_list_adds_changes_and_removes_terms(tmp_path: Path) -> None:
    terms = local_terms(
        tmp_path,
        'remove = ["UTC"]\n\n[terms]\nFRT = "family resilience team"\n'
        'CIN = { means = "child in need plan" }\n',
    )
    tree = example_tree("icpc")
    add(tree, "worries.harm", "The FRT visited. Leo was seen at the UTC. A CIN meeting is due.")
    without = checked_tree(tmp_path, tree)
    assert {f.suggestion for f in without} == {
        "urgent treatment centre (UTC)",
        "child in need (CIN)",
    }
    found = checked_tree(tmp_path, tree, terms=terms)
    assert {f.suggestion for f in found} == {
        "family resilience team (FRT)",  # added
        "child in need plan (CIN)",  # changed
    }  # and UTC removed


def test_the_local_list_can_be_set_once_in_the_environment(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        TERMS_ENV, str(local_terms(tmp_path, '[terms]\nFRT = "family resilience team"\n'))
    )
    tree = example_tree("icpc")
    add(tree, "worries.harm", "The FRT visited.")
    path = write_yaml(tmp_path / "icpc.yaml", tree)
    result = runner.invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)
    assert warning["suggestion"] == "family resilience team (FRT)"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[terms]\nFRT = \n", "our-terms.toml, line 2: is not a valid list of terms"),
        ('[terms]\nFRT = { meaning = "x" }\n', "terms.FRT: unknown key `meaning`"),
        ('remove = ["UCT"]\n', 'remove: "UCT" is not in the packaged list'),
        ("[words]\n", "unknown section `words`"),
    ],
)
def test_a_broken_local_list_is_a_clear_error(
    tmp_path: Path, runner: CliRunner, text: str, says: str
) -> None:
    terms = local_terms(tmp_path, text)
    result = runner.invoke(cli, ["validate", "--terms", str(terms), str(example_path("icpc"))])
    assert result.exit_code == 1
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_local_list_is_named(tmp_path: Path, runner: CliRunner) -> None:
    missing = tmp_path / "no-such-terms.toml"
    source = write_yaml(tmp_path / "icpc.yaml", example_tree("icpc"))
    result = runner.invoke(cli, ["fill", "--terms", str(missing), str(source)])
    assert result.exit_code == 1
    assert f"Error: {missing}: no such list of terms" in result.stderr
    assert list(tmp_path.iterdir()) == [source]


def test_the_packaged_list_ships_in_the_wheel_and_resolves() -> None:
    packaged = resources.files("sos_reports.checks").joinpath("data/terms.toml")
    assert packaged.is_file()
    assert "CAMHS" in tomllib.loads(packaged.read_text("utf-8"))["terms"]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["sos_reports.checks"]
    data = ROOT / "sos_reports" / "checks" / "data"
    shipped = {p for pattern in globs for p in (ROOT / "sos_reports" / "checks").glob(pattern)}
    assert set(data.iterdir()) <= shipped


# --- the workbook, --strict, --strict-language, JSON ------------------------------------------------


def test_the_workbook_gets_the_warnings_by_sheet_and_cell(tmp_path: Path) -> None:
    path = example_workbook(tmp_path, "icpc")
    wb = load_workbook(path)
    cell = answer_cell(wb, "Worried", "Harm *")
    harm = wb["Worried"][cell].value
    edited(path, {f"Worried!{cell}": f"{harm}\n\nLeo did not attend nursery. {HARD}"})
    found = language(validate(path).findings)
    assert {f.cell for f in found} == {f"Worried!{cell}"}
    assert len(found) == 2
    assert all(str(f).startswith(f"warning: Worried!{cell} (") for f in found)


@pytest.fixture
def with_jargon(tmp_path: Path) -> Path:
    tree = example_tree("icpc")
    add(tree, "worries.harm", "The case went to MASH.")
    return write_yaml(tmp_path / "icpc.yaml", tree)


def test_strict_passes_with_only_language_warnings(runner: CliRunner, with_jargon: Path) -> None:
    result = runner.invoke(cli, ["validate", "--strict", str(with_jargon)])
    assert result.exit_code == 0, result.output
    assert '"MASH" may not be understood' in result.stderr
    assert "valid (0 errors, 1 warning)" in result.stderr
    assert "Reading ease (plain English is 60 or more): " in result.stderr


@pytest.mark.parametrize("options", [["--strict", "--strict-language"], ["--strict-language"]])
def test_strict_language_fails_on_them(
    runner: CliRunner, with_jargon: Path, options: list[str]
) -> None:
    result = runner.invoke(cli, ["validate", *options, str(with_jargon)])
    assert result.exit_code == 1
    assert "not valid" in result.stderr


def test_fill_strict_language_writes_nothing_and_strict_writes_the_report(
    runner: CliRunner, with_jargon: Path
) -> None:
    report = with_jargon.with_name("icpc-report.docx")
    refused = runner.invoke(cli, ["fill", "--strict", "--strict-language", str(with_jargon)])
    assert refused.exit_code == 1
    assert '"MASH"' in refused.stderr and "nothing was written" in refused.stderr
    assert not report.exists()
    done = runner.invoke(cli, ["fill", "--strict", str(with_jargon)])
    assert done.exit_code == 0, done.output
    assert '"MASH" may not be understood' in done.stderr
    assert "The case went to MASH." in docx_text(report)


def test_json_output_names_the_language_category(runner: CliRunner, with_jargon: Path) -> None:
    result = runner.invoke(cli, ["validate", "--format", "json", str(with_jargon)])
    assert result.exit_code == 0
    [warning] = json.loads(result.stdout)
    assert warning == {
        "severity": "warning",
        "path": "worries.harm",
        "line": warning["line"],
        "message": warning["message"],
        "category": "language",
        "suggestion": "multi-agency safeguarding hub (MASH)",
    }
    assert isinstance(warning["line"], int)


def test_the_command_line_loads_the_checks_only_when_it_checks() -> None:
    # --help and `kinds` stay fast: the language module is imported by validate and fill.
    code = "import sys, sos_reports.cli; print('sos_reports.checks.language' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_readme_example_of_a_local_list_works_as_it_says(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("```toml\n# our-terms.toml\n", 1)[1].split("```", 1)[0]
    terms = local_terms(tmp_path, block)
    tree = example_tree("medical")
    add(tree, "worries.harm", "The E.D.T. and the FRT were called. Leo did not attend.")
    add(tree, "family_views", "The practice escalated it.")
    found = checked_tree(tmp_path, tree, terms=terms)
    assert {f.suggestion for f in found} == {
        "emergency duty team (E.D.T.)",  # as written
        "family resilience team (FRT)",
        "passed the concern on",
        "was not brought",
    }
