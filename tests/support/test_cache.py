"""The start-up cache changes nothing but speed: on, off, stale or broken, the report is the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sos_reports.commands.reports import fill
from sos_reports.support import deadlines
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path


def _fill(tmp_path: Path, name: str) -> str:
    source = tmp_path / f"{name}.yaml"
    shutil.copy(example_path("icpc"), source)
    return docx_text(Path(fill(source).written[0]))


def test_the_report_is_the_same_with_the_cache_off_cold_warm_and_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOS_REPORTS_CACHE", "off")
    deadlines._bank_holidays.cache_clear()
    without = _fill(tmp_path, "off")

    cache = tmp_path / "cache"
    monkeypatch.setenv("SOS_REPORTS_CACHE", str(cache))
    deadlines._bank_holidays.cache_clear()
    cold = _fill(tmp_path, "cold")
    assert (cache / "bank-holidays-england-wales.json").exists()
    assert any((cache).glob("templates-*/*"))
    deadlines._bank_holidays.cache_clear()
    warm = _fill(tmp_path, "warm")

    (cache / "bank-holidays-england-wales.json").write_text("{ not json")
    for code in cache.glob("templates-*/*"):
        code.write_bytes(b"garbage")
    deadlines._bank_holidays.cache_clear()
    broken = _fill(tmp_path, "broken")
    assert without == cold == warm == broken


def test_cached_bank_holidays_match_the_holidays_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import holidays

    monkeypatch.setenv("SOS_REPORTS_CACHE", str(tmp_path))
    for _ in range(2):  # computed, then read back from the cache
        deadlines._bank_holidays.cache_clear()
        assert deadlines._bank_holidays(2026) == frozenset(
            holidays.country_holidays("GB", subdiv="ENG", years=2026)
        )


def test_two_installations_sharing_a_cache_keep_their_own_bank_holidays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("SOS_REPORTS_CACHE", str(tmp_path))
    for copy in ("one", "other", "one"):
        monkeypatch.setattr(deadlines, "_holidays_version", lambda copy=copy: copy)
        deadlines._bank_holidays.cache_clear()
        deadlines._bank_holidays(2026)
    stored = json.loads((tmp_path / "bank-holidays-england-wales.json").read_text("utf-8"))
    assert set(stored["copies"]) == {"one", "other"}
    assert stored["copies"]["one"] == stored["copies"]["other"]
