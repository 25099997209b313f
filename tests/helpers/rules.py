"""Changing a valid example one rule at a time, and reading the findings that come back."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from sos_reports.checks.validation import Checked
from sos_reports.commands.reports import validate
from sos_reports.errors import Finding
from sos_reports.kinds import KINDS as REGISTRY
from sos_reports.model.introspection import field_at
from sos_reports.support.deadlines import DueDays
from tests.helpers.examples import example_tree
from tests.helpers.kinds import KINDS


def _parts(path: str) -> list[str | int]:
    found = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    return [int(p[1:-1]) if p.startswith("[") else p for p in found]


# --- changing an example ------------------------------------------------------------------

DROP = object()  # a change that removes the key


@functools.cache
def _example(kind: str) -> dict[str, Any]:
    return example_tree(kind)  # reading the YAML costs ~30 ms: once per kind is enough


def tree_of(kind: str) -> dict[str, Any]:
    return copy.deepcopy(_example(kind))


def get(tree: Any, path: str) -> Any:
    for part in _parts(path):
        tree = tree[part]
    return tree


def put(tree: Any, path: str, value: Any) -> None:
    *parents, last = _parts(path)
    node = tree
    for part in parents:
        node = node[part]
    if value is DROP:
        if isinstance(node, dict):
            node.pop(last, None)
        else:
            del node[last]
    else:
        node[last] = value


def day(path: str, days: int = 0, years: int = 0) -> Callable[[dict[str, Any]], str]:
    """A date relative to a date of the example, so one change fits every kind."""

    def resolve(tree: dict[str, Any]) -> str:
        base = dt.date.fromisoformat(get(tree, path))
        return base.replace(year=base.year + years).__add__(dt.timedelta(days=days)).isoformat()

    return resolve


Changes = dict[str, Any] | Callable[[dict[str, Any]], None]


def changed(kind: str, changes: Changes) -> dict[str, Any]:
    """The example of `kind` with `changes` made: {path: value}, a value may be DROP or a
    function of the unchanged example (see `day`); or a function that edits the tree."""
    tree = tree_of(kind)
    if callable(changes):
        changes(tree)
        return tree
    original = _example(kind)  # read only
    for path, value in changes.items():
        if callable(value):
            value = value(original)
        put(tree, path, value if value is DROP else copy.deepcopy(value))
    return tree


def check_tree(work: Path, tree: dict[str, Any], due_days: DueDays | None = None) -> Checked:
    # ASCII JSON: any string (even a lone surrogate) reaches the reader as typed.
    path = work / "input.json"
    path.write_text(json.dumps(tree), "utf-8")
    return validate(path, due_days=due_days)


def findings(
    work: Path, kind: str, changes: Changes, due_days: DueDays | None = None
) -> list[Finding]:
    return check_tree(work, changed(kind, changes), due_days).findings


def listing(found: Iterable[Finding]) -> str:
    return "\n".join(str(f) for f in found) or "(no findings)"


def assert_finding(found: list[Finding], severity: str, path: str, fragment: str) -> Finding:
    """The one finding at `path`: of this severity, its message containing `fragment`."""
    at = [f for f in found if f.path == path]
    assert len(at) == 1, f"expected one finding at {path}, got:\n{listing(found)}"
    hit = at[0]
    assert hit.severity == severity, str(hit)
    assert fragment.lower() in hit.message.lower(), str(hit)
    return hit


def value_at(model: Any, path: str) -> Any:
    for part in _parts(path):
        if isinstance(part, int):
            model = model[part]
        else:
            model = getattr(model, part if hasattr(model, part) else f"{part}_")
    return model


def row(
    id: str,
    changes: Changes,
    severity: str,
    path: str,
    fragment: str,
    kinds: Iterable[str] | None = None,
    xfail: str | None = None,
) -> list[Any]:
    """One broken rule, as one test per kind it applies to (by default every kind) whose
    input has the blocks the changes are made in: a record has no `author` to break."""
    keys = changes if isinstance(changes, dict) else ()
    kinds = [
        kind
        for kind in (KINDS if kinds is None else kinds)
        if all(_has_parent(kind, key) for key in keys)
    ]
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return [
        pytest.param(kind, changes, severity, path, fragment, id=f"{kind}-{id}", marks=marks)
        for kind in kinds
    ]


def _has_parent(kind: str, path: str) -> bool:
    """Whether the kind's input has the block or list that `path` is changed in."""
    parent = tuple(_parts(path)[:-1])
    return not parent or field_at(REGISTRY[kind].model, parent) is not None


def table(*rows: list[Any]) -> list[Any]:
    return [param for r in rows for param in r]


CASE = ("kind", "changes", "severity", "path", "fragment")
