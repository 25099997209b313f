"""Inputs the fuzzer (fuzz/fuzz_readers.py) once crashed the readers with: each now a clear
refusal, from the library and from the command line.

A new crash the fuzzer finds is saved beside these, in tests/inputs/fuzz-cases/<target>/, named for
what is wrong with it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sos_reports.checks.validation import check
from sos_reports.cli import cli
from sos_reports.errors import SosError
from sos_reports.inputs.read import read_input

CASES = sorted((Path(__file__).parent / "fuzz-cases").glob("*/*"))


def test_there_are_cases() -> None:
    assert CASES, "the fuzz cases folder is empty"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_case_the_fuzzer_found_is_refused_with_a_message(tmp_path: Path, case: Path) -> None:
    source = tmp_path / case.name
    shutil.copy(case, source)
    with pytest.raises(SosError):
        check(read_input(source)).valid_model()
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 1
    assert result.output.startswith(("Error: ", "error: "))
    assert "failed unexpectedly" not in result.output
    assert source.read_bytes() == case.read_bytes()
