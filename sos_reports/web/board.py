"""The board: a record draft on one page for a projector, as the meeting's whiteboard.

The three columns side by side, each entry editable where it stands and a new one added in one
step; per child, everyone's score as it is said, with the spread. It works on the draft's
plain tree, so a half-filled record shows and saves as it is, and every change is a plain form
sent to the server: no script is needed. Each entry sent back carries the text it was shown
with; if the draft changed meanwhile (another tab), that entry is left as the draft has it and
the board says so, so that no one's words are lost.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from sos_reports.model.common import DIFFERENCE_OF_VIEW
from sos_reports.model.types import whole_number_of
from sos_reports.support.tree import dig

_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Part:
    """One field of a column: free text whose paragraphs are entries, or a list of entries."""

    path: tuple[str, ...]
    title: str
    text_key: str | None = None  # for a list of blocks, the key holding the entry's text
    addable: bool = True  # an entry can be added to it from the board


COLUMNS: tuple[tuple[str, str, tuple[Part, ...]], ...] = (
    (
        "worries",
        "What are we worried about?",
        (
            Part(("worries", "harm"), "Harm"),
            Part(("worries", "danger_statements"), "Danger statements", "text"),
            Part(("worries", "complicating_factors"), "Complicating factors"),
        ),
    ),
    (
        "working-well",
        "What's working well?",
        (
            Part(("working_well", "strengths"), "Strengths"),
            Part(("working_well", "existing_safety"), "Existing safety"),
        ),
    ),
    (
        "needs",
        "What needs to happen?",
        (
            Part(("needs_to_happen", "safety_goals"), "Safety goals"),
            Part(("needs_to_happen", "next_steps"), "Next steps", "action", addable=False),
            Part(("needs_to_happen", "information_gaps"), "Information gaps"),
        ),
    ),
)
PARTS = {".".join(part.path): part for _, _, parts in COLUMNS for part in parts}


@dataclass
class Entry:
    key: str  # the form's name for it: `worries.harm:2`
    text: str


@dataclass
class Column:
    id: str
    title: str
    parts: list[tuple[Part, list[Entry]]]


@dataclass
class ChildScores:
    id: str
    name: str
    scores: list[dict[str, Any]]
    summary: str
    difference: bool


@dataclass
class Board:
    columns: list[Column]
    children: list[ChildScores]
    people: list[str]
    notices: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def entries_of(tree: dict[str, Any], part: Part) -> list[str]:
    """The entries of a part as the board shows them: paragraphs, or the list's texts."""
    value = dig(tree, part.path)
    if isinstance(value, list):
        if part.text_key is None:
            return [_text(v) for v in value]
        return [_text(v.get(part.text_key)) if isinstance(v, dict) else "" for v in value]
    return [p.strip() for p in _PARAGRAPHS.split(_text(value)) if p.strip()]


def board(tree: dict[str, Any]) -> Board:
    columns = []
    for column_id, title, parts in COLUMNS:
        shown = []
        for part in parts:
            key = ".".join(part.path)
            entries = [Entry(f"{key}:{i}", text) for i, text in enumerate(entries_of(tree, part))]
            shown.append((part, entries))
        columns.append(Column(column_id, title, shown))
    people = [
        _text(row.get("name"))
        for row in tree.get("attendance") or []
        if isinstance(row, dict) and _text(row.get("name")).strip()
    ]
    return Board(columns, _children_scores(tree), people)


def _children_scores(tree: dict[str, Any]) -> list[ChildScores]:
    scores = [s for s in (dig(tree, ("scaling", "scores")) or []) if isinstance(s, dict)]
    out = []
    for child in tree.get("children") or []:
        if not isinstance(child, dict):
            continue
        cid = _text(child.get("id"))
        given = [s for s in scores if _text(s.get("child")) == cid]
        numbers = [n for n in (whole_number_of(s.get("score")) for s in given) if n is not None]
        if not numbers:
            summary, difference = "No one has given a score yet.", False
        elif len(numbers) == 1:
            summary, difference = f"One score so far: {numbers[0]}.", False
        else:
            low, high = min(numbers), max(numbers)
            summary = f"The scores run from {low} to {high}: a spread of {high - low}."
            difference = high - low >= DIFFERENCE_OF_VIEW
        out.append(
            ChildScores(
                cid,
                _text(child.get("name")) or cid,
                [
                    {
                        "by": _text(s.get("by")),
                        "score": _text(s.get("score")),
                        "reason": _text(s.get("reason")),
                    }
                    for s in given
                ],
                summary,
                difference,
            )
        )
    return out


# --- what a board's forms change -----------------------------------------------------------


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def edit_column(
    tree: dict[str, Any], sent: list[tuple[str, str]], was: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The tree with the entries of a column as sent (`part:index` -> text; an emptied entry
    is removed), and a notice for each entry that changed meanwhile and was kept as it is."""
    tree = copy.deepcopy(tree)
    notices: list[str] = []
    by_part: dict[str, dict[int, str]] = {}
    for key, text in sent:
        name, _, number = key.rpartition(":")
        if name in PARTS and number.isdigit():
            by_part.setdefault(name, {})[int(number)] = text.replace("\r\n", "\n")
    for name, changes in by_part.items():
        part = PARTS[name]
        current = entries_of(tree, part)
        keep: list[str | None] = list(current)
        for at, text in changes.items():
            if at >= len(current):
                continue
            shown = was.get(f"{name}:{at}", "").replace("\r\n", "\n").strip()
            if current[at].strip() != shown:
                if current[at].strip() != text.strip():
                    notices.append(
                        f"{part.title}: an entry was changed somewhere else meanwhile; it is "
                        "shown as it is now, with your change not saved."
                    )
                continue
            keep[at] = text.strip() or None
        _store(tree, part, keep)
    return tree, notices


def _store(tree: dict[str, Any], part: Part, entries: list[str | None]) -> None:
    value = dig(tree, part.path)
    if isinstance(value, list) or part.text_key is not None or part.path[-1] == "safety_goals":
        old = value if isinstance(value, list) else []
        out: list[Any] = []
        for i, text in enumerate(entries):
            if text is None:
                continue
            if part.text_key is None:
                out.append(text)
            else:
                entry = dict(old[i]) if i < len(old) and isinstance(old[i], dict) else {}
                entry[part.text_key] = text
                out.append(entry)
        _set(tree, part.path, out)
    else:
        text = "\n\n".join(t for t in entries if t)
        _set(tree, part.path, text or None)


def add_entry(tree: dict[str, Any], part_name: str, text: str, by: str) -> dict[str, Any]:
    """The tree with a new entry at the end of a part, attributed (`Name: text`) when `by`
    says who said it."""
    part = PARTS.get(part_name)
    text = text.replace("\r\n", "\n").strip()
    if part is None or not part.addable or not text:
        return tree
    tree = copy.deepcopy(tree)
    said = f"{by.strip()}: {text}" if by.strip() else text
    entries: list[str | None] = list(entries_of(tree, part))
    entries.append(said)
    _store(tree, part, entries)
    return tree


def add_score(tree: dict[str, Any], child: str, by: str, score: str, reason: str) -> dict[str, Any]:
    """The tree with a participant's score for a child, as it was said."""
    tree = copy.deepcopy(tree)
    found = tree.get("scaling")
    scaling: dict[str, Any] = found if isinstance(found, dict) else {}
    scores = [s for s in scaling.get("scores") or [] if s is not None]
    # A blank row of a new draft (a child, nothing else) is the first score, not beside it.
    blank = next(
        (
            i
            for i, s in enumerate(scores)
            if isinstance(s, dict)
            and _text(s.get("child")) == child
            and not any(_text(s.get(k)).strip() for k in ("by", "score", "reason"))
        ),
        None,
    )
    entry: dict[str, Any] = {"child": child, "by": by.strip(), "score": score.strip()}
    if reason.strip():
        entry["reason"] = reason.replace("\r\n", "\n").strip()
    if blank is None:
        scores.append(entry)
    else:
        scores[blank] = entry
    scaling["scores"] = scores
    tree["scaling"] = scaling
    return tree
