"""The validated model as template contexts: the family's report, and the chair's annex.

Templates receive plain data only (dicts, lists, strings, numbers), never model objects
whose methods a template could call. Every value is already in its printed form: dates in
long UK form, Yes/No, choice labels, children by name, and text escaped for Word's XML with
paragraphs and line breaks marked. The report's context is built without the confidential
details and without withheld entries, so no template, not even a user's own, can print them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from markupsafe import Markup, escape
from pydantic import BaseModel

from sos_reports.kinds import KINDS
from sos_reports.model.common import (
    DEFAULT_QUESTION,
    DEFAULT_TEN,
    DEFAULT_ZERO,
    DIFFERENCE_OF_VIEW,
    CommonInput,
)
from sos_reports.model.types import ChildRef, ChoiceValue
from sos_reports.support.formatting import long_date

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"

# docxtpl turns `\a` inside a text run into a new paragraph with the same formatting, and
# `\n` into a line break; one or more blank lines in the input start a new paragraph.
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


class YesNo(str):
    """Prints Yes or No, and is true or false in a template's `{% if %}`."""

    def __bool__(self) -> bool:
        return self == "Yes"


def word_text(text: str) -> Markup:
    """User text made safe for the XML of a Word part, exactly as typed.

    Beyond escaping `& < > " '`, the characters `{`, `}` and `%` go in as character
    references: docxtpl rewrites `{_{` and `%_}` in the rendered XML, and text that looks like
    template syntax must reach the report as typed.
    """
    escaped = str(escape(text)).replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")
    return Markup(_PARAGRAPH_BREAK.sub("\a", escaped))


def _printed(value: Any, names: dict[str, str]) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return {
            (info.alias or name): _printed(getattr(value, name), names)
            for name, info in type(value).model_fields.items()
        }
    if isinstance(value, list):
        return [_printed(item, names) for item in value]
    if isinstance(value, bool):
        return YesNo("Yes" if value else "No")
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, ChoiceValue):
        return word_text(value.label)
    if isinstance(value, ChildRef):
        return word_text(names.get(value, value))
    if isinstance(value, str):
        return word_text(value)
    return value


def _direction(score: int | None, previous: int | None) -> str | None:
    if score is None or previous is None:
        return None
    if score > previous:
        return "up (safer)"
    if score < previous:
        return "down (less safe)"
    return "the same"


def _common(model: CommonInput) -> dict[str, Any]:
    names = {child.id: child.name for child in model.children}
    ctx: dict[str, Any] = _printed(model, names)
    ctx["title"] = word_text(KINDS[model.kind].title)
    ctx["document"] = word_text(KINDS[model.kind].document)
    ctx["marking"] = word_text(model.marking or DEFAULT_MARKING)
    scaling = ctx["scaling"]
    scaling["question"] = scaling["question"] or word_text(DEFAULT_QUESTION)
    scaling["ten_means"] = scaling["ten_means"] or word_text(DEFAULT_TEN)
    scaling["zero_means"] = scaling["zero_means"] or word_text(DEFAULT_ZERO)
    for printed, entry in zip(scaling["scores"], model.scaling.scores, strict=True):
        score = getattr(entry, "score", None)
        previous = getattr(entry, "previous", None)
        printed["score"] = score
        printed["score_text"] = f"{score} out of 10" if score is not None else "No score given"
        printed["previous"] = previous
        printed["direction"] = _direction(score, previous)
    for name in KINDS[model.kind].counted:
        meetings = getattr(model, name)
        attended = sum(meeting.attended for meeting in meetings)
        ctx[f"{name}_attended"] = f"{attended} of {len(meetings)}"
    if KINDS[model.kind].context:
        globals()[KINDS[model.kind].context](model, ctx)
    return ctx


def _split(model: CommonInput, ctx: dict[str, Any], name: str) -> tuple[list[Any], list[Any]]:
    """The printed entries of the list `name`: those the family may see, and those withheld."""
    shown: list[Any] = []
    withheld: list[Any] = []
    for printed, entry in zip(ctx[name], getattr(model, name), strict=True):
        (withheld if entry.withhold_from_family else shown).append(printed)
    return shown, withheld


def report_context(model: CommonInput) -> dict[str, Any]:
    """What the family's copy may show: never the confidential details or withheld entries."""
    ctx = _common(model)
    ctx["confidential"] = {"present": YesNo("Yes" if model.confidential.present else "No")}
    for name in KINDS[model.kind].withheld:
        ctx[name] = _split(model, ctx, name)[0]
    return ctx


def annex_context(model: CommonInput) -> dict[str, Any]:
    """What the chair receives separately: the details, the withheld entries, and the case.

    The annex template is one for every kind: each list that any kind may withhold is
    given, empty where this kind has no such list.
    """
    ctx = _common(model)
    for name in {name for kind in KINDS.values() for name in kind.withheld}:
        has = name in KINDS[model.kind].withheld
        ctx[f"withheld_{name}"] = _split(model, ctx, name)[1] if has else []
    return ctx


# --- what a kind's template prints beyond its fields (the registry's `context`) --------------


def record_context(model: Any, ctx: dict[str, Any]) -> None:
    """The conference record's decisions in words a parent understands, and each child's
    scores gathered under the child with their spread (never an average)."""
    names = {child.id: child.name for child in model.children}
    review = model.conference.type == "review"
    for printed, decision in zip(ctx["decisions"], model.decisions, strict=True):
        printed["words"] = word_text(_decision_words(decision, names[decision.child], review))
    by_child = []
    for child in model.children:
        entries = [
            (printed, entry)
            for printed, entry in zip(ctx["scaling"]["scores"], model.scaling.scores, strict=True)
            if entry.child == child.id
        ]
        scores = [entry.score for _, entry in entries]
        low, high = (min(scores), max(scores)) if scores else (None, None)
        spread = high - low if low is not None and high is not None else None
        if spread is None:
            summary = "No one gave a score."
        elif len(scores) == 1:
            summary = f"One score was given: {low}."
        elif spread == 0:
            summary = f"Everyone who scored gave {low}."
        else:
            summary = f"The scores run from {low} to {high}: a spread of {spread}."
        by_child.append(
            {
                "name": word_text(child.name),
                "spread": spread,
                "summary": word_text(summary),
                "difference": YesNo(
                    "Yes" if spread is not None and spread >= DIFFERENCE_OF_VIEW else "No"
                ),
            }
        )
    ctx["scaling"]["children"] = by_child
    ctx["any_dissent"] = YesNo("Yes" if any(d.dissent for d in model.decisions) else "No")
    ctx["any_plan"] = YesNo("Yes" if any(d.plan for d in model.decisions) else "No")


def _decision_words(decision: Any, name: str, review: bool) -> str:
    """The decision as a parent would say it; the category is printed beside it."""
    if decision.plan:
        if review:
            return f"{name} will go on having a child protection plan."
        return f"{name} will have a child protection plan."
    if review:
        ended = decision.ended_to.label if decision.ended_to is not None else "other support"
        return f"{name}'s child protection plan ends. {name} will be supported by {ended}."
    return f"{name} will not have a child protection plan."
