"""Every Word and Excel file the tool writes is valid Office Open XML: Word and Excel open it
without offering to repair it, and it carries none of the libraries' stock parts.

Each output is made the way a user makes it, through the command line; an independent
validator (openxml-audit) then reads the file. A new kind of output (a Word form, say) is one
more entry in OUTPUTS.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from openxml_audit import OpenXmlValidator
from openxml_audit.verdict import AppPrediction, predict

from sos_reports.cli import cli
from tests.helpers.docx_xml import NS, W
from tests.helpers.examples import example_path, example_tree, write_yaml
from tests.helpers.kinds import KINDS, kinds_offering


def run(*args: str) -> list[Path]:
    """Run a command as a user would; the files it wrote."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [Path(line) for line in result.stdout.splitlines() if line.strip()]


def with_annex(tree: dict[str, Any]) -> dict[str, Any]:
    """An input with confidential details and a withheld adult, so that the annex has all
    its sections."""
    tree["confidential"] = {
        "present": "true",
        "reason": "whereabouts of a person at risk",
        # the day the report was written, or the record's conference
        "chair_informed": (tree.get("report") or tree["conference"])["date"],
        "details": "Where the children's aunt now lives.\n\nShe asked that nobody is told.",
    }
    tree["household"][-1]["withhold_from_family"] = "true"
    return tree


def filled_reports(kind: str, folder: Path) -> list[Path]:
    source = write_yaml(folder / f"{kind}.yaml", with_annex(example_tree(kind)))
    return run("fill", str(source))


def example_report(kind: str, folder: Path) -> list[Path]:
    source = folder / example_path(kind).name
    source.write_bytes(example_path(kind).read_bytes())
    return run("fill", str(source))


def blank_workbook(kind: str, folder: Path) -> list[Path]:
    return run("new", kind, "-o", str(folder / "blank.xlsx"))


def prefilled_workbook(kind: str, folder: Path) -> list[Path]:
    return run("convert", str(example_path(kind)), "-o", str(folder / "from.xlsx"))


def blank_word_form(kind: str, folder: Path) -> list[Path]:
    return run("new", kind, "-o", str(folder / "blank.docx"))


def filled_word_form(kind: str, folder: Path) -> list[Path]:
    return run("convert", str(example_path(kind)), "-o", str(folder / "from.docx"))


def next_word_form(kind: str, folder: Path) -> list[Path]:
    return run("new", kind, "--from", str(example_path("icpc")), "-o", str(folder / "next.docx"))


def review_from_initial(kind: str, folder: Path) -> list[Path]:
    return run("new", kind, "--from", str(example_path("icpc")), "-o", str(folder / "next.xlsx"))


def packaged_template(kind: str, folder: Path) -> list[Path]:
    return run("template", kind, "-o", str(folder / "template.docx"))


def conference_map(kind: str, folder: Path) -> list[Path]:
    """The chair's map of the example conference: the school's, the police's (as a workbook)
    and the GP's inputs."""
    conference = example_path("icpc").parent / "conference"
    police = run("convert", str(conference / "police-icpc.yaml"), "-o", str(folder / "police.xlsx"))
    inputs = [conference / "school-icpc.yaml", *police, conference / "gp-medical.yaml"]
    return run("merge", *map(str, inputs), "-o", str(folder / "map.docx"))


# name -> (what makes the files, the kinds it applies to)
OUTPUTS: dict[str, tuple[Callable[[str, Path], list[Path]], list[str]]] = {
    "example report": (example_report, KINDS),
    "report and annex": (filled_reports, KINDS),
    "blank workbook": (blank_workbook, KINDS),
    "pre-filled workbook": (prefilled_workbook, KINDS),
    "review workbook from an initial report": (review_from_initial, list(kinds_offering("review"))),
    "blank Word form": (blank_word_form, KINDS),
    "Word form of the example": (filled_word_form, KINDS),
    "Word form for the next report": (next_word_form, KINDS),
    "template for local changes": (packaged_template, KINDS),
    "conference map": (conference_map, ["icpc"]),
}

CASES = [(name, kind) for name, (_, kinds) in OUTPUTS.items() for kind in kinds]


def audit(path: Path) -> list[str]:
    """Every finding of the independent validator, errors, app-compatibility and security
    warnings alike, and its verdict if Word or Excel would repair or rewrite the file."""
    result = OpenXmlValidator(max_errors=0, security_validation=True).validate(path)
    findings = [
        f"{e.severity.value} in {e.part_uri} {e.path}: {e.description}" for e in result.errors
    ]
    verdict = predict(result)
    if verdict.prediction is not AppPrediction.OPENS_CLEAN:
        findings.append(verdict.headline)
    return findings


@pytest.mark.parametrize(("output", "kind"), CASES)
def test_every_file_written_opens_in_word_and_excel_without_repair(
    tmp_path: Path, output: str, kind: str
) -> None:
    make, _ = OUTPUTS[output]
    written = make(kind, tmp_path)
    assert written
    if output == "report and annex":
        assert len(written) == 2, "the annex was not written"
    for path in written:
        assert audit(path) == [], path.name


STOCK_PARTS = {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"}


@pytest.mark.parametrize("kind", KINDS)
def test_no_stock_part_of_the_default_template_is_left(tmp_path: Path, kind: str) -> None:
    for path in filled_reports(kind, tmp_path) + packaged_template(kind, tmp_path):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            assert not names & STOCK_PARTS, path.name
            assert not any(n.startswith("customXml/") for n in names), path.name
            app = archive.read("docProps/app.xml").decode("utf-8")
            rels = archive.read("_rels/.rels").decode() + archive.read(
                "word/_rels/document.xml.rels"
            ).decode("utf-8")
            types = archive.read("[Content_Types].xml").decode("utf-8")
            styles = archive.read("word/styles.xml").decode("utf-8")
        assert "Microsoft" not in app and "<Application>sos-reports</Application>" in app
        assert "thumbnail" not in rels and "stylesWithEffects" not in rels
        assert "thumbnail" not in types.lower() and "stylesWithEffects" not in types
        assert "latentStyles" not in styles
        assert len(styles) < 20_000, "styles.xml holds styles the report never uses"


@pytest.mark.parametrize("kind", KINDS)
def test_a_report_defines_only_the_styles_it_uses(tmp_path: Path, kind: str) -> None:
    report = filled_reports(kind, tmp_path)[0]
    with zipfile.ZipFile(report) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        content = [
            etree.fromstring(archive.read(n))
            for n in archive.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
        ]
    used = {e.get(f"{{{W}}}val") for root in content for e in root.iterfind(".//w:pStyle", NS)}
    used |= {e.get(f"{{{W}}}val") for root in content for e in root.iterfind(".//w:tblStyle", NS)}
    defined = {s.get(f"{{{W}}}styleId"): s for s in styles.iterfind("w:style", NS)}
    needed = set(used) | {sid for sid, s in defined.items() if s.get(f"{{{W}}}default") == "1"}
    for sid in list(needed):
        while sid in defined and (based := defined[sid].find("w:basedOn", NS)) is not None:
            sid = based.get(f"{{{W}}}val")
            needed.add(sid)
        if sid in defined and (nxt := defined[sid].find("w:next", NS)) is not None:
            needed.add(nxt.get(f"{{{W}}}val"))
    assert set(defined) - needed == set()
    assert {"Heading1", "Heading2", "Title", "TableGrid", "TableText"} <= set(defined)
