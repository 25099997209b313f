"""Each example's report text, compared on every run with the golden copy beside the examples.

A change to the model, the context, a builder or a template that alters what a family or a
conference reads shows up here as a diff of plain text. When the change is meant, run
`pytest tests/project/test_golden.py --update-golden` and commit the new examples/golden/ with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sos_reports.commands.reports import fill
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES

GOLDEN = EXAMPLES / "golden"
INPUTS = sorted(p for p in EXAMPLES.rglob("*.yaml") if GOLDEN not in p.parents)


def golden_name(example: Path) -> str:
    """examples/conference/school-icpc.yaml -> conference-school-icpc"""
    return "-".join(example.relative_to(EXAMPLES).with_suffix("").parts)


@pytest.mark.parametrize("example", INPUTS, ids=golden_name)
def test_the_report_text_of_every_example_is_as_golden(
    example: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / example.name
    source.write_bytes(example.read_bytes())
    written = [Path(p) for p in fill(source).written]
    texts = {f"{golden_name(example)}.txt": docx_text(written[0]) + "\n"}
    for annex in written[1:]:
        texts[f"{golden_name(example)}-confidential-annex.txt"] = docx_text(annex) + "\n"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        for name, text in texts.items():
            (GOLDEN / name).write_text(text, "utf-8")
    annex = GOLDEN / f"{golden_name(example)}-confidential-annex.txt"
    if annex.name not in texts:
        assert not annex.exists(), f"{example.name} fills no annex, but {annex} is kept for it"
    for name, text in texts.items():
        golden = GOLDEN / name
        assert golden.is_file(), f"{golden} is missing: run pytest {__file__} --update-golden"
        assert text == golden.read_text("utf-8"), (
            f"{example.name} no longer fills the report text in {golden}: if that is meant, "
            "run `pytest tests/project/test_golden.py --update-golden` and review the diff"
        )


def test_every_golden_text_belongs_to_an_example() -> None:
    reports = {p.stem.removesuffix("-confidential-annex") for p in GOLDEN.glob("*.txt")}
    assert reports == {golden_name(example) for example in INPUTS}
