"""Reads YAML and JSON inputs into a plain tree with the line of every value.

YAML is composed, not loaded: every scalar stays the string that was typed (no YAML 1.1
implicit types), anchors and aliases are refused before anything is built (an alias bomb
costs nothing), nesting is bounded, and duplicate keys are errors with their line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from sos_reports.errors import ReadError
from sos_reports.readers.source import MAX_DEPTH, Source, decode
from sos_reports.tree import Loc

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
    composer = _StrictComposer(text, str(path))
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "is not valid YAML"
        if "single document" in str(exc.context):
            problem = "it holds more than one document (a `---` line); one input is one report"
        raise ReadError(
            f"is not valid YAML: {problem}", source=str(path), line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"is not valid YAML: {exc}", source=str(path)) from None
    finally:
        composer.dispose()
    if node is None:
        raise ReadError("is empty", source=str(path))
    if not isinstance(node, yaml.MappingNode):
        raise ReadError(_TOP_LEVEL_HELP, source=str(path), line=node.start_mark.line + 1)
    lines: dict[Loc, int] = {}
    tree = _build(node, (), lines, str(path))
    return Source(path=path, tree=tree, lines=lines)


def _build(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], source: str, line: int | None = None
) -> Any:
    # A value is placed at its key's line: a block or a list starts on the line after it.
    lines[loc] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise ReadError("a key must be a plain name", source=source, line=line)
            key = key_node.value
            if key in out:
                raise ReadError(
                    f"the key `{key}` appears twice in the same block; keep one",
                    source=source,
                    line=line,
                )
            out[key] = _build(value_node, (*loc, key), lines, source, line)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), lines, source) for i, item in enumerate(node.value)]
    # An empty plain scalar (`key:` with nothing after it), `~` and `null` mean "no value";
    # everything else, including `no`, `off` and `0123`, is the text that was typed.
    if getattr(node, "style", None) is None and node.value in _NULLS:
        return None
    return node.value


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
        tree = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
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
