"""Reads YAML and JSON inputs into a plain tree with the line of every value.

YAML is composed, not loaded: every scalar stays the string that was typed (no YAML 1.1
implicit types), anchors and aliases are refused before anything is built (an alias bomb
costs nothing), nesting is bounded, and duplicate keys are errors with their line.

An ordinary file is read from the events of libyaml's parser (PyYAML's C extension), about
twenty times faster than PyYAML's own Python parser; anything out of the ordinary (a tab, a
character PyYAML treats specially, an anchor, an alias, deep nesting, a repeated key, a
second document, a syntax error) is read again by the pure-Python reader, so every refusal,
its message and its line are that reader's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sos_reports.errors import ReadError
from sos_reports.inputs.source import MAX_DEPTH, Source, decode
from sos_reports.support.tree import Loc

_TOP_LEVEL_HELP = "the input must be a block of fields at the top level, starting with a line such as `kind: icpc`"


class _StrictComposer(yaml.SafeLoader):
    """The pure-Python composer, refusing anchors, aliases and absurd nesting as it goes."""

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self._source = source
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise ReadError(
                f"uses a YAML alias (*{event.anchor}); write the value out in full",
                source=self._source,
                line=line,
            )
        anchor = getattr(event, "anchor", None)
        if anchor:
            raise ReadError(
                f"uses a YAML anchor (&{anchor}); anchors and aliases are not accepted, "
                "write each value out in full",
                source=self._source,
                line=line,
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ReadError(
                f"nests more than {MAX_DEPTH} levels deep, far deeper than any report needs",
                source=self._source,
                line=line,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_yaml(path: Path, data: bytes) -> Source:
    text = decode(path, data)
    fast = _read_ordinary(text)
    if fast is not None:
        tree, lines = fast
        return Source(path=path, tree=tree, lines=lines)
    return _read_pure(path, text)


def _read_pure(path: Path, text: str) -> Source:
    """The pure-Python reader: it reads anything, and refuses what an input may not hold."""
    try:
        node, kept = _compose(text, str(path))
    except _TabsInPlainText:
        # PyYAML refuses a tab anywhere outside quotes and block text, even inside a
        # value such as `name: Ms<TAB>Pryce`, which is ordinary text in an input.
        node, kept = _compose(text, str(path), plain_tabs=True)
    if node is None:
        raise ReadError("is empty", source=str(path))
    if not isinstance(node, yaml.MappingNode):
        raise ReadError(_TOP_LEVEL_HELP, source=str(path), line=node.start_mark.line + 1)
    lines: dict[Loc, int] = {}
    tree = _build(node, (), lines, str(path), restore=kept.restore)
    return Source(path=path, tree=tree, lines=lines)


class _TabsInPlainText(Exception):
    pass


try:
    from yaml import _yaml

    _CParser: Any = _yaml.CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python reader reads everything
    _CParser = None

# What the fast reader leaves to the pure-Python one: tabs, the characters it sets aside
# (below), NEL, a byte order mark after the start, and every character PyYAML refuses; and
# a comment straight after a block scalar's `|` or `>`, which libyaml accepts and PyYAML
# refuses.
_UNUSUAL = re.compile(
    "[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]"
    "|[|>][-+0-9]*#"
)


class _Unusual(Exception):
    """Something the pure-Python reader must judge (and, as a rule, refuse)."""


def _read_ordinary(text: str) -> tuple[dict[str, Any], dict[Loc, int]] | None:
    """The tree and the line of every value, read from libyaml's events, as the pure-Python
    reader would read them; None for anything out of the ordinary."""
    if _CParser is None or _UNUSUAL.search(text):
        return None
    parser = _CParser(text)
    try:
        get = parser.get_event
        if not isinstance(get(), yaml.StreamStartEvent):
            return None
        if not isinstance(get(), yaml.DocumentStartEvent):
            return None  # empty
        root = get()
        if not isinstance(root, yaml.MappingStartEvent):
            return None
        lines: dict[Loc, int] = {}
        tree = _from_events(get, root, (), lines, None, 1)
        if not isinstance(get(), yaml.DocumentEndEvent) or not isinstance(
            get(), yaml.StreamEndEvent
        ):
            return None  # a second document
        return tree, lines
    except (_Unusual, yaml.YAMLError, ValueError):
        return None
    finally:
        parser.dispose()


_Scalar, _MappingStart, _SequenceStart = (
    yaml.ScalarEvent,
    yaml.MappingStartEvent,
    yaml.SequenceStartEvent,
)
_MappingEnd, _SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _from_events(
    get: Callable[[], Any],
    event: Any,
    loc: Loc,
    lines: dict[Loc, int],
    line: int | None,
    depth: int,
    flow: bool = False,
) -> Any:
    """One value, as `_build` makes it from the composed node (depth counted as the
    composer counts it); `flow` inside `[...]` or `{...}`."""
    lines[loc] = line or event.start_mark.line + 1
    if depth > MAX_DEPTH or event.anchor:
        raise _Unusual
    kind = type(event)
    if kind is _Scalar:
        # libyaml marks a plain scalar with style '', PyYAML with None.
        if not event.style:
            if event.value in _NULLS:
                return None
            if flow and "?" in event.value:
                raise _Unusual  # PyYAML ends a plain scalar at `?` inside brackets
        return event.value
    flow = flow or bool(event.flow_style)
    if kind is _MappingStart:
        out: dict[str, Any] = {}
        while True:
            key = get()
            mark: Any = key.start_mark
            if type(key) is _MappingEnd:
                return out
            if type(key) is not _Scalar or key.anchor or key.value in out:
                raise _Unusual
            name = key.value
            if flow and not key.style and "?" in name:
                raise _Unusual
            out[name] = _from_events(
                get, get(), (*loc, name), lines, mark.line + 1, depth + 1, flow
            )
    if kind is _SequenceStart:
        items: list[Any] = []
        while True:
            item = get()
            if type(item) is _SequenceEnd:
                return items
            items.append(_from_events(get, item, (*loc, len(items)), lines, None, depth + 1, flow))
    raise _Unusual  # an alias


# Characters that mean a line break in a text value (Word's vertical tab, the Unicode line
# and paragraph separators) but that PyYAML refuses, or takes as a line break of the YAML
# itself: each is set aside as a private-use character while the YAML is read, and put back
# in the text for the model to read as input-format.md says.
_SET_ASIDE = ("\x0b", "\u2028", "\u2029")


class _Kept:
    """Which private-use character stands for which set-aside character in one file."""

    def __init__(self, text: str, chars: tuple[str, ...]) -> None:
        free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        self.stand_in = {char: next(free) for char in chars if char in text}
        back: dict[str, str | int | None] = {v: k for k, v in self.stand_in.items()}
        self._back = str.maketrans(back)

    def restore(self, text: str) -> str:
        return text.translate(self._back) if self.stand_in else text


# A run of spaces and tabs after the start of a line's content.
_INLINE_TABS = re.compile(r"(?<=\S)[ \t]*\t[ \t]*")
_INDICATORS = set(":-?")


def _compose(text: str, source: str, plain_tabs: bool = False) -> tuple[Any, _Kept]:
    kept = _Kept(text, (*_SET_ASIDE, "\t") if plain_tabs else _SET_ASIDE)
    hidden = text
    if plain_tabs:
        tab = kept.stand_in["\t"]

        def inline(match: re.Match[str]) -> str:
            # Between the words of a value a tab is text, kept as typed; after `key:` or
            # `- `, or before a comment or the end of the line, it only separates, as a
            # space does. A tab of indentation is left for the error that says so.
            run, end = match.group(), match.end()
            after = hidden[end] if end < len(hidden) else "\n"
            if hidden[match.start() - 1] in _INDICATORS or after in "#\r\n":
                return run.replace("\t", " ")
            return run.replace("\t", tab)

        hidden = _INLINE_TABS.sub(inline, hidden)
    hiding: dict[str, str | int | None] = {
        c: kept.stand_in[c] for c in _SET_ASIDE if c in kept.stand_in
    }
    hidden = hidden.translate(str.maketrans(hiding))
    try:
        composer = _StrictComposer(hidden, source)
    except yaml.reader.ReaderError as exc:
        raise _unreadable_character(exc, text, source) from None
    try:
        return composer.get_single_node(), kept
    except yaml.reader.ReaderError as exc:
        raise _unreadable_character(exc, text, source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "is not valid YAML"
        if "single document" in str(exc.context):
            problem = "it holds more than one document (a `---` line); one input is one report"
        line = mark.line + 1 if mark else None
        if "'\\t'" in problem:
            if not plain_tabs:
                raise _TabsInPlainText() from None
            problem = "a tab is used to indent a line; indent with spaces"
        raise ReadError(f"is not valid YAML: {problem}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"is not valid YAML: {exc}", source=source) from None
    finally:
        composer.dispose()


def _unreadable_character(exc: yaml.reader.ReaderError, text: str, source: str) -> ReadError:
    # The position counts characters of the text as decoded; set-aside characters are
    # replaced one for one, so it is the position in the file's text.
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character))
    return ReadError(
        f"contains the control character U+{code:04X} (character {column} of the line), "
        "which an input cannot hold; delete it (it is often pasted in by accident)",
        source=source,
        line=line,
    )


def _build(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    source: str,
    line: int | None = None,
    *,
    restore: Callable[[str], str],
) -> Any:
    # A value is placed at its key's line: a block or a list starts on the line after it.
    lines[loc] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise ReadError("a key must be a plain name", source=source, line=line)
            key = restore(key_node.value)
            if key in out:
                raise ReadError(
                    f"the key `{key}` appears twice in the same block; keep one",
                    source=source,
                    line=line,
                )
            out[key] = _build(value_node, (*loc, key), lines, source, line, restore=restore)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*loc, i), lines, source, restore=restore)
            for i, item in enumerate(node.value)
        ]
    # An empty plain scalar (`key:` with nothing after it), `~` and `null` mean "no value";
    # everything else, including `no`, `off` and `0123`, is the text that was typed.
    if getattr(node, "style", None) is None and node.value in _NULLS:
        return None
    return restore(node.value)


_NULLS = {"", "~", "null", "Null", "NULL"}


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|\n')


def _check_json_depth(text: str, path: Path) -> None:
    depth, line = 0, 1
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ReadError(
                    f"nests more than {MAX_DEPTH} levels deep, far deeper than any report needs",
                    source=str(path),
                    line=line,
                )
        elif token in "]}":
            depth -= 1
        else:
            line += token.count("\n")


def read_json(path: Path, data: bytes) -> Source:
    text = decode(path, data)
    # Parse first: the depth scan is linear only on JSON whose strings all close (an
    # unclosed string would make its pattern rescan the rest of the file from every quote).
    try:
        # A number is kept as the digits typed, as YAML's are: `1.10` stays `1.10` in a text
        # field (never 1.1 or inf), and a huge integer is never converted at all; the model
        # reads a score or a count from the digits.
        tree = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_float=str,
            parse_int=str,
            # A tab or a control character typed into a string (JSON wants them escaped) is
            # read, so that a tab is text and a control character is named by its field.
            strict=False,
        )
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"is not valid JSON: {exc.msg}", source=str(path), line=exc.lineno
        ) from None
    except _DuplicateKey as dup:
        raise ReadError(
            f"the key `{dup.key}` appears twice in the same block; keep one",
            source=str(path),
            line=_second_occurrence_line(text, dup.key),
        ) from None
    except RecursionError:
        # The nesting that overflowed comes before anything unparsed: the scan stops there.
        _check_json_depth(text, path)
        raise ReadError("nests far too deeply", source=str(path)) from None
    except ValueError as exc:
        raise ReadError(f"is not valid JSON: {exc}", source=str(path)) from None
    _check_json_depth(text, path)
    if not isinstance(tree, dict):
        raise ReadError(
            _TOP_LEVEL_HELP.replace("`kind: icpc`", '`{"kind": "icpc", ...`'),
            source=str(path),
            line=1,
        )
    return Source(path=path, tree=tree)


def _second_occurrence_line(text: str, key: str) -> int | None:
    hits = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    return text.count("\n", 0, hits[1].start()) + 1 if len(hits) > 1 else None
