"""The chair's conference map: several agencies' inputs for one conference on one map."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from lxml import etree

from sos_reports.cli import cli
from tests.helpers.docx_xml import NS, W, docx_text
from tests.helpers.examples import EXAMPLES, AllStrings, write_yaml

CONFERENCE = EXAMPLES / "conference"


def tree_of(name: str) -> dict[str, Any]:
    tree: dict[str, Any] = yaml.load((CONFERENCE / name).read_text("utf-8"), Loader=AllStrings)
    return copy.deepcopy(tree)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def workbook_from(source: Path, target: Path) -> Path:
    """The police's input as the workbook the police would fill in, made as a user makes it."""
    made = run("convert", source, "-o", target)
    assert made.exit_code == 0, made.output
    return target


@pytest.fixture
def conference(tmp_path: Path) -> dict[str, Path]:
    """A school icpc (YAML), a police icpc (a workbook) and a GP medical input (YAML)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    school = shutil.copy(CONFERENCE / "school-icpc.yaml", folder / "school.yaml")
    gp = shutil.copy(CONFERENCE / "gp-medical.yaml", folder / "gp.yaml")
    police = workbook_from(CONFERENCE / "police-icpc.yaml", folder / "police.xlsx")
    return {"school": Path(school), "police": police, "gp": Path(gp)}


def merged(tmp_path: Path, *inputs: Path, name: str = "map.docx") -> Path:
    output = tmp_path / name
    result = run("merge", *inputs, "-o", output)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(output)]
    return output


def _cell_text(cell: etree._Element) -> str:
    paragraphs = []
    for p in cell.iter(f"{{{W}}}p"):
        parts = []
        for node in p.iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab"):
            tag = etree.QName(node).localname
            parts.append(node.text or "" if tag == "t" else "\n" if tag == "br" else "\t")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def tables(path: Path) -> list[list[list[str]]]:
    """Every table of the body: rows of cell texts (a cell's paragraphs on separate lines)."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return [
        [[_cell_text(tc) for tc in tr.findall("w:tc", NS)] for tr in tbl.findall("w:tr", NS)]
        for tbl in root.iter(f"{{{W}}}tbl")
    ]


def table_headed(path: Path, *header: str) -> list[list[str]]:
    found = [t for t in tables(path) if t and tuple(t[0][: len(header)]) == header]
    assert found, f"no table headed {header}"
    return found[0]


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip())]


# --- acceptance 1: every agency's contributions, attributed; every score; the spread --------


def test_a_map_of_three_agencies_attributes_every_contribution_and_flags_a_spread_of_three(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = merged(tmp_path, conference["school"], conference["police"], conference["gp"])
    sources = {
        "School": tree_of("school-icpc.yaml"),
        "Police": tree_of("police-icpc.yaml"),
        "General practice": tree_of("gp-medical.yaml"),
    }
    text = docx_text(output)

    # The three columns: a table for each agency, headed by its name and the three questions
    # (header rows, repeated on each page it runs on to), then its answers to each question.
    questions = ["What are we worried about?", "What's working well?", "What needs to happen?"]
    columns = [t for t in tables(output) if len(t) == 3 and t[1] == questions]
    assert [t[0][0].split(":")[0] for t in columns] == list(sources)  # in the inputs' order
    for agency, tree in sources.items():
        (table,) = [t for t in columns if t[0][0].startswith(f"{agency}: ")]
        worried, well, needs = table[2]
        assert tree["author"]["name"] in table[0][0]
        for paragraph in paragraphs_of(tree["worries"]["harm"]):
            assert paragraph in worried, (agency, paragraph)
        for paragraph in paragraphs_of(tree["worries"]["complicating_factors"]):
            assert paragraph in worried, (agency, paragraph)
        for paragraph in paragraphs_of(tree["working_well"]["strengths"]):
            assert paragraph.replace("\n", " ") in well.replace("\n", " "), (agency, paragraph)
        for paragraph in paragraphs_of(tree["working_well"]["existing_safety"]):
            assert paragraph in well, (agency, paragraph)
        for paragraph in paragraphs_of(tree["needs_to_happen"].get("information_gaps", "")):
            assert paragraph in needs, (agency, paragraph)

    # Danger statements, safety goals and next steps: each on a row that names its agency.
    dangers = table_headed(output, "No.", "Danger statement", "Children", "From")
    goals = table_headed(output, "No.", "Safety goal", "From")
    steps = table_headed(output, "By when", "Who", "Action", "From")
    for agency, tree in sources.items():
        for d in tree["worries"]["danger_statements"]:
            assert [agency] == [r[-1] for r in dangers if r[1] == d["text"].strip()], d["text"]
        for g in tree["needs_to_happen"]["safety_goals"]:
            assert [agency] == [r[-1] for r in goals if r[1] == g.strip()], g
        for s in tree["needs_to_happen"]["next_steps"]:
            rows = [r for r in steps if r[2] == s["action"].strip()]
            assert [(r[1], r[3]) for r in rows] == [(s["who"], agency)], s["action"]
    assert len(steps) == 1 + sum(len(t["needs_to_happen"]["next_steps"]) for t in sources.values())

    # Every score and reason, in each child's table, on the agency's row.
    scale_tables = [t for t in tables(output) if t and t[0][0] == "Agency" and "Score" in t[0]]
    assert len(scale_tables) == 2  # one per child
    names = {"Maisie Fenwick": 0, "Leo Ashby": 1}
    for agency, tree in sources.items():
        ids = [c["id"] for c in tree["children"]]
        for entry in tree["scaling"]["scores"]:
            child = ids.index(entry["child"])
            rows = [r for r in scale_tables[child] if r[0] == agency]
            assert len(rows) == 1, (agency, entry)
            assert rows[0][12] == entry["score"]
            assert rows[0][-1] == entry["reason"].strip()
    for name in names:  # each child's table under the child's name
        assert f"\n{name}\nAgency\n0\n1\n2\n" in text, name

    # Leo: 3 (school), 1 (police), 4 (GP), a spread of 3; Maisie: 4, 3, 5, a spread of 2.
    leo, maisie = scale_tables[1][-1][0], scale_tables[0][-1][0]
    assert "Lowest 1 (Police), highest 4 (General practice): a spread of 3." in leo
    assert "A difference of view to discuss" in leo
    assert "a spread of 2" in maisie and "difference of view" not in maisie
    assert (
        "Leo Ashby: the scores run from 1 (Police) to 4 (General practice), a spread of 3. "
        "This is a difference of view to discuss at the conference."
    ) in text


def test_the_map_is_landscape_and_in_the_chairs_order(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = merged(tmp_path, *conference.values())
    with zipfile.ZipFile(output) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
        core = archive.read("docProps/core.xml").decode("utf-8")
    # The document's properties name the conference, never a child.
    assert "<dc:title>Conference map, 12 March 2025</dc:title>" in core
    assert "Maisie" not in core and "Leo" not in core
    size = root.find(".//w:sectPr/w:pgSz", NS)
    assert size is not None and size.get(f"{{{W}}}orient") == "landscape"
    assert int(size.get(f"{{{W}}}w") or 0) > int(size.get(f"{{{W}}}h") or 0)
    headings = [
        _cell_text(p)
        for p in root.iter(f"{{{W}}}p")
        if (style := p.find("w:pPr/w:pStyle", NS)) is not None
        and style.get(f"{{{W}}}val") == "Heading1"
    ]
    assert headings == [
        "The conference",
        "Where the reports stand",
        "The three questions",
        "Danger statements and safety goals",
        "Scaling",
        "Next steps",
        "Views on a plan",
        "For the chair: where the agencies' views differ",
    ]


# --- acceptance 2: inputs that do not belong together ---------------------------------------


def test_inputs_for_different_conferences_are_refused_with_each_mismatch_named(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    gp = tree_of("gp-medical.yaml")
    gp["conference"]["date"] = "2025-03-13"
    gp["conference"]["type"] = "review"
    gp["conference"]["review_number"] = "1"
    gp["conference"]["previous_date"] = "2024-12-12"
    for field in ("report", "sharing"):
        gp[field]["date"] = "2025-03-06"
    other = write_yaml(tmp_path / "gp-other.yaml", gp)
    before = sorted(tmp_path.rglob("*"))
    result = run(
        "merge", conference["school"], conference["police"], other, "-o", tmp_path / "map.docx"
    )
    assert result.exit_code == 1, result.output
    err = result.stderr
    school, police = conference["school"], conference["police"]
    assert (
        f"the conference date is 12 March 2025 in {school} and {police}; 13 March 2025 in {other}"
    ) in err
    assert (
        f"the conference type is Initial child protection conference in {school} and {police}; "
        f"Review child protection conference in {other}"
    ) in err
    assert "nothing was written" in err and "Traceback" not in result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_inputs_about_other_children_are_refused_with_each_child_named(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    gp = tree_of("gp-medical.yaml")
    gp["children"][1]["dob"] = "2023-12-03"  # Leo, a day out
    changed = write_yaml(tmp_path / "gp-leo.yaml", gp)
    school = tree_of("school-icpc.yaml")
    school["children"].append(
        {
            "id": "ava",
            "name": "Ava Fenwick",
            "dob": "2020-05-01",
            "gender": "female",
            "ethnicity": "White British",
            "first_language": "English",
        }
    )
    school["child_voice"].append(
        {
            "child": "ava",
            "method": "not gathered",
            "views": "Not known.",
            "not_gathered_reason": "Not met.",
        }
    )
    school["scaling"]["scores"].append({"child": "ava", "score": "5", "reason": "Not known."})
    school["involvement"]["last_seen"].append({"child": "ava", "not_seen_reason": "Not at school."})
    school["view_on_plan"] = []
    extra = write_yaml(tmp_path / "school-ava.yaml", school)
    result = run("merge", extra, conference["police"], changed, "-o", tmp_path / "map.docx")
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert (
        f"Leo Ashby's date of birth is 2 December 2023 in {extra} and {conference['police']}; "
        f"3 December 2023 in {changed}"
    ) in err
    assert (
        f"Ava Fenwick (born 1 May 2020) is in {extra} but not in {conference['police']} and {changed}"
    ) in err
    assert "Maisie" not in err  # the same in every input
    assert not (tmp_path / "map.docx").exists()


def test_the_same_report_given_twice_is_refused_rather_than_counted_twice(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    again = shutil.copy(CONFERENCE / "police-icpc.yaml", tmp_path / "police.yaml")
    result = run(
        "merge", conference["police"], again, conference["gp"], "-o", tmp_path / "map.docx"
    )
    assert result.exit_code == 1
    assert f"{conference['police']} and {again} are the same report" in result.stderr
    assert not (tmp_path / "map.docx").exists()


def test_an_input_that_is_not_valid_is_refused_with_its_own_findings(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    gp = tree_of("gp-medical.yaml")
    gp["scaling"]["scores"][1]["score"] = "11"
    bad = write_yaml(tmp_path / "gp-bad.yaml", gp)
    validated = run("validate", bad)
    own = [line for line in validated.stderr.splitlines() if line.startswith("error: ")]
    assert own
    result = run("merge", conference["school"], bad, "-o", tmp_path / "map.docx")
    assert result.exit_code == 1
    for line in own:
        assert line.replace("error: ", f"error: {bad}: ", 1) in result.stderr
    assert "1 of 2 inputs is not valid or could not be read; nothing was written." in result.stderr
    assert not (tmp_path / "map.docx").exists()


# --- acceptance 3: nothing confidential, anywhere in the zip ---------------------------------


def test_the_confidential_details_of_every_input_never_reach_any_part_of_the_map(
    tmp_path: Path,
) -> None:
    secrets = []
    inputs = []
    for name in ("school-icpc.yaml", "police-icpc.yaml", "gp-medical.yaml"):
        tree = tree_of(name)
        agency = name.split("-")[0]
        secret = f"Secret of the {agency} Quillon"
        tree["confidential"] = {
            "present": "yes",
            "reason": "third-party information",
            "chair_informed": tree["report"]["date"],
            "details": f"{secret}, told to the chair alone.",
        }
        hidden = f"Hidden {agency.title()} Varga"
        tree["household"].append(
            {
                "name": hidden,
                "relationship": f"Aunt of the children, at a refuge in {agency}ford",
                "parental_responsibility": "no",
                "in_household": "no",
                "withhold_from_family": "yes",
            }
        )
        secrets += [secret, "Quillon", hidden, f"{agency}ford"]
        inputs.append(write_yaml(tmp_path / name, tree))
    # The GP's own withheld entry: Kerry's health as the annex holds it.
    gp = yaml.load((CONFERENCE / "gp-medical.yaml").read_text("utf-8"), Loader=AllStrings)
    withheld = gp["carer_health"][0]["domestic_abuse"]["impact"].split("\n")[0]
    secrets += [withheld[:60], "support service", "Scarthwaite"]
    # The police's input as its workbook, so the details pass through that reader too.
    police = workbook_from(inputs[1], tmp_path / "police.xlsx")
    output = merged(tmp_path, inputs[0], police, inputs[2])
    with zipfile.ZipFile(output) as archive:
        for part in archive.namelist():
            data = archive.read(part).decode("utf-8", "replace")
            for secret in secrets:
                assert secret not in data, (part, secret)
    # What the map does say: that each agency sent something to the chair separately.
    stand = table_headed(output, "Agency", "Author", "Report")
    assert [row[-1] for row in stand[1:]] == ["Yes", "Yes", "Yes"]


# --- acceptance 4: a late report is marked late ----------------------------------------------


def test_a_report_sent_to_the_chair_after_the_due_date_is_marked_late(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = merged(tmp_path, *conference.values())
    stand = table_headed(output, "Agency", "Author", "Report", "Reached the chair")
    rows = {row[0]: row for row in stand[1:]}
    assert rows["Police"][3] == "11 March 2025\nLate: 1 working day after the due date"
    assert rows["School"][3] == "7 March 2025"
    assert rows["General practice"][3] == "7 March 2025"
    # Sharing with the family, planned after the due date, is marked too.
    assert "Not yet: to be shared on 11 March 2025\nLate" in rows["Police"][4]
    assert rows["School"][4].startswith("Yes, 7 March 2025\n")
    assert "Monday 10 March 2025 (2 working days before the conference)" in docx_text(output)


# --- the chair's view -------------------------------------------------------------------------


def test_a_worry_only_one_agency_names_is_a_prompt_for_the_chair(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = merged(tmp_path, *conference.values())
    text = docx_text(output)
    view = text[text.index("Worries only one agency names") :]
    vaccinations = tree_of("gp-medical.yaml")["worries"]["danger_statements"][0]["text"].strip()
    lone = [line for line in view.splitlines() if ", from " in line]
    # The GP's worry about vaccinations and inhalers is the only one no other agency shares;
    # the arguments at home are named by all three.
    assert lone == [f"D4, from General practice: {vaccinations}"]
    assert "not a judgement" in text


def test_a_map_of_one_report_says_there_is_nothing_to_compare(tmp_path: Path) -> None:
    output = merged(tmp_path, CONFERENCE / "school-icpc.yaml")
    text = docx_text(output)
    assert "There is only one agency's report, so there is nothing to compare." in text
    assert "Maisie Fenwick: only School gave a score (4), so there is nothing to compare." in text


def test_a_review_map_shows_each_previous_score_and_its_direction(tmp_path: Path) -> None:
    output = merged(tmp_path, EXAMPLES / "rcpc-school.yaml")
    scores = [t for t in tables(output) if t and t[0][0] == "Agency" and "Previous" in t[0]]
    assert [t[1][13] for t in scores] == ["4, up (safer)", "3, up (safer)"]
    text = docx_text(output)
    assert "Review number" in text and "Remaining concerns" in text


def _second_review(tmp_path: Path) -> Path:
    """The health visitor's review for the school's conference: the same actions (one typed
    in other case and without its full stop), other statuses, and for Maisie another
    recommendation."""
    tree: dict[str, Any] = yaml.load(
        (EXAMPLES / "rcpc-school.yaml").read_text("utf-8"), Loader=AllStrings
    )
    tree["author"] = {
        **tree["author"],
        "name": "Ruth Calloway",
        "role": "Health visitor",
        "agency": "Health visiting",
        "base": "Thornby Health Centre",
        "email": "ruth.calloway@health.example",
        "presenting": "Ruth Calloway",
    }
    tree["sign_off"]["name"] = "Ruth Calloway"
    tree["sign_off"].pop("countersigned_by", None)
    tree["sign_off"].pop("countersigned_date", None)
    progress = tree["plan_progress"]
    progress[0] = {**progress[0], "action": "maisie attends  ELSA weekly", "status": "partly achieved",
                   "comment": "Health visiting: two sessions missed in April."}  # fmt: skip
    progress[1] = {**progress[1], "status": "not achieved", "comment": "Health visiting: 88%."}
    maisie, leo = tree["recommendations"]
    maisie.pop("category_change", None)
    tree["recommendations"] = [
        {
            **maisie,
            "recommendation": "end plan - child in need",
            "reason": "Health visiting: Kerry now takes up every offer of help.",
        },
        {**leo, "reason": "Health visiting: Leo is not yet seen by anyone outside home."},
    ]
    return write_yaml(tmp_path / "health-visiting.yaml", tree)


def test_a_map_of_two_reviews_shows_each_agencys_progress_and_recommendations_and_flags_the_difference(
    tmp_path: Path,
) -> None:
    school = shutil.copy(EXAMPLES / "rcpc-school.yaml", tmp_path / "school.yaml")
    output = merged(tmp_path, Path(school), _second_review(tmp_path))
    text = docx_text(output)

    # Progress: one row per action, matched across the two reports; beside it each
    # agency's status and comment, under its name.
    (progress,) = [t for t in tables(output) if t[0][0] == "Action" and len(t[0]) == 3]
    assert progress[0] == ["Action", "Responsible", "Each agency's view of its progress"]
    actions = [row[0] for row in progress[1:]]
    assert actions == [
        "Maisie attends ELSA weekly.",
        "Maisie's attendance is above 92%.",
        "Dean completes a domestic abuse perpetrator programme.",
        "School shares Maisie's attendance weekly with the social worker.",
    ]
    elsa, attendance = progress[1][2], progress[2][2]
    assert elsa.startswith("School: Achieved\nEvery session since 17 March 2025 attended.\n")
    assert elsa.endswith(
        "Health visiting: Partly achieved\nHealth visiting: two sessions missed in April."
    )
    assert "School: Partly achieved" in attendance and "Health visiting: Not achieved" in attendance

    # Recommendations: per child, each agency's with its reason; Maisie's differ and are
    # flagged, Leo's agree.
    views = [t for t in tables(output) if t[0] == ["Agency", "Recommendation", "Reason"]]
    assert len(views) == 2
    maisie, leo = views
    assert [r[:2] for r in maisie[1:3]] == [
        ["School", "Continue the plan"],
        ["Health visiting", "End the plan: child in need plan"],
    ]
    assert maisie[1][2].startswith("The changes are recent and not yet sustained.")
    assert "Category change: None proposed" in maisie[1][2]
    assert maisie[2][2] == "Health visiting: Kerry now takes up every offer of help."
    assert maisie[-1] == [
        "A difference of view to discuss: Continue the plan (School); "
        "End the plan: child in need plan (Health visiting)."
    ]
    assert [r[1] for r in leo[1:3]] == ["Continue the plan", "Continue the plan"]
    assert leo[-1] == ["Every agency that gave one: Continue the plan."]
    assert (
        "Maisie Fenwick: the agencies' recommendations differ (Continue the plan (School); End "
        "the plan: child in need plan (Health visiting)). This is a difference of view to "
        "discuss at the conference."
    ) in text
    assert (
        "Leo Ashby: every agency that gave a recommendation gave the same: Continue the plan."
        in text
    )
    # The conference and the children still come first.
    assert text.index("The conference") < text.index("The children") < text.index("Recommendations")


def test_a_map_of_initial_reports_shows_each_agencys_view_on_a_plan(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = merged(tmp_path, conference["school"], conference["police"], conference["gp"])
    text = docx_text(output)
    views = [t for t in tables(output) if t[0] == ["Agency", "View on a plan", "Reason"]]
    assert len(views) == 2
    maisie, leo = views
    police = tree_of("police-icpc.yaml")["view_on_plan"]
    assert [r[:2] for r in maisie[1:3]] == [
        ["School", "Child protection plan"],
        ["Police", "Child in need plan"],
    ]
    assert maisie[2][2] == police[0]["reason"].strip()
    assert maisie[-1] == [
        "A difference of view to discuss: Child protection plan (School); Child in need plan "
        "(Police)."
    ]
    assert [r[1] for r in leo[1:3]] == ["Child protection plan", "Child protection plan"]
    assert not leo[-1][0].startswith("A difference of view")
    # The GP's report asks no such question: it is neither listed nor said to give none.
    assert all("General practice" not in row[0] for t in views for row in t)
    assert "Maisie Fenwick: the agencies' views on a plan differ" in text
    assert "Recommendations" not in text and "Progress against the plan" not in text


# --- inputs, outputs, and the usual rules -----------------------------------------------------


def test_a_folder_stands_for_every_input_in_it_and_the_map_in_it_is_not_one(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    folder = conference["school"].parent
    (folder / "~$school.docx").write_bytes(b"a lock file Word leaves while a file is open")
    (folder / "notes.txt").write_text("not an input", "utf-8")
    report = folder / "school-report.docx"  # the school's filled report, lying beside it
    assert run("fill", conference["school"], "-o", report).exit_code == 0
    first = merged(folder, folder, name="map.docx")
    again = run("merge", folder, "-o", first, "--force")
    assert again.exit_code == 0, again.output
    assert f"warning: {report} was skipped: it " in again.stderr
    stand = table_headed(first, "Agency", "Author")
    assert [row[0] for row in stand[1:]] == ["General practice", "Police", "School"]
    # Named on the command line, the same document is refused as an input.
    named = run("merge", conference["gp"], report, "-o", folder / "other.docx")
    assert named.exit_code == 1 and f"error: {report}: " in named.stderr


def test_an_existing_map_is_kept_without_force_and_an_input_never_replaced(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = tmp_path / "map.docx"
    output.write_bytes(b"the chair's own notes")
    refused = run("merge", *conference.values(), "-o", output)
    assert refused.exit_code == 1 and "already exists; use --force" in refused.stderr
    assert output.read_bytes() == b"the chair's own notes"
    school = conference["school"].read_bytes()
    onto_input = run("merge", *conference.values(), "-o", conference["school"].with_suffix(".docx"))
    assert onto_input.exit_code == 0  # a new name beside the inputs is fine
    # A name that leads to an input (here a link to it) is refused, even with --force.
    link = tmp_path / "link.docx"
    link.symlink_to(conference["school"])
    as_input = run("merge", *conference.values(), "-o", link, "--force")
    assert as_input.exit_code == 1 and "is one of the inputs" in as_input.stderr
    assert conference["school"].read_bytes() == school


def test_an_empty_folder_and_a_missing_file_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = run("merge", tmp_path / "empty", "-o", tmp_path / "map.docx")
    assert empty.exit_code == 1 and "holds no input files" in empty.stderr
    missing = run("merge", tmp_path / "nobody.yaml", "-o", tmp_path / "map.docx")
    assert missing.exit_code == 1 and "nobody.yaml" in missing.stderr
    assert f"error: {tmp_path / 'nobody.yaml'}: no such file\n" in missing.stderr
    assert "Traceback" not in missing.output


def test_merge_needs_an_input_and_a_docx_output(tmp_path: Path) -> None:
    assert run("merge", "-o", tmp_path / "map.docx").exit_code == 2
    wrong = run("merge", CONFERENCE / "school-icpc.yaml", "-o", tmp_path / "map.pdf")
    assert wrong.exit_code == 2 and "ending in .docx" in wrong.stderr
    assert not (tmp_path / "map.pdf").exists()


def test_the_conference_examples_are_the_examples_of_each_agency() -> None:
    # The school's and the GP's inputs in the conference folder are the project's examples.
    assert (CONFERENCE / "school-icpc.yaml").read_bytes() == (
        EXAMPLES / "icpc-school.yaml"
    ).read_bytes()
    assert (CONFERENCE / "gp-medical.yaml").read_bytes() == (
        EXAMPLES / "medical-gp.yaml"
    ).read_bytes()


@pytest.mark.pdf
def test_the_map_as_pdf_reads_as_the_whiteboard(
    libreoffice: str, tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = tmp_path / "map.docx"
    result = run("merge", *conference.values(), "-o", output, "--pdf")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(output), str(output.with_suffix(".pdf"))]
    text = subprocess.run(
        ["pdftotext", "-layout", str(output.with_suffix(".pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The three questions stand side by side on one line, as on the whiteboard.
    assert re.search(
        r"What are we worried about\?\s+What's working well\?\s+What needs to happen\?", text
    )
    assert "A difference of view to discuss" in text
    assert "Page 1 of" in text and "OFFICIAL-SENSITIVE" in text


def test_a_gp_who_gives_no_score_is_left_out_of_the_spread_and_said_so(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    gp = tree_of("gp-medical.yaml")
    del gp["scaling"]["scores"][1]["score"]
    gp["scaling"]["scores"][1]["reason"] = "The practice has not seen Leo since January."
    no_score = write_yaml(tmp_path / "gp.yaml", gp)
    output = merged(tmp_path, conference["school"], conference["police"], no_score)
    leo = [t for t in tables(output) if t and t[0][0] == "Agency" and "Score" in t[0]][1]
    assert [r[12] for r in leo[1:-1]] == ["3", "1", "No score"]
    assert "Lowest 1 (Police), highest 3 (School): a spread of 2." in leo[-1][0]
    assert "General practice gave no score (the reason is in the table)." in docx_text(output)


def test_what_agencies_type_reaches_the_map_exactly(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    school = tree_of("school-icpc.yaml")
    typed = "Kerry said {{ x }} & {% if %} <b>not</b> {_{ y }_} 100% \"so\" 'there' 🙂"
    school["worries"]["harm"] = typed
    school["author"]["agency"] = "Police"  # two agencies of one name: told apart by author
    path = write_yaml(tmp_path / "school.yaml", school)
    output = merged(tmp_path, path, conference["police"])
    text = docx_text(output)
    assert typed in text
    stand = table_headed(output, "Agency", "Author")
    assert [row[0] for row in stand[1:]] == ["Police (Ms Joanna Pryce)", "Police (DC Rachel Oduya)"]


def test_an_unborn_child_is_matched_by_the_expected_date(tmp_path: Path) -> None:
    trees = []
    for name in ("school-icpc.yaml", "police-icpc.yaml"):
        tree = tree_of(name)
        tree["conference"]["type"] = "pre-birth"
        baby = {
            "id": "baby",
            "name": "Baby Fenwick",
            "edd": "2025-05-20",
            "gender": "unborn",
            "ethnicity": "White British",
            "first_language": "English",
        }
        tree["children"].append(baby)
        tree["child_voice"].append(
            {
                "child": "baby",
                "method": "not gathered",
                "views": "Kerry is 30 weeks pregnant.",
                "not_gathered_reason": "The baby is not yet born.",
            }
        )
        tree["scaling"]["scores"].append({"child": "baby", "score": "2", "reason": "Not yet born."})
        tree.pop("view_on_plan", None)
        trees.append(write_yaml(tmp_path / name, tree))
    output = merged(tmp_path, *trees)
    children = table_headed(output, "Name", "Known as", "Date of birth")
    assert children[-1] == ["Baby Fenwick", "", "Expected 20 May 2025", "Unborn", "Unborn"]
    other = yaml.load(trees[1].read_text("utf-8"), Loader=AllStrings)
    other["children"][-1]["edd"] = "2025-05-27"
    write_yaml(trees[1], other)
    refused = run("merge", *trees, "-o", tmp_path / "other.docx")
    assert refused.exit_code == 1
    assert "Baby Fenwick's date of birth is expected 20 May 2025 in" in refused.stderr


def test_the_due_days_of_the_area_decide_what_is_late(
    tmp_path: Path, conference: dict[str, Path]
) -> None:
    output = tmp_path / "map.docx"
    result = run("merge", *conference.values(), "-o", output, "--due-days", "initial=1")
    assert result.exit_code == 0, result.output
    stand = table_headed(output, "Agency", "Author", "Report", "Reached the chair")
    assert [row[3] for row in stand[1:]] == ["7 March 2025", "11 March 2025", "7 March 2025"]
    assert "by Tuesday 11 March 2025 (1 working day before the conference)" in docx_text(output)


def test_every_form_of_input_merges_to_the_same_map(tmp_path: Path) -> None:
    """The school's input as YAML, the police's as a Word form, the GP's as JSON and then as a
    workbook: one map, whatever form each agency sent."""
    folder = tmp_path / "forms"
    folder.mkdir()
    school = shutil.copy(CONFERENCE / "school-icpc.yaml", folder / "school.yaml")
    police = folder / "police.docx"
    assert run("convert", CONFERENCE / "police-icpc.yaml", "-o", police).exit_code == 0
    gp_json, gp_xlsx = folder / "gp.json", folder / "gp.xlsx"
    assert run("convert", CONFERENCE / "gp-medical.yaml", "-o", gp_json).exit_code == 0
    assert run("convert", CONFERENCE / "gp-medical.yaml", "-o", gp_xlsx).exit_code == 0
    yaml_only = merged(
        tmp_path,
        CONFERENCE / "school-icpc.yaml",
        CONFERENCE / "police-icpc.yaml",
        CONFERENCE / "gp-medical.yaml",
        name="from-yaml.docx",
    )
    expected = docx_text(yaml_only)
    for gp in (gp_json, gp_xlsx):
        mixed = merged(tmp_path, Path(school), police, gp, name=f"from-{gp.suffix[1:]}.docx")
        assert docx_text(mixed) == expected
