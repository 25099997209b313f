"""The package's imports run one way: no circle, no stage importing one above it, and nothing
at run time importing builders/."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.examples import ROOT

PACKAGE = ROOT / "sos_reports"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The sos_reports modules a file imports, at its top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            # `from sos_reports.inputs.forms import layout` imports the module layout.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {m for m in found if m.split(".")[0] == "sos_reports"}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path):
            # An import of a module reaches the module; of a name in it, the module too.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        edges[name] = targets
    return edges


def circle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules along it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_has_no_import_circle() -> None:
    # A package's __init__ is imported by every module inside it; only real edges count.
    found = circle(graph())
    assert found is None, "import circle: " + " -> ".join(found or [])


def test_no_run_time_module_imports_the_template_builders() -> None:
    edges = graph()
    offenders = {
        name: sorted(t for t in targets if t.startswith("sos_reports.documents.builders"))
        for name, targets in edges.items()
        if not name.startswith("sos_reports.documents.builders")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_walk_sees_a_circle_when_there_is_one() -> None:
    """The check itself can fail: a made-up circle is found, a line is not."""
    assert circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert circle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# The floors of the house, lowest first: a module imports only from its own floor or below.
# The package itself (`import sos_reports`, for its version) is the door, not a floor.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("support",),
    ("kinds", "results"),
    ("model",),
    ("inputs",),
    ("checks",),
    ("documents",),
    ("commands",),
    ("web",),
    ("hosted",),
    ("cli", "__main__"),
)


def floor_of(module: str) -> int:
    room = module.split(".")[1]
    for level, rooms in enumerate(FLOORS):
        if room in rooms:
            return level
    raise AssertionError(f"{module} stands on no floor: add its room to FLOORS")


def arrows_running_up(edges: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{name} -> {target}"
        for name, targets in edges.items()
        if name != "sos_reports"
        for target in targets
        if target != "sos_reports" and floor_of(target) > floor_of(name)
    )


def test_no_stage_imports_a_stage_above_it() -> None:
    assert arrows_running_up(graph()) == []


def test_the_floors_see_an_arrow_running_up() -> None:
    """The check itself can fail: the readers importing the documents is found."""
    edges = {"sos_reports.inputs.read": {"sos_reports.documents.render", "sos_reports.errors"}}
    assert arrows_running_up(edges) == ["sos_reports.inputs.read -> sos_reports.documents.render"]
