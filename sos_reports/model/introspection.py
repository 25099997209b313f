"""Model introspection: what each field is, for the code that writes forms and explains errors.

One walk of the pydantic models serves the YAML skeleton, the error messages (did you mean,
another kind's key) and the input forms, so that a field added to the model appears in all
of them without a second list to keep in step.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, WithJsonSchema

from sos_reports.model.types import ValueType
from sos_reports.support.tree import Loc


def inner(annotation: Any) -> Any:
    """The type an annotation holds, through Optional, list and Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if args else None
        else:
            return annotation


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_list(annotation: Any) -> bool:
    while typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return typing.get_origin(annotation) is list


def _scalar_schema(annotation: Any, metadata: list[Any]) -> dict[str, Any]:
    for item in [*metadata, *getattr(annotation, "__metadata__", ())]:
        if isinstance(item, WithJsonSchema) and item.json_schema is not None:
            return dict(item.json_schema)
    if typing.get_origin(annotation) is list:
        return _scalar_schema(typing.get_args(annotation)[0], [])
    return {}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a block: its key, label, help, and what kind of value it takes."""

    name: str
    key: str
    title: str
    description: str | None
    required: bool
    is_list: bool
    model: type[BaseModel] | None
    schema: dict[str, Any]
    min_items: int = 0
    marked: str = "text"  # the ValueType marker's name

    @property
    def choices(self) -> list[str] | None:
        enum = self.schema.get("enum")
        return list(enum) if enum else None

    @property
    def value_type(self) -> str:
        """text, mtext, date, date-or-text, bool, choice, score, number, child, or block.

        Declared by the marker on the field's type in model/types.py.
        """
        if self.model is not None:
            return "block"
        return self.marked

    def hint(self) -> str:
        """What the field takes, in a few plain words."""
        kind = self.value_type
        if kind == "choice":
            return "one of: " + ", ".join(str(c) for c in self.choices or [])
        return {
            "bool": "yes or no",
            "score": "a whole number from 0 to 10",
            "number": "a whole number",
            "date": "a date, YYYY-MM-DD or DD/MM/YYYY",
            "date-or-text": "a date (YYYY-MM-DD) or words",
            "child": "a child's id",
            "block": "",
        }.get(kind, "text")


def _value_type(annotation: Any, metadata: list[Any]) -> str | None:
    """The ValueType marker of a field's type, looked for through Optional and list."""
    for item in metadata:
        if isinstance(item, ValueType):
            return item.name
    if typing.get_origin(annotation) is typing.Annotated:
        return _value_type(typing.get_args(annotation)[0], list(annotation.__metadata__))
    for arg in typing.get_args(annotation):
        found = _value_type(arg, [])
        if found is not None:
            return found
    return None


def fields_of(model: type[BaseModel]) -> list[FieldSpec]:
    out = []
    for name, info in model.model_fields.items():
        nested = inner(info.annotation)
        kind = _value_type(info.annotation, list(info.metadata))
        if kind is None and not is_model(nested):
            raise TypeError(f"{model.__name__}.{name}: its type has no ValueType marker")
        out.append(
            FieldSpec(
                name=name,
                key=info.alias or name,
                title=info.title or name,
                description=info.description,
                required=info.is_required(),
                is_list=_is_list(info.annotation),
                model=nested if is_model(nested) else None,
                schema=_scalar_schema(info.annotation, list(info.metadata)),
                min_items=next(
                    (m.min_length for m in info.metadata if hasattr(m, "min_length")), 0
                ),
                marked=kind or "block",
            )
        )
    return out


def lookup(model: type[BaseModel], key: str) -> FieldSpec | None:
    return next((f for f in fields_of(model) if f.key == key), None)


def model_at(model: type[BaseModel] | None, loc: Loc) -> type[BaseModel] | None:
    """The block class found at a location (list indexes skipped), or None."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        found = lookup(model, str(part))
        model = found.model if found is not None else None
    return model


def field_at(model: type[BaseModel], loc: Loc) -> FieldSpec | None:
    names = [i for i, p in enumerate(loc) if isinstance(p, str)]
    if not names:
        return None
    parent = model_at(model, loc[: names[-1]])
    return lookup(parent, str(loc[names[-1]])) if parent is not None else None
