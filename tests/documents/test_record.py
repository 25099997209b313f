"""The conference record as everyone who attended reads it, read back with python-docx (a
reader of its own, not the tests' XML helpers): every decision, score, dissent, action, goal
and date is there, and what was said in the closed part is in the chair's annex only."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.table import Table

from sos_reports.commands.reports import fill, validate
from sos_reports.model.record import RecordInput
from sos_reports.support.formatting import long_date
from tests.helpers.examples import example_path, example_tree, write_yaml
from tests.helpers.report_text import pieces


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordInput, Path, Path]:
    folder = tmp_path_factory.mktemp("record")
    source = folder / "record.yaml"
    source.write_bytes(example_path("record").read_bytes())
    model = validate(source).valid_model()
    assert isinstance(model, RecordInput)
    report, annex = (Path(p) for p in fill(source).written)
    return model, report, annex


def paragraphs(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs]


def tables(document: DocxDocument) -> list[Table]:
    return list(document.tables)


def rows(table: Table) -> list[list[str]]:
    out = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:  # a merged cell is listed once per column it spans
            if not cells or cell.text != cells[-1]:
                cells.append(cell.text)
        out.append(cells)
    return out


def table_headed(document: DocxDocument, *header: str) -> Iterator[list[list[str]]]:
    for table in tables(document):
        found = rows(table)
        if found and tuple(found[0][: len(header)]) == header:
            yield found


def all_text(document: DocxDocument) -> str:
    cells = [cell.text for t in tables(document) for row in t.rows for cell in row.cells]
    return "\n".join(paragraphs(document) + cells)


def name_of(model: RecordInput, child_id: str) -> str:
    return next(c.name for c in model.children if c.id == child_id)


def test_the_record_opens_with_the_decision_for_each_child_in_plain_words(
    record: tuple[RecordInput, Path, Path],
) -> None:
    model, report, _ = record
    text = paragraphs(docx.Document(str(report)))
    headings = [
        p.text for p in docx.Document(str(report)).paragraphs if p.style.name == "Heading 1"
    ]
    assert headings[0] == "What the conference decided"
    for decision in model.decisions:
        name = name_of(model, decision.child)
        at = text.index(name)
        assert text[at + 1] == f"{name} will have a child protection plan."
        categories = ", ".join(c.label for c in decision.categories)
        assert text[at + 2] == f"Category of the plan: {categories}"
        assert text[at + 3] == f"Why: {decision.reason.strip()}"


def test_every_score_is_in_a_table_of_who_said_what_with_the_spread_never_averaged(
    record: tuple[RecordInput, Path, Path],
) -> None:
    model, report, _ = record
    document = docx.Document(str(report))
    found = list(table_headed(document, "Who", "Score", "Why"))
    assert len(found) == len(model.children)
    for child, table in zip(model.children, found, strict=True):
        given = [s for s in model.scaling.scores if s.child == child.id]
        body, spread = table[1:-1], table[-1]
        assert body == [[s.by, str(s.score), (s.reason or "").strip()] for s in given]
        low, high = min(s.score for s in given), max(s.score for s in given)
        assert spread[0].startswith(
            f"The scores run from {low} to {high}: a spread of {high - low}."
        )
        assert f"A difference of view: the scores for {child.name} are" in spread[0]
        average = sum(s.score for s in given) / len(given)
        assert "average" not in spread[0].lower() and f"{average:g}" not in spread[0]


def test_dissent_the_plan_its_goals_and_its_dates_are_all_there(
    record: tuple[RecordInput, Path, Path],
) -> None:
    model, report, _ = record
    document = docx.Document(str(report))
    (dissent,) = table_headed(document, "Child", "Who", "Their view")
    assert dissent[1:] == [
        [name_of(model, d.child), x.name, x.view.strip()]
        for d in model.decisions
        for x in d.dissent
    ]
    (plan,) = table_headed(document, "What will be done", "Who", "By when", "For")
    for row, action in zip(plan[1:], model.plan, strict=True):
        by = long_date(action.by) if not isinstance(action.by, str) else action.by
        who = f"{action.responsible} ({action.agency})" if action.agency else action.responsible
        children = ", ".join(name_of(model, c) for c in action.children) or "All the children"
        assert row == [action.action.strip(), who, by, children]
    assert len(plan) == len(model.plan) + 1
    text = all_text(document)
    for goals in (model.family_goals, model.agency_goals):
        assert goals is not None
        for piece in pieces(goals):
            assert piece.strip() in text
    (dates,) = [t for t in map(rows, tables(document)) if t[0][0] == "Core group members"]
    assert dates == [
        ["Core group members", ", ".join(model.core_group.members)],
        ["First core group meeting", long_date(model.core_group.first_meeting)],
        ["Review conference", long_date(model.review_date)],
    ]


def test_who_was_invited_and_who_is_given_the_record(
    record: tuple[RecordInput, Path, Path],
) -> None:
    model, report, _ = record
    document = docx.Document(str(report))
    (invited,) = table_headed(document, "Name", "Role", "Agency", "Attendance")
    assert [r[0] for r in invited[1:]] == [a.name for a in model.attendance]
    kerry = next(r for r in invited if r[0] == "Kerry Fenwick")
    assert kerry[2:4] == ["Family", "Attended"]
    mehra = next(r for r in invited if r[0] == "Dr Anil Mehra")
    assert mehra[3:] == ["Sent a report only", "Yes"]
    (given,) = table_headed(document, "Name", "Sent", "How")
    assert [r[0] for r in given[1:]] == [d.name for d in model.distribution]
    text = paragraphs(document)
    at = text.index("If you do not agree with this record")
    assert f"tell the chair, {model.sign_off.name}, within 10 working days" in text[at + 1]


def test_what_was_said_in_the_closed_part_is_in_the_annex_and_nowhere_in_the_record(
    record: tuple[RecordInput, Path, Path],
) -> None:
    model, report, annex = record
    assert model.confidential.details
    secrets = [p.strip() for p in pieces(model.confidential.details)]
    secrets += ["caution in 2019", "threatening behaviour"]
    with zipfile.ZipFile(report) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            for secret in secrets:
                for encoding in ("utf-8", "utf-16-le"):
                    assert secret.encode(encoding) not in data, (name, secret)
    assert "A closed part of the meeting" in paragraphs(docx.Document(str(report)))
    annex_text = all_text(docx.Document(str(annex)))
    for secret in secrets:
        assert secret in annex_text
    assert "Sam Okafor, chair" in annex_text


def test_a_withheld_person_is_in_the_annex_only(tmp_path: Path) -> None:
    tree = example_tree("record")
    tree["household"][3]["withhold_from_family"] = True
    tree["household"][3]["address"] = "7 Hidden Row\nElsewhere"
    source = write_yaml(tmp_path / "withheld.yaml", tree)
    report, annex = (Path(p) for p in fill(source).written)
    assert "Pat Holroyd" not in all_text(docx.Document(str(report)))
    assert "7 Hidden Row" in all_text(docx.Document(str(annex)))


def test_a_review_that_ends_a_plan_says_so_in_a_parents_words(tmp_path: Path) -> None:
    tree: dict[str, Any] = example_tree("record")
    tree["conference"].update(
        type="review", date="2025-06-04", review_number=1, previous_date="2025-03-12",
        initial_date="2025-03-12",
    )  # fmt: skip
    tree["worries"]["remaining_concerns"] = "Dean's programme has only just started."
    tree["working_well"]["progress"] = "No further police call-outs since the conference."
    tree["decisions"][0].update(plan=False, categories=[], ended_to="child in need")
    tree["core_group"]["first_meeting"] = "2025-06-11"
    tree["review_date"] = "2025-12-03"
    tree["distribution"] = []
    tree["sign_off"]["date"] = "2025-06-05"
    source = write_yaml(tmp_path / "review.yaml", tree)
    report = Path(fill(source).written[0])
    text = paragraphs(docx.Document(str(report)))
    assert (
        "Maisie Fenwick's child protection plan ends. Maisie Fenwick will be supported by "
        "a child in need plan." in text
    )
    assert "Leo Ashby will go on having a child protection plan." in text
    assert "Remaining concerns" in text and "Progress towards the safety goals" in text


def test_batch_and_the_command_line_fill_a_record_beside_the_reports(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "inputs"
    folder.mkdir()
    for kind in ("record", "icpc"):
        (folder / example_path(kind).name).write_bytes(example_path(kind).read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "sos_reports", "batch", str(folder), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [
        "icpc-school-report.docx",
        "record-conference-report-confidential-annex.docx",
        "record-conference-report.docx",
    ]
    text = all_text(docx.Document(str(tmp_path / "out" / "record-conference-report.docx")))
    assert "What the conference decided" in text
