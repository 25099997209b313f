"""Checks a read input against the model and the rules, collecting every finding at once."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sos_reports.deadlines import DueDays
from sos_reports.errors import Finding, InputError
from sos_reports.kinds import KINDS
from sos_reports.model.common import CommonInput
from sos_reports.model.fields import field_at, fields_of, lookup, model_at
from sos_reports.model.types import Choices, shown
from sos_reports.readers import Source
from sos_reports.tree import Loc, child_ids, path_of


@dataclass
class Checked:
    """An input after checking: the model when it is valid, and every finding."""

    source: Source
    kind: str | None
    model: CommonInput | None
    findings: list[Finding] = field(default_factory=list)
    due_date: dt.date | None = None
    due_days: int | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def valid_model(self, strict: bool = False) -> CommonInput:
        """The model, or InputError with every finding that stops the report."""
        stopping = self.findings if strict else self.errors
        if self.model is None or stopping:
            raise InputError(self.findings, str(self.source.path))
        return self.model


def finding(
    source: Source,
    severity: str,
    loc: Loc,
    message: str,
    code: str = "rule",
    model: type[BaseModel] | None = None,
) -> Finding:
    cell = source.cell(loc)
    spec = field_at(model, loc) if cell and model is not None else None
    label = spec.title if spec is not None else source.control(loc)
    return Finding(
        severity,  # type: ignore[arg-type]
        path_of(loc),
        message,
        line=source.line(loc),
        cell=cell,
        code=code,
        label=label,
    )


_KIND_CHOICES = Choices(KINDS)


def check(source: Source, due_days: DueDays | None = None) -> Checked:
    """Validate a read input: types and required fields, then the rules across fields."""
    from sos_reports import rules

    tree = source.tree
    raw_kind = tree.get("kind")
    if raw_kind is None or (isinstance(raw_kind, str) and not raw_kind.strip()):
        message = f"is required: say which report this is ({_KIND_CHOICES.listed()})"
        return Checked(
            source, None, None, [finding(source, "error", ("kind",), message, "required")]
        )
    try:
        kind = str(_KIND_CHOICES.convert(raw_kind))
    except Exception:
        message = f"{shown(raw_kind)} is not a report kind: use one of {_KIND_CHOICES.listed()}"
        return Checked(source, None, None, [finding(source, "error", ("kind",), message, "value")])

    model_cls = KINDS[kind].model
    context = {"child_ids": child_ids(tree)}
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
        usable = _partial(model_cls, tree, [tuple(p["loc"]) for p in problems], context)

    due = due_days or DueDays()
    if model is not None and source.findings:
        model = None  # a value the reader refused means the model is not the input
    result = Checked(source, kind, model, findings)
    conference = getattr(usable, "conference", None)
    if conference is not None:
        from sos_reports.deadlines import working_days_before

        result.due_days = due.for_conference(str(conference.type))
        result.due_date = working_days_before(conference.date, result.due_days)
    # A wrong value set aside for the rules must not come back as "missing" from a rule.
    already = {f.path for f in findings}
    for severity, loc, message in rules.check(usable, kind, result.due_date):
        if path_of(loc) not in already:
            result.findings.append(finding(source, severity, loc, message, "rule", model_cls))
    result.findings.sort(key=_document_order)
    return result


def _document_order(f: Finding) -> tuple[int, int]:
    return (0 if f.severity == "error" else 1, f.line or 0)


# --- pydantic's errors in a practitioner's words -------------------------------------------


def _translate(source: Source, kind: str, model_cls: type[BaseModel], err: Any) -> Finding:
    loc: Loc = tuple(err["loc"])
    kind_of_error = err["type"]
    given = err.get("input")
    spec = field_at(model_cls, loc)
    code = "value"
    if kind_of_error in {"missing", "sos_required"}:
        code = "required"
        message = "is required but " + ("not given" if kind_of_error == "missing" else "is blank")
        if spec is not None and spec.description:
            message += f" ({spec.description})"
    elif kind_of_error == "sos":
        message = err["ctx"]["message"]
    elif kind_of_error == "extra_forbidden":
        code = "unknown"
        message = _unknown_key(kind, model_cls, loc)
    elif kind_of_error in {"model_type", "model_attributes_type", "dict_type"}:
        message = (
            "is required but is blank"
            if given is None
            else f"should be a block of fields (lines of `key: value`), not {shown(given)}"
        )
    elif kind_of_error == "list_type":
        message = f"should be a list (one `- ` line per entry), not {shown(given)}"
    elif kind_of_error == "too_short":
        code = "required"
        message = "needs at least one entry"
    else:
        message = err["msg"]
    return finding(source, "error", loc, message, code, model_cls)


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
            f"`{key}` is not used in {'an' if kind in {'icpc', 'rcpc'} else 'a'} {kind} report; it belongs to "
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


def _partial(
    model_cls: type[CommonInput], tree: dict[str, Any], bad: list[Loc], context: dict[str, Any]
) -> Any:
    """Each top-level block that is valid once its bad optional values are removed.

    Rules across fields then run on what is valid, so one run reports a wrong date beside a
    missing score; a block that is still invalid is None and its rules are skipped.
    """
    pruned = copy.deepcopy(tree)
    for loc in bad:
        _prune(pruned, loc)
    values: dict[str, Any] = {}
    for name, info in model_cls.model_fields.items():
        key = info.alias or name
        if key not in pruned:
            values[name] = (
                None if info.is_required() else info.get_default(call_default_factory=True)
            )
            continue
        try:
            values[name] = _adapter(model_cls, name).validate_python(pruned[key], context=context)
        except ValidationError:
            values[name] = None
    return model_cls.model_construct(**values)


def _prune(tree: Any, loc: Loc) -> None:
    node = tree
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict) and loc and loc[-1] in node:
        del node[loc[-1]]


@lru_cache(maxsize=128)
def _adapter(model_cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model_cls.model_fields[name]
    annotation: Any = (
        typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )
    return TypeAdapter(annotation)
