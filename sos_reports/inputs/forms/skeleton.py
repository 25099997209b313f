"""Blank (or pre-filled) inputs as YAML with a comment on every field, or as JSON.

The skeleton is written from the model, so it always has every field of its kind. Values
given in `tree` are written as they are; the rest are left empty for the practitioner, and
`validate` lists each required one until it is filled.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pydantic import BaseModel

from sos_reports.inputs.forms.layout import PER_CHILD
from sos_reports.kinds import KINDS
from sos_reports.model.introspection import FieldSpec, fields_of
from sos_reports.support.tree import child_ids

_PLAIN = re.compile(r"^[A-Za-z0-9(][^:#\n\"'{}\[\],&*!|>%@`]*$")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _yaml_value(text: str, indent: str) -> str:
    """A value as YAML: plain where safe, a literal block for several lines, else quoted."""
    if "\n" in text:
        chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else "-"
        lines = (text[:-1] if not chomp else text).split("\n")
        if lines and lines[0].startswith(" "):
            return json.dumps(text, ensure_ascii=False)  # a block cannot start with a space
        body = "\n".join(f"{indent}  {line}" if line else "" for line in lines)
        return f"|{chomp}\n{body}"
    # `null`, `Null` and `NULL` read back as no value (a surname, say, would be lost).
    if (
        _PLAIN.match(text)
        and text == text.strip()
        and not text.endswith(":")
        and text not in ("null", "Null", "NULL")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment(spec: FieldSpec) -> str:
    """Title; required or optional; what it takes; what to write: each said once."""
    description = spec.description or ""
    said = description.lower()
    if spec.choices and all(str(c).lower() in said for c in spec.choices):
        description = said = ""  # it only lists the choices the hint gives
    parts = [spec.title]
    # "required unless the child is unborn" says more than "optional".
    if not said.startswith("required"):
        parts.append("required" if spec.required else "optional")
    hint = spec.hint()
    if hint and hint != "text" and hint.lower() not in said:
        parts.append(hint)
    if description and said not in hint.lower():
        parts.append(description)
    return "# " + "; ".join(parts)


def _entries(spec: FieldSpec, value: Any, child_ids: list[str] | None) -> list[Any]:
    """The entries to write: those given, one per child, one blank one, or none.

    With no `child_ids` (an input converted as it is), only the entries given.
    """
    if isinstance(value, list) and value:
        return value
    if child_ids is None:
        return []
    if spec.key in PER_CHILD and spec.model is not None and spec.required:
        return [{"child": cid} for cid in child_ids] or [None]
    if spec.min_items:
        return [None]  # one blank entry shows the shape of a list that needs one
    return []


def _yaml_block(
    model: type[BaseModel],
    tree: dict[str, Any],
    indent: str,
    child_ids: list[str] | None,
    first_prefix: str = "",
) -> list[str]:
    lines: list[str] = []
    for i, spec in enumerate(fields_of(model)):
        value = tree.get(spec.key) if isinstance(tree, dict) else None
        lead = first_prefix if (i == 0 and first_prefix) else indent
        if not (i == 0 and first_prefix):
            lines.append(f"{indent}{_comment(spec)}")
        if spec.model is not None and not spec.is_list:
            lines.append(f"{lead}{spec.key}:")
            lines += _yaml_block(spec.model, value or {}, indent + "  ", child_ids)
        elif spec.is_list:
            entries = _entries(spec, value, child_ids)
            if not entries:
                lines.append(f"{lead}{spec.key}: []")
                if spec.model is not None:
                    keys = ", ".join(f.key for f in fields_of(spec.model))
                    lines.append(
                        f"{indent}  # to add an entry, replace [] with lines `- {keys.split(', ')[0]}: ...` and the other keys: {keys}"
                    )
                continue
            lines.append(f"{lead}{spec.key}:")
            for entry in entries:
                if spec.model is not None:
                    lines.append(f"{indent}  # {spec.title}: one entry")
                    lines += _yaml_block(
                        spec.model,
                        entry or {},
                        indent + "    ",
                        child_ids,
                        first_prefix=f"{indent}  - ",
                    )
                else:
                    text = "" if entry is None else _yaml_value(_scalar(entry), indent + "  ")
                    lines.append(f"{indent}  - {text}".rstrip())
        else:
            text = "" if value is None else _yaml_value(_scalar(value), indent)
            lines.append(f"{lead}{spec.key}: {text}".rstrip())
    return lines


def yaml_skeleton(
    kind: str, tree: dict[str, Any] | None = None, *, blank_entries: bool = True
) -> str:
    """The input as commented YAML; `blank_entries`: start lists with entries to fill in."""
    tree = dict(tree or {})
    tree["kind"] = kind
    tree.setdefault("format_version", "1")
    title = KINDS[kind].title
    head = [
        f"# {title}: input for sos-reports.",
        "# Fill in the values after the colons. Lines starting with # are help and are ignored.",
        "# Text over several lines: write `|` after the colon and the lines below it, indented.",
        "# Check it with `sos-reports validate FILE`, then write the report with `sos-reports fill FILE`.",
        "",
    ]
    ids = child_ids(tree) if blank_entries else None
    body = _yaml_block(KINDS[kind].model, tree, "", ids)
    return "\n".join(head + body) + "\n"


def _json_block(model: type[BaseModel], tree: Any, child_ids: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields_of(model):
        value = tree.get(spec.key) if isinstance(tree, dict) else None
        if spec.model is not None and not spec.is_list:
            out[spec.key] = _json_block(spec.model, value or {}, child_ids)
        elif spec.is_list:
            entries = _entries(spec, value, child_ids)
            if spec.model is not None:
                out[spec.key] = [_json_block(spec.model, e or {}, child_ids) for e in entries]
            else:
                out[spec.key] = [None if e is None else _scalar(e) for e in entries]
        else:
            out[spec.key] = None if value is None else _scalar(value)
    return out


def json_skeleton(
    kind: str, tree: dict[str, Any] | None = None, *, blank_entries: bool = True
) -> str:
    """The input as JSON with every key; `blank_entries`: start lists with entries to fill."""
    tree = dict(tree or {})
    tree["kind"] = kind
    tree.setdefault("format_version", "1")
    ids = child_ids(tree) if blank_entries else None
    data = _json_block(KINDS[kind].model, tree, ids)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
