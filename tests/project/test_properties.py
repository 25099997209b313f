"""Property-based tests: inputs generated from the model, valid and broken, for every kind.

Valid inputs start from each kind's example and let hypothesis rewrite every free-text value
the model has (any Unicode text an XML document can hold, line breaks and blank lines in
their every spelling, template-like syntax, right-to-left scripts) and leave out optional
ones. For each: `fill` succeeds, every free-text value is in the report as typed, the
confidential details are in no part of the report's zip, filling twice gives the same text,
and the YAML, JSON, workbook and Word form spellings give the same report.

Broken inputs put a wrong value at a random place of the model (a wrong type, a value out of
range, a missing required key, an unknown key, a hostile string, a deep or huge structure).
For each: exit 1, a message naming a real path of the input, no traceback, nothing written.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sos_reports.cli import cli
from sos_reports.commands.forms import convert
from sos_reports.commands.reports import fill, validate
from sos_reports.kinds import KINDS
from sos_reports.model.introspection import fields_of
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_tree, write_json
from tests.helpers.report_text import confidential_or_withheld, free_text, pieces

# Each example costs a few fills; the counts keep the suite to well under a minute.
# SOS_REPORTS_EXAMPLES=200 explores further, for a long run by hand.
VALID_EXAMPLES = int(os.environ.get("SOS_REPORTS_EXAMPLES", 12))
BROKEN_EXAMPLES = int(os.environ.get("SOS_REPORTS_EXAMPLES", 40))
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values whose form is checked (an address, a register number) or that name something
# (a child's id): rewritten, they would be errors, not text.
FORMED = {"id", "email", "nhs_number", "gmc_number"}
# Optional values that a rule across fields asks for in the examples (who presents when the
# author is not attending, why a child was not seen, ...): they stay.
RULED = {
    "presenting",
    "not_seen_reason",
    "not_gathered_reason",
    "not_shared_reason",
    "immunisation_details",
    "impact",
    "countersigned_by",
    "family_goals",
    "agency_goals",
}

# Characters XML cannot hold are errors by the input format; everything else is text.
_XML_INVALID = re.compile("[\x00-\x08\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CHARACTERS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0c\x0e\x0f\x10\x11\x12\x13"
    "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
)
_TRICKY = st.sampled_from(
    ["{{ 7*7 }}", "{% if x %}", "{_{ x }_}", "& < > \" '", "\t", "👧🏽", "ŵ", "الطفل", "%", "}}"]
)
_WORDS = st.lists(st.one_of(st.text(_CHARACTERS, min_size=1, max_size=12), _TRICKY), max_size=8)
_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\u2028", "\n\n", "\u2029", "\n \n"])


@st.composite
def one_line(draw: st.DrawFn) -> str:
    text = " ".join(draw(_WORDS))
    text = re.sub(r"[\n\r\x0b\u2028\u2029]", " ", text)
    return text if text.strip() else f"x{text}"  # a required value is never blank


@st.composite
def free(draw: st.DrawFn) -> str:
    lines = draw(st.lists(one_line(), min_size=1, max_size=4))
    text = lines[0]
    for line in lines[1:]:
        text += draw(_BREAKS) + line
    return text


def _rewrite(draw: st.DrawFn, model: type[BaseModel], node: Any) -> Any:
    """The tree `node` of block `model`, with its free text rewritten and optionals dropped."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for spec in fields_of(model):
        if spec.key not in node:
            continue
        value = node[spec.key]
        free_text = spec.value_type in {"text", "mtext"}
        optional = not spec.required and spec.key not in FORMED | RULED
        if optional and free_text and draw(st.integers(0, 5)) == 0:
            continue  # an optional value left out
        if spec.model is not None:
            value = (
                [_rewrite(draw, spec.model, v) for v in value]
                if isinstance(value, list)
                else _rewrite(draw, spec.model, value)
            )
        elif spec.key not in FORMED and free_text:
            # The kind of value the model declares: one line of text, or free text.
            multiline = spec.value_type == "mtext"
            if isinstance(value, str):
                value = draw(free() if multiline else one_line())
            elif isinstance(value, list) and multiline:
                value = [draw(free()) for _ in value]  # a list of free text (safety goals)
        out[spec.key] = value
    return out


@st.composite
def valid_input(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    example = example_tree(kind)
    tree = _rewrite(draw, KINDS[kind].model, example)
    # A record's people are each listed once, and a score's `by` names one of them: it
    # follows their new name.
    seen: set[str] = set()
    for i, person in enumerate(tree.get("attendance", [])):
        if " ".join(person["name"].split()).casefold() in seen:
            person["name"] = f"{person['name']} {i}"
        seen.add(" ".join(person["name"].split()).casefold())
    renamed = {
        old["name"]: new["name"]
        for old, new in zip(example.get("attendance", []), tree.get("attendance", []), strict=True)
    }
    for old, new in zip(example["scaling"]["scores"], tree["scaling"]["scores"], strict=True):
        if "by" in old:
            new["by"] = renamed[old["by"]]
    return tree


def _report_text(source: Path, output: Path) -> str:
    result = fill(source, output, force=True)
    return docx_text(Path(result.written[0]))


def _zip_holds(path: Path, needle: str) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(
            needle.encode(encoding) in archive.read(name)
            for name in archive.namelist()
            for encoding in ("utf-8", "utf-16-le")
        )


@pytest.mark.parametrize("kind", list(KINDS))
@settings(SETTINGS, max_examples=VALID_EXAMPLES)
@given(data=st.data())
def test_any_valid_input_fills_a_report_holding_every_value_and_nothing_confidential(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: st.DataObject
) -> None:
    tree = data.draw(valid_input(kind))
    folder = tmp_path_factory.mktemp(kind)
    # Double-quoted throughout: PyYAML's own choice of style loses a NEL (U+0085) it writes.
    source = folder / "input.yaml"
    source.write_text(yaml.safe_dump(tree, allow_unicode=True, default_style='"'), "utf-8")
    checked = validate(source)
    assume(not checked.errors)  # a dropped optional value that a rule needs
    model = checked.model
    assert model is not None

    text = _report_text(source, folder / "report.docx")
    values = [(p, v) for p, v in free_text(model) if not confidential_or_withheld(model, p)]
    missing = [(p, piece) for p, v in values for piece in pieces(v) if piece not in text]
    assert missing == []

    secrets = [v for p, v in free_text(model) if confidential_or_withheld(model, p)]
    for secret in secrets:
        for piece in pieces(secret):
            # A short piece ("Yes") can stand in the report for other reasons.
            if len(piece) >= 12 and piece not in text:
                assert not _zip_holds(folder / "report.docx", piece)

    assert _report_text(source, folder / "again.docx") == text  # filling twice: the same
    as_json = write_json(folder / "input.json", tree)
    assert _report_text(as_json, folder / "from-json.docx") == text
    # The same input as a workbook and as a Word form, written by `convert`.
    for form in ("xlsx", "docx"):
        spelled = folder / f"input-form.{form}"
        convert(source, spelled, force=True)
        assert _report_text(spelled, folder / f"from-{form}.docx") == text, form


# --- broken inputs -----------------------------------------------------------------------


def _places(node: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a tree: the keys and indexes that lead to it."""
    out = [loc]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _places(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _places(value, (*loc, i))
    return out


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_WRONG = st.one_of(
    st.sampled_from(
        ["11", "-1", "4.5", "four", "31/02/2026", "2026-13-01", "maybe", "", "   ", "not-a-child"]
    ),
    st.sampled_from([[], {}, ["a", "b"], {"x": "y"}, True, 12345678901234567890, 1.5e300]),
    st.text(st.characters(whitelist_categories=("Cc",)), min_size=1, max_size=3),
    st.recursive(st.just("x"), lambda inner: st.lists(inner, max_size=2), max_leaves=30),
)


@st.composite
def broken_input(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], str]:
    """An example with one thing wrong, and the path of the changed place."""
    tree = example_tree(kind)
    places = [p for p in _places(tree) if p and p != ("kind",)]
    loc = draw(st.sampled_from(places))
    parent: Any = tree
    for part in loc[:-1]:
        parent = parent[part]
    how = draw(st.sampled_from(["wrong", "unknown", "missing"]))
    if how == "unknown" and isinstance(parent, dict):
        parent[f"{loc[-1]}_extra"] = "x"
    elif how == "missing" and isinstance(parent, dict):
        del parent[loc[-1]]
    else:
        parent[loc[-1]] = draw(_WRONG)
    return tree, _path(loc)


@pytest.mark.parametrize("kind", list(KINDS))
@settings(SETTINGS, max_examples=BROKEN_EXAMPLES)
@given(data=st.data())
def test_a_broken_input_is_refused_naming_its_place_with_nothing_written(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: st.DataObject
) -> None:
    tree, changed = data.draw(broken_input(kind))
    folder = tmp_path_factory.mktemp(f"broken-{kind}")
    spelling = data.draw(st.sampled_from(["yaml", "json"]))
    source = folder / f"input.{spelling}"
    if spelling == "yaml":
        source.write_text(yaml.safe_dump(tree, allow_unicode=True, default_style='"'), "utf-8")
    else:
        source.write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    checked = validate(source)
    if not checked.errors:
        # Some changes leave a valid input (an optional value removed, "maybe" as free text).
        return
    result = CliRunner().invoke(cli, ["fill", str(source)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "failed unexpectedly" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == [source.name]  # nothing written
    # Every error names a real place: the changed one or a place inside it, a place of the
    # input as given, or (for a required key that was removed) a place of the example.
    places = {_path(p) for p in _places(tree)} | {_path(p) for p in _places(example_tree(kind))}
    for finding in checked.errors:
        if finding.code == "read":
            assert finding.line is not None or finding.path == "", finding
            continue
        # A value a rule asks for may be one the input leaves out: its block is then real.
        asked = finding.code == "required" and finding.path.rsplit(".", 1)[0] in places
        assert finding.path in places or finding.path.startswith(changed) or asked, (
            finding,
            changed,
        )
        assert finding.path in result.output
