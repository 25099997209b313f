"""The fast YAML reader (libyaml's events) reads exactly what the pure-Python reader reads,
and leaves everything else to it: the tree, the line of every value and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sos_reports.errors import ReadError
from sos_reports.inputs import yaml_json
from sos_reports.inputs.source import Source, decode
from tests.helpers.examples import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(yaml_json._CParser is None, reason="PyYAML without libyaml")

TEXTS = {
    path.relative_to(ROOT).as_posix(): path.read_text("utf-8")
    for folder in (EXAMPLES, ROOT / "tests")
    for path in sorted(folder.rglob("*.yaml"))
}
SEEDS = sorted(TEXTS.values(), key=len)
# What YAML gives meaning to, and what the fast reader hands over: the edits reach both.
PIECES = [
    *": -?#&*!|>'\"%@`{}[],\\\n\r ",
    "\r\n",
    "\t",
    "- ",
    ": ",
    "---\n",
    "...\n",
    "key: value\n",
    "  ",
    "    ",
    "null",
    "~",
    "|-\n",
    ">+\n",
    "&a ",
    "*a",
    "!!str ",
    "? ",
    "\\x41",
    "\\u2028",
    "\u2028",
    "\x0b",
    "\x85",
    "\ufeff",
    "\x00",
    "é",
    "😀",
    "a",
    "0",
]


def pure(text: str) -> Source | str:
    """What the pure-Python reader makes of the text: the input, or its refusal in words."""
    try:
        return yaml_json._read_pure(Path("in.yaml"), text)
    except ReadError as exc:
        return f"{exc} (line {exc.line})"


def assert_same_as_pure(text: str) -> None:
    fast = yaml_json._read_ordinary(text)
    if fast is None:
        return  # the pure-Python reader reads it, as before
    expected = pure(text)
    assert isinstance(expected, Source), f"the fast reader took what is refused: {expected}"
    assert fast == (expected.tree, expected.lines)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_yaml_file_of_the_project_reads_the_same_by_both_readers(name: str) -> None:
    text = TEXTS[name]
    assert_same_as_pure(text)
    assert_same_as_pure(text.replace("\n", "\r\n"))


def test_the_examples_take_the_fast_reader() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        assert yaml_json._read_ordinary(decode(path, path.read_bytes())) is not None, path


@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1),
            st.integers(0, 12),
            st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
        ),
        min_size=1,
        max_size=6,
    ),
)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_an_edited_input_reads_the_same_by_both_readers(
    seed: str, edits: list[tuple[float, int, str]]
) -> None:
    text = seed
    for where, cut, piece in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at + cut :]
    assert_same_as_pure(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: 1\n---\nb: 2\n",
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 14)),
        "? [a]\n: b\n",
        "- a\n",
        "a: b\n c: d\n",
        "a: 'x\n",
        "a: \x01\n",
        "# only a comment\n",
    ],
)
def test_what_the_pure_reader_refuses_is_left_to_it(text: str) -> None:
    assert yaml_json._read_ordinary(text) is None
    assert isinstance(pure(text), str)


def test_a_tab_is_left_to_the_pure_reader_which_keeps_it_in_the_text() -> None:
    assert yaml_json._read_ordinary("name: Ms\tPryce\n") is None
    assert yaml_json.read_yaml(Path("in.yaml"), b"name: Ms\tPryce\n").tree == {"name": "Ms\tPryce"}
