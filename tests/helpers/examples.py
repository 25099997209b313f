"""The project's example inputs, by kind, as the registry names them; and writing a tree out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from sos_reports.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def example_path(kind: str) -> Path:
    """The example input of a kind, the file its registry entry names in examples/."""
    return EXAMPLES / KINDS[kind].example_name


class AllStrings(yaml.SafeLoader):
    """Reads YAML the way the input format does: every scalar a string."""


AllStrings.yaml_implicit_resolvers = {}


def example_tree(kind: str = "icpc") -> dict[str, Any]:
    """The example input as a plain tree, to change and write out in a test."""
    tree: dict[str, Any] = yaml.load(example_path(kind).read_text("utf-8"), Loader=AllStrings)
    return copy.deepcopy(tree)


def write_json(path: Path, tree: dict[str, Any]) -> Path:
    path.write_text(json.dumps(tree, ensure_ascii=False, indent=1), "utf-8")
    return path


def write_yaml(path: Path, tree: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
    return path
