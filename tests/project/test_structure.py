"""The package's structure: each kind's builder stands alone, and shared sections ask no kind."""

from __future__ import annotations

import ast
import inspect

import pytest

from sos_reports.documents.builders import sections
from sos_reports.kinds import KINDS
from tests.helpers.examples import ROOT

BUILDERS = ROOT / "sos_reports" / "documents" / "builders"
# Builders of one document each: a kind's report, the annex, the conference map.
DOCUMENTS = {*KINDS, "annex", "map"}


def builder_imports(name: str) -> set[str]:
    tree = ast.parse((BUILDERS / f"{name}.py").read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_builder_imports_another_documents_builder(name: str) -> None:
    others = {f"sos_reports.documents.builders.{other}" for other in DOCUMENTS - {name}}
    assert not builder_imports(name) & others


def test_no_shared_section_takes_a_kind_flag() -> None:
    """A shared section's options carry content (a kind's rows or lines), never a switch:
    no yes/no option (`review=True`) and no word naming a mode (`review="always"`)."""
    checked = 0
    for name, function in inspect.getmembers(sections, inspect.isfunction):
        if function.__module__ != sections.__name__ or name.startswith("_"):
            continue
        checked += 1
        for parameter in inspect.signature(function).parameters.values():
            switch = parameter.annotation == "bool" or (
                parameter.kind is parameter.KEYWORD_ONLY and parameter.annotation == "str"
            )
            assert not switch, f"sections.{name} takes {parameter}"
    assert checked >= 10
