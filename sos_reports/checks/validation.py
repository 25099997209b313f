"""Checks a read input against the model and the rules, collecting every finding at once."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from sos_reports.errors import Finding, InputError
from sos_reports.inputs.read import Source
from sos_reports.kinds import KINDS
from sos_reports.model.common import CommonInput
from sos_reports.model.introspection import field_at, fields_of, is_model, lookup, model_at
from sos_reports.model.types import Choices, is_child_id, shown
from sos_reports.support.deadlines import DueDays
from sos_reports.support.tree import Loc, child_ids, path_of

if TYPE_CHECKING:
    from sos_reports.checks.language import Reading, Terms


@dataclass
class Checked:
    """An input after checking: the model when it is valid, and every finding."""

    source: Source
    kind: str | None
    model: CommonInput | None
    findings: list[Finding] = field(default_factory=list)
    due_date: dt.date | None = None
    due_days: int | None = None
    # The reading ease of each free-text field long enough to judge.
    readings: list[Reading] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def stopping(self, strict: bool = False, strict_language: bool = False) -> list[Finding]:
        """The findings that stop a report: errors; with `strict` the warnings about the
        input, with `strict_language` the plain-English ones."""
        return [
            f
            for f in self.findings
            if f.severity == "error" or (strict_language if f.category == "language" else strict)
        ]

    def valid_model(self, strict: bool = False, strict_language: bool = False) -> CommonInput:
        """The model, or InputError with every finding that stops the report."""
        if self.model is None or self.stopping(strict, strict_language):
            raise InputError(self.findings, str(self.source.path))
        return self.model


_KIND_CHOICES = Choices(KINDS)


def check(source: Source, due_days: DueDays | None = None, terms: Terms | None = None) -> Checked:
    """Validate a read input: types and required fields, then the rules across fields, then
    the plain English of the family's copy (with `terms`, or the packaged and local list)."""
    from sos_reports.checks import rules

    tree = source.tree
    raw_kind = tree.get("kind")
    if raw_kind is None or (isinstance(raw_kind, str) and not raw_kind.strip()):
        message = f"is required: say which report this is ({_KIND_CHOICES.listed()})"
        return Checked(
            source, None, None, [source.finding("error", ("kind",), message, "required")]
        )
    try:
        kind = str(_KIND_CHOICES.convert(raw_kind))
    except Exception:
        message = f"{shown(raw_kind)} is not a report kind: use one of {_KIND_CHOICES.listed()}"
        return Checked(source, None, None, [source.finding("error", ("kind",), message, "value")])

    model_cls = cast("type[CommonInput]", KINDS[kind].model)
    context = {"child_ids": _known_child_ids(tree)}
    findings: list[Finding] = list(source.findings)
    read = {f.path for f in source.findings}
    model: CommonInput | None = None
    try:
        model = model_cls.model_validate(tree, context=context)
        usable: Any = model
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        translated = [_translate(source, kind, model_cls, p) for p in problems]
        # A value the reader could not take (and left out) is not also "missing".
        findings += [f for f in translated if f.path not in read]
        usable = _partial(model_cls, tree, context)

    due = due_days or DueDays()
    if model is not None and source.findings:
        model = None  # a value the reader refused means the model is not the input
    result = Checked(source, kind, model, findings)
    conference = getattr(usable, "conference", None)
    # A report is due before its conference; a record is written after it.
    if (
        KINDS[kind].agency_report
        and conference is not None
        and conference.type is not None
        and conference.date is not None
    ):
        result.due_days, result.due_date = due.due(str(conference.type), conference.date)
    # A wrong value set aside for the rules must not come back as "missing" from a rule,
    # nor make a rule that depends on it say what the value would have settled.
    already = {f.path for f in findings}
    for issue in rules.check(usable, kind, result.due_date):
        if path_of(issue.loc) in already or any(
            _reported_at_or_under(path_of(loc), already) for loc in issue.unless
        ):
            continue
        result.findings.append(
            source.finding(issue.severity, issue.loc, issue.message, issue.code, model_cls)
        )
    result.findings.sort(key=_document_order)
    from sos_reports.checks import language

    plain = language.check(source, usable, model_cls, terms)
    result.findings += plain.findings
    result.readings = plain.readings
    return result


def _known_child_ids(tree: dict[str, Any]) -> list[str] | None:
    """The children's ids, or None when one of them cannot be read (a child that is not a
    block, an id left out or mistyped): a reference to it would be reported as unknown
    once for every list that names the child, when the one error is in `children`."""
    children = tree.get("children")
    ids = child_ids(tree)
    if not isinstance(children, list) or not children or len(ids) != len(children):
        return None
    if not all(is_child_id(i) for i in ids):
        return None
    return ids


def _reported_at_or_under(path: str, reported: set[str]) -> bool:
    return any(r == path or r.startswith((f"{path}.", f"{path}[")) for r in reported)


def _document_order(f: Finding) -> tuple[int, int]:
    return (0 if f.severity == "error" else 1, f.line or 0)


# --- pydantic's errors in a practitioner's words -------------------------------------------


def _translate(source: Source, kind: str, model_cls: type[BaseModel], err: Any) -> Finding:
    loc: Loc = tuple(err["loc"])
    pydantic_code = err["type"]
    given = err.get("input")
    spec = field_at(model_cls, loc)
    code = "value"
    if pydantic_code in {"missing", "sos_required"}:
        code = "required"
        message = "is required but " + ("not given" if pydantic_code == "missing" else "is blank")
        if spec is not None and spec.description:
            message += f" ({spec.description})"
    elif pydantic_code == "sos":
        message = err["ctx"]["message"]
    elif pydantic_code == "extra_forbidden":
        code = "unknown"
        message = _unknown_key(kind, model_cls, loc)
    elif pydantic_code in {"model_type", "model_attributes_type", "dict_type"}:
        message = (
            "is required but is blank"
            if given is None
            else f"should be a block of fields (lines of `key: value`), not {shown(given)}"
        )
    elif pydantic_code == "list_type":
        message = f"should be a list (one `- ` line per entry), not {shown(given)}"
    elif pydantic_code == "too_short":
        code = "required"
        message = "needs at least one entry"
    else:
        message = err["msg"]
    return source.finding("error", loc, message, code, model_cls)


def _unknown_key(kind: str, model_cls: type[BaseModel], loc: Loc) -> str:
    key, parent = loc[-1], loc[:-1]
    where = f"`{path_of(parent)}`" if parent else "the top level"
    others = [
        name
        for name, other in KINDS.items()
        if name != kind and _has_key(model_at(other.model, parent), str(key))
    ]
    if others:
        return (
            f"`{key}` is not used in {KINDS[kind].a_report}; it belongs to "
            f"{' and '.join(others)} reports. Remove it, or check the `kind`"
        )
    message = f"unknown field `{key}` in {where}"
    here = model_at(model_cls, parent)
    if here is not None:
        names = [f.key for f in fields_of(here)]
        hint = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        if hint:
            message += f"; did you mean `{hint[0]}`?"
    return message


def _has_key(model: type[BaseModel] | None, key: str) -> bool:
    return model is not None and lookup(model, key) is not None


# --- a partial model, so that the rules can still run beside type errors ---------------------


def _partial(model_cls: type[CommonInput], tree: dict[str, Any], context: dict[str, Any]) -> Any:
    """The input's model with only its unreadable values missing (None).

    Built field by field and entry by entry: a bad score leaves that one score None, its
    entry and every other entry in place, so that the rules across fields (every child
    once, dates in order) still run on all that could be read. An entry that is not a
    block at all is None in its list, keeping the indexes of the others as typed.
    """
    return _partial_block(model_cls, tree, context)


def _partial_block(model_cls: type[BaseModel], value: Any, context: dict[str, Any]) -> Any:
    if not isinstance(value, dict):
        return None
    values: dict[str, Any] = {}
    for name, info in model_cls.model_fields.items():
        key = info.alias or name
        if key not in value:
            values[name] = (
                None if info.is_required() else info.get_default(call_default_factory=True)
            )
        else:
            values[name] = _partial_value(model_cls, name, value[key], context)
    return model_cls.model_construct(**values)


def _partial_value(owner: type[BaseModel], name: str, value: Any, context: dict[str, Any]) -> Any:
    try:
        return _adapter(owner, name).validate_python(value, context=context)
    except ValidationError:
        pass
    annotation = _without_none(owner.model_fields[name].annotation)
    if is_model(annotation):
        return _partial_block(annotation, value, context)
    if typing.get_origin(annotation) is list and isinstance(value, list):
        item = typing.get_args(annotation)[0]
        return [_partial_item(owner, name, item, entry, context) for entry in value]
    return None


def _partial_item(
    owner: type[BaseModel], name: str, item: Any, value: Any, context: dict[str, Any]
) -> Any:
    try:
        return _item_adapter(owner, name).validate_python(value, context=context)
    except ValidationError:
        pass
    return _partial_block(item, value, context) if is_model(item) else None


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


@lru_cache(maxsize=512)
def _adapter(model_cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model_cls.model_fields[name]
    annotation: Any = (
        typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )
    return TypeAdapter(annotation)


@lru_cache(maxsize=512)
def _item_adapter(model_cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    annotation = _without_none(model_cls.model_fields[name].annotation)
    return TypeAdapter(typing.get_args(annotation)[0])
