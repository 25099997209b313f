"""Outputs are written as a set, via temporary files: never half a file, never an input."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pytest

from sos_reports.documents.writing import Output, write_outputs
from sos_reports.errors import OutputError


def writes(data: bytes):
    return lambda handle: handle.write(data)


def fails(handle: IO[bytes]) -> None:
    handle.write(b"half of a file")
    raise RuntimeError("the renderer broke")


def test_a_failure_while_producing_any_output_writes_none_of_them(tmp_path: Path) -> None:
    first, second = tmp_path / "report.docx", tmp_path / "annex.docx"
    second.write_bytes(b"old annex")
    with pytest.raises(RuntimeError):
        write_outputs([Output(first, writes(b"new report")), Output(second, fails)], force=True)
    assert not first.exists()
    assert second.read_bytes() == b"old annex"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annex.docx"]  # no temporary files left


def test_every_output_is_checked_before_any_is_written(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    second.write_bytes(b"keep me")
    with pytest.raises(OutputError, match=r"b\.docx already exists"):
        write_outputs([Output(first, writes(b"x")), Output(second, writes(b"y"))])
    assert not first.exists()
    assert second.read_bytes() == b"keep me"


def test_an_output_that_is_an_input_is_refused_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(b"kind: icpc\n")
    with pytest.raises(OutputError, match="one of the inputs"):
        write_outputs([Output(source, writes(b"x"))], inputs=[source], force=True)
    assert source.read_bytes() == b"kind: icpc\n"


def test_the_same_output_twice_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    with pytest.raises(OutputError, match="twice"):
        write_outputs([Output(out, writes(b"1")), Output(tmp_path / "." / "r.docx", writes(b"2"))])


def test_replacing_keeps_the_old_file_until_the_new_one_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    out.write_bytes(b"old")
    seen: list[bytes] = []

    def produce(handle: IO[bytes]) -> None:
        seen.append(out.read_bytes())  # while the new file is being written
        handle.write(b"new")

    write_outputs([Output(out, produce)], force=True)
    assert seen == [b"old"]
    assert out.read_bytes() == b"new"


def test_a_new_output_gets_ordinary_permissions_and_a_replaced_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    import os

    mask = os.umask(0o022)
    try:
        new, old = tmp_path / "new.docx", tmp_path / "old.docx"
        old.write_bytes(b"old")
        old.chmod(0o640)
        write_outputs([Output(new, writes(b"n")), Output(old, writes(b"o"))], force=True)
        assert new.stat().st_mode & 0o777 == 0o644
        assert old.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(mask)
