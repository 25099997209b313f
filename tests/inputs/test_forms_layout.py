"""One layout of the input forms, derived from the model: every form has every field."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from sos_reports.commands.forms import new_input
from sos_reports.inputs.forms.layout import Section, plan
from sos_reports.kinds import KINDS
from sos_reports.model.introspection import fields_of

VALUE_KINDS = {
    "text",
    "mtext",
    "date",
    "date-or-text",
    "bool",
    "choice",
    "score",
    "number",
    "child",
}


def leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    out = {}
    for spec in fields_of(model):
        if spec.model is not None:
            out.update(leaves(spec.model, (*prefix, spec.key)))
        else:
            out[(*prefix, spec.key)] = spec.value_type
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_field_declares_its_kind_of_value_on_its_type(kind: str) -> None:
    found = leaves(KINDS[kind].model)
    assert set(found.values()) <= VALUE_KINDS
    assert found[("worries", "harm")] == "mtext"
    assert found[("conference", "time")] == "text"
    assert found[("scaling", "scores", "score")] == "score"
    assert found[("needs_to_happen", "next_steps", "by")] == "date-or-text"


def test_a_type_without_a_kind_of_value_is_refused() -> None:
    class Loose(BaseModel):
        note: str

    with pytest.raises(TypeError, match=r"Loose\.note"):
        fields_of(Loose)


def layout_paths(kind: str) -> set[tuple[str, ...]]:
    paths = set()
    for part in plan(kind):
        if isinstance(part, Section):
            paths |= {(*part.base, *a.keys) for a in part.answers()}
        else:
            paths |= {(*part.loc, *a.keys) for a in part.columns}
    return paths


def word_paths(path: Path) -> set[tuple[str, ...]]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode()
    tags = re.findall(r'<w:tag w:val="([^"]+)"', xml)
    return {tuple(re.sub(r"\[[0-9]+\]", "", t).split(".")) for t in tags}


def workbook_paths(path: Path) -> set[tuple[str, ...]]:
    names = load_workbook(path).defined_names
    return {
        tuple(n.removeprefix("sos__").split("__"))
        for n in names
        if n.startswith("sos__") and not n.endswith("___parent")
    }


def json_paths(tree: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(tree, dict):
        return {p for k, v in tree.items() for p in json_paths(v, (*prefix, k))}
    if isinstance(tree, list) and tree and isinstance(tree[0], dict):
        return {p for item in tree for p in json_paths(item, prefix)}
    return {prefix}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_form_has_every_field_of_the_model(tmp_path: Path, kind: str) -> None:
    expected = set(leaves(KINDS[kind].model))
    assert layout_paths(kind) == expected
    for suffix in (".docx", ".xlsx", ".json"):
        new_input(kind, tmp_path / f"form{suffix}")
    assert word_paths(tmp_path / "form.docx") == expected
    assert workbook_paths(tmp_path / "form.xlsx") == expected
    skeleton = json.loads((tmp_path / "form.json").read_text("utf-8"))
    # Lists left empty in a blank skeleton show no fields; those given an entry show all.
    assert json_paths(skeleton) <= expected | {p[:i] for p in expected for i in range(1, len(p))}


def test_the_yaml_skeleton_says_each_thing_once(tmp_path: Path) -> None:
    new_input("icpc", tmp_path / "form.yaml")
    lines = (tmp_path / "form.yaml").read_text("utf-8").splitlines()
    comment = {lines[i + 1].strip(): lines[i].strip() for i in range(len(lines) - 1)}
    conference_type = comment["type:"]
    assert conference_type == "# Conference type; required; one of: initial, pre-birth, transfer-in"
    dob = comment["dob:"]
    assert "required unless the child is unborn" in dob and "optional" not in dob
    attending = comment["attending:"]
    assert attending.count("yes or no") == 1
