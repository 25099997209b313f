"""Helpers for the plain input tree (nested dicts and lists), shared by readers, forms and checks."""

from __future__ import annotations

from typing import Any

# A place in the tree: keys and list indexes, `('scaling', 'scores', 1, 'score')`.
Loc = tuple[str | int, ...]


def path_of(loc: Loc) -> str:
    """`('scaling', 'scores', 1, 'score')` as `scaling.scores[1].score`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def child_ids(tree: dict[str, Any]) -> list[str]:
    """The ids of the children of an input tree, as typed (read before any checking)."""
    children = tree.get("children")
    if not isinstance(children, list):
        return []
    return [
        str(c["id"]).strip()
        for c in children
        if isinstance(c, dict) and isinstance(c.get("id"), (str, int)) and str(c["id"]).strip()
    ]


def dig(tree: Any, keys: Loc) -> Any:
    """The value at `keys`, or None where any step is missing or not a block / list."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(tree, list) or not -len(tree) <= key < len(tree):
                return None
            tree = tree[key]
        elif isinstance(tree, dict):
            tree = tree.get(key)
        else:
            return None
    return tree


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def block_at(tree: dict[str, Any], keys: Loc) -> dict[str, Any]:
    """The block at `keys` (keys only, no indexes), made where it is missing."""
    for key in keys:
        tree = tree.setdefault(str(key), {})
    return tree


def put(tree: dict[str, Any], keys: Loc, value: Any) -> None:
    block_at(tree, keys[:-1])[str(keys[-1])] = value
