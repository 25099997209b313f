"""Reading YAML and JSON: types stay as typed, and every broken file is a clear error."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sos_reports.checks.validation import check
from sos_reports.errors import ReadError
from sos_reports.inputs.read import MAX_BYTES, read_input
from tests.helpers.examples import example_path


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def test_yaml_scalars_are_read_as_the_text_that_was_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        "time: 10:00\ngmc: 0000000\noctal: 0123\nword: no\non: on\nnull_word: null\nempty:\n",
    )
    tree = read_input(path).tree
    assert tree == {
        "time": "10:00",
        "gmc": "0000000",
        "octal": "0123",
        "word": "no",
        "on": "on",
        "null_word": None,
        "empty": None,
    }


def test_yaml_lines_are_recorded_for_every_value(tmp_path: Path) -> None:
    source = read_input(example_path("icpc"))
    text = example_path("icpc").read_text("utf-8").splitlines()
    line = source.line(("scaling", "scores", 1, "score"))
    assert line is not None and text[line - 1].strip().startswith("score:")


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("kind: icpc\nconference: [1, 2\n", "not valid YAML", 3),
        ("kind: icpc\n  bad indent: x\n", "not valid YAML", 2),
        ("- just\n- a list\n", "block of fields at the top level", 1),
        ("just text\n", "block of fields at the top level", 1),
        ("kind: icpc\nkind: rcpc\n", "`kind` appears twice", 2),
        ("base: &a {x: 1}\nother: *a\n", "anchor", 1),
        ("kind: icpc\n---\nkind: rcpc\n", "more than one document", 2),
    ],
    ids=["unclosed", "indentation", "list", "scalar", "duplicate", "anchor", "two-documents"],
)
def test_broken_yaml_is_a_clear_error_with_its_line(
    tmp_path: Path, text: str, fragment: str, line: int
) -> None:
    with pytest.raises(ReadError) as caught:
        read_input(write(tmp_path, "bad.yaml", text))
    assert fragment in caught.value.message
    assert caught.value.line == line


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(ReadError, match="anchor"):
        read_input(path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_absurd_nesting_is_refused_without_a_recursion_error(tmp_path: Path, name: str) -> None:
    text = "[" * 20000 + "]" * 20000 if name.endswith("json") else "a: " + "[" * 20000 + "]" * 20000
    with pytest.raises(ReadError, match="levels deep"):
        read_input(write(tmp_path, name, text))


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ('{"kind": "icpc",\n "kind": "rcpc"}', "`kind` appears twice", 2),
        ('{"kind": "icpc",\n "a": }', "not valid JSON", 2),
        ('["a list"]', "block of fields", 1),
        ('{"score": NaN}', "not valid JSON", None),
    ],
    ids=["duplicate", "syntax", "list", "nan"],
)
def test_broken_json_is_a_clear_error(
    tmp_path: Path, text: str, fragment: str, line: int | None
) -> None:
    with pytest.raises(ReadError) as caught:
        read_input(write(tmp_path, "bad.json", text))
    assert fragment in caught.value.message
    if line is not None:
        assert caught.value.line == line


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.yaml", "", "is empty"),
        ("blank.yaml", "   \n\n", "is empty"),
        ("comments.yaml", "# only a comment\n", "is empty"),
        ("latin1.yaml", "name: Se\xf1ora\n".encode("latin-1"), "not UTF-8"),
        ("report.docx", "x", "is not a Word form"),
        ("noext", "kind: icpc", "cannot read"),
    ],
)
def test_files_that_are_not_inputs_are_refused(
    tmp_path: Path, name: str, content: str | bytes, fragment: str
) -> None:
    with pytest.raises(ReadError, match=fragment):
        read_input(write(tmp_path, name, content))


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.yaml", "a: " + "x" * (MAX_BYTES + 10))
    with pytest.raises(ReadError, match="at most"):
        read_input(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read_input(tmp_path / "nope.yaml")
    with pytest.raises(ReadError, match="folder"):
        read_input(tmp_path)


def test_yaml_and_json_spellings_of_one_input_give_one_model(tmp_path: Path) -> None:
    yaml_model = check(read_input(example_path("icpc"))).model
    tree = read_input(example_path("icpc")).tree
    # JSON as a case-management export would write it: numbers and booleans native.
    tree["format_version"] = 1
    tree["author"]["attending"] = True
    tree["scaling"]["scores"][0]["score"] = int(tree["scaling"]["scores"][0]["score"])
    json_model = check(read_input(write(tmp_path, "in.json", json.dumps(tree)))).model
    assert yaml_model is not None and json_model is not None
    assert yaml_model.model_dump() == json_model.model_dump()


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.yaml", b"\xef\xbb\xbfkind: icpc\n")
    assert read_input(path).tree == {"kind": "icpc"}


def test_an_unclosed_json_string_full_of_escapes_is_refused_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.json", '{"harm": "' + '\\"' * 200_000)
    started = time.perf_counter()
    with pytest.raises(ReadError, match="not valid JSON"):
        read_input(path)
    assert time.perf_counter() - started < 2.0
