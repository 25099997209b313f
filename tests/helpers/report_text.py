"""What of a model must reach its report: every free-text value, the withheld ones aside."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel


def free_text(model: BaseModel, path: str = "") -> list[tuple[str, str]]:
    """Every text and mtext value of a model, with its path (ids, choices and refs are not)."""
    out: list[tuple[str, str]] = []
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        value = getattr(model, name)
        here = f"{path}.{key}" if path else key
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = f"{here}[{i}]" if isinstance(value, list) else here
            if isinstance(item, BaseModel):
                out += free_text(item, where)
            elif type(item) is str and key != "id":
                out.append((where, item))
    return out


def confidential_or_withheld(model: Any, path: str) -> bool:
    if path.startswith("confidential."):
        return True
    match = re.match(r"(household|carer_health)\[(\d+)\]", path)
    return bool(match) and bool(
        getattr(model, match.group(1))[int(match.group(2))].withhold_from_family
    )


def pieces(value: str) -> list[str]:
    """A value as the report holds it: each paragraph on its own (line breaks kept)."""
    return [p for p in re.split(r"\n\s*\n", value) if p.strip()]
