"""The comments an author typed into a YAML input, carried into the same input written anew.

The browser form saves a draft by writing the input again as the tool writes YAML (with its
help comments), from the answers. What the author wrote by hand after a `#` is carried over:
each comment goes before (or, typed at a line's end, after) the same key or list entry it was
written at, with the entries of a list followed by what they hold when some were removed.
The tool's own help comments are recognised and not carried, so they are never written twice.

Where a comment starts is read with ruamel.yaml's round-trip scanner, which keeps comments
with their places (PyYAML's drops them): a `#` inside a quoted value or a block of text is not
a comment, and only a YAML scanner can say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Comment:
    text: str  # from the `#`, trailing spaces removed
    anchor: Path | None  # the key or entry it was written at; None: the end of the file
    trailing: bool  # typed at the end of the anchor's own line


def carry_comments(
    old_text: str,
    new_text: str,
    help_lines: Iterable[str],
    old_tree: Any = None,
    new_tree: Any = None,
) -> str:
    """`new_text` with the hand-written comments of `old_text`, each once.

    `help_lines` are the comment lines the tool writes itself (compared stripped); they are
    not carried. `old_tree` and `new_tree`, the answers before and after, let a comment
    follow a list entry whose index changed. When either text cannot be scanned, `new_text`
    is returned as it is.
    """
    from ruamel.yaml.error import YAMLError

    help_set = {line.strip() for line in help_lines}
    # Most drafts hold only the tool's own comments: nothing to scan for (a `#` anywhere
    # else, even inside a value, is left to the scanner to tell).
    if not any("#" in line and line.strip() not in help_set for line in old_text.split("\n")):
        return new_text
    try:
        comments = _comments(old_text, help_set)
        if not comments:
            return new_text
        places = _places(new_text)
    except YAMLError:
        return new_text
    lines = new_text.split("\n")
    before: dict[int, list[str]] = {}
    after: dict[int, str] = {}
    at_end: list[str] = []
    for comment in comments:
        line = _line_for(comment.anchor, places, old_tree, new_tree)
        if line is None:
            at_end.append(comment.text)
        elif comment.trailing and line not in after:
            after[line] = comment.text
        else:
            before.setdefault(line, []).append(comment.text)
    out: list[str] = []
    for number, text in enumerate(lines):
        indent = text[: len(text) - len(text.lstrip(" -"))]
        indent = " " * len(indent)
        out += [indent + c for c in before.get(number, [])]
        out.append(f"{text}  {after[number]}" if number in after else text)
    while out and out[-1] == "":
        out.pop()
    out += at_end
    return "\n".join(out) + "\n"


def _comments(text: str, help_lines: set[str]) -> list[Comment]:
    """The hand-written comments of the text, in order, each with the key or entry it was
    written at."""
    lines = text.split("\n")
    starts = _comment_starts(text, lines)
    by_line = _lines(_places(text))
    content = sorted(by_line)
    found = []
    for line in sorted(starts):
        col = starts[line]
        raw = lines[line]
        comment_text = raw[col:].rstrip()
        trailing = bool(raw[:col].strip())
        if trailing:
            anchor: Path | None = by_line.get(line)
            if anchor is None:
                continue
        else:
            if comment_text.strip() in help_lines:
                continue
            anchor = next((by_line[n] for n in content if n > line), None)
        found.append(Comment(comment_text, anchor, trailing))
    return found


def _comment_starts(text: str, lines: list[str]) -> dict[int, int]:
    """Each line with a comment, and the column of its `#`. Read from libyaml's tokens where
    it can: a comment is a `#` outside every token, at a line's start or after a space (a
    `#` in a value is inside its token). What libyaml refuses, ruamel's scanner reads."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            spans = [(t.start_mark.index, t.end_mark.index) for t in yaml.scan(text, Loader=loader)]
        except yaml.YAMLError:
            pass
        else:
            return _starts_between(text, spans)
    return _ruamel_starts(text, lines)


def _starts_between(text: str, spans: list[tuple[int, int]]) -> dict[int, int]:
    starts: dict[int, int] = {}
    edges = [0] + [i for span in sorted(spans) for i in span] + [len(text)]
    for begin, end in zip(edges[::2], edges[1::2], strict=False):
        at = text.find("#", begin, end)
        while at != -1:
            if at == 0 or text[at - 1] in " \t\n\r":
                line = text.count("\n", 0, at)
                column = at - (text.rfind("\n", 0, at) + 1)
                starts.setdefault(line, column)
                stop = text.find("\n", at)
                if stop == -1 or stop >= end:
                    break
                at = text.find("#", stop, end)
            else:
                at = text.find("#", at + 1, end)
    return starts


def _ruamel_starts(text: str, lines: list[str]) -> dict[int, int]:
    from ruamel.yaml import YAML

    starts: dict[int, int] = {}  # line -> column of the comment's `#`
    for token in YAML(typ="rt").scan(text):
        for group in getattr(token, "_comment", None) or ():
            for comment in group if isinstance(group, list) else [group]:
                if comment is None or not hasattr(comment, "start_mark"):
                    continue
                # A token's value holds its comment lines (and blank ones) in order; its
                # mark is at, or a line after, the first. Each is found as the line that
                # ends with it, from there on.
                cursor = max(comment.start_mark.line - 1, 0)
                for piece in comment.value.split("\n"):
                    piece = piece.strip()
                    if not piece.startswith("#"):
                        continue
                    for at in range(cursor, len(lines)):
                        if lines[at].rstrip().endswith(piece):
                            starts[at] = len(lines[at].rstrip()) - len(piece)
                            cursor = at + 1
                            break
    return starts


def _places(text: str) -> dict[Path, int]:
    """Each key's and list entry's line (0-based) in the YAML text: read from the composed
    nodes, so that no value is converted (an impossible date stays text). libyaml composes
    (through PyYAML's C extension) twenty times faster than ruamel; what it refuses, or where
    it is not built, ruamel composes."""
    import yaml

    places: dict[Path, int] = {}

    def walk(node: Any, path: Path, mapping: Any, sequence: Any) -> None:
        if isinstance(node, mapping):
            for key, value in node.value:
                places[(*path, str(key.value))] = key.start_mark.line
                walk(value, (*path, str(key.value)), mapping, sequence)
        elif isinstance(node, sequence):
            for index, item in enumerate(node.value):
                places[(*path, index)] = item.start_mark.line
                walk(item, (*path, index), mapping, sequence)

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            node = yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            places.clear()
        else:
            walk(node, (), yaml.MappingNode, yaml.SequenceNode)
            return places
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    walk(YAML(typ="rt").compose(text), (), MappingNode, SequenceNode)
    return places


def _lines(places: dict[Path, int]) -> dict[int, Path]:
    """Each line's key or entry: the outermost one that starts on it (a list entry rather
    than its first key)."""
    by_line: dict[int, Path] = {}
    for path, line in places.items():
        if line not in by_line or len(path) < len(by_line[line]):
            by_line[line] = path
    return by_line


def _line_for(
    anchor: Path | None, places: dict[Path, int], old_tree: Any, new_tree: Any
) -> int | None:
    """The line of the new text where the anchor now is: its entry followed to its new
    index, or the nearest enclosing key or list that is still there."""
    if anchor is None:
        return None
    path = _follow(anchor, old_tree, new_tree)
    while path:
        if path in places:
            return places[path]
        path = path[:-1]
    return None


def _follow(anchor: Path, old_tree: Any, new_tree: Any) -> Path:
    """The anchor with each list index changed to where its entry now stands; cut short at
    an entry that is no longer there."""
    if old_tree is None or new_tree is None:
        return anchor
    out: list[str | int] = []
    old, new = old_tree, new_tree
    for step in anchor:
        if isinstance(step, int):
            if not (isinstance(old, list) and isinstance(new, list) and step < len(old)):
                return tuple(out)
            index = _new_index(old, new, step)
            if index is None:
                return tuple(out)
            out.append(index)
            old, new = old[step], new[index]
        else:
            out.append(step)
            old = old.get(step) if isinstance(old, dict) else None
            new = new.get(step) if isinstance(new, dict) else None
    return tuple(out)


def _new_index(old: list[Any], new: list[Any], index: int) -> int | None:
    """Where entry `index` of the old list stands in the new one: the same entry, or one
    whose first answer is the same (an entry edited, another removed), or the same place
    when the list kept its length."""
    entry = old[index]
    if entry in new:
        return new.index(entry)
    if isinstance(entry, dict) and entry:
        key, value = next(iter(entry.items()))
        same = [i for i, e in enumerate(new) if isinstance(e, dict) and e.get(key) == value]
        if len(same) == 1:
            return same[0]
    if len(old) == len(new):
        return index
    return None
