"""PDF output: real LibreOffice conversions read back with poppler, and `fill --pdf`.

Tests marked `pdf` need LibreOffice and poppler-utils (`.ci/run` installs both). They are
skipped on a machine without LibreOffice, except in CI (the CI variable set), where a missing
LibreOffice fails them: the PDF tests must run there. The tests with a stand-in `soffice`
need neither and check what LibreOffice cannot be made to do on demand (hang, fail, write
nothing).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from sos_reports.commands.reports import fill, validate
from sos_reports.documents.pdf import convert, find_soffice
from sos_reports.errors import PdfError
from sos_reports.kinds import KINDS as REGISTRY
from tests.helpers.examples import ROOT, example_path, example_tree, write_json
from tests.helpers.report_text import confidential_or_withheld, free_text, pieces

KINDS = [k for k in REGISTRY if (ROOT / "templates" / REGISTRY[k].template).is_file()]


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


# The date each example's conference is on, as the report prints it ("12 March 2025").
CONFERENCE_DATE = {kind: _long_date(example_tree(kind)["conference"]["date"]) for kind in KINDS}
MARKING = "OFFICIAL-SENSITIVE"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in soffice is a script")


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.M)
    assert match, f"pdfinfo cannot read {pdf}"
    return int(match.group(1))


def pages_text(pdf: Path, mode: str) -> list[str]:
    """The text of each page; `-layout` keeps lines as printed, `-raw` keeps each table cell
    together (the content stream's order), which the word-sequence checks need."""
    text = poppler("pdftotext", mode, "-enc", "UTF-8", str(pdf), "-")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def words(text: str) -> str:
    """Text as one line of words: line wrapping, and wrapping after a hyphen, ignored."""
    return " ".join(re.sub(r"(\w-)\n\s*", r"\1", text).split())


def body_pages(pdf: Path) -> list[str]:
    """Each page's text without its running header and footer, as a sequence of words; a
    table's header row repeated at the top of a page it runs on to is left out too."""
    kept: list[str] = []
    pages = []
    for page in pages_text(pdf, "-raw"):
        lines = [
            line
            for line in page.splitlines()
            if line.strip() != MARKING and not re.search(r"Page \d+ of \d+\s*$", line)
        ]
        if kept and lines and lines[0] in kept:
            lines = lines[1:]
        kept += lines
        pages.append(words("\n".join(lines)))
    return pages


def in_pages(piece: str, pages: list[str]) -> bool:
    """The words are on the pages in order: in the run of the text, or begun at the foot of
    one page and ended on the next (a table row that breaks across the pages: its columns
    are printed one after the other on each page, so a cell's words do not run on)."""
    wanted = words(piece)
    if wanted in " ".join(pages):
        return True
    parts = wanted.split(" ")
    return any(
        " ".join(parts[:k]) in before and " ".join(parts[k:]) in after
        for before, after in itertools.pairwise(pages)
        for k in range(1, len(parts))
    )


@pytest.fixture(scope="module")
def converted(
    libreoffice: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Any, Path]]:
    """Every kind's example, filled and converted in one LibreOffice call."""
    folder = tmp_path_factory.mktemp("pdf")
    reports, models = [], []
    for kind in KINDS:
        source = folder / example_path(kind).name
        source.write_bytes(example_path(kind).read_bytes())
        reports.append(Path(fill(source).written[0]))
        models.append(validate(source).model)
    pdfs = convert(reports, folder)
    assert [p.name for p in pdfs] == [r.with_suffix(".pdf").name for r in reports]
    return {kind: (model, pdf) for kind, model, pdf in zip(KINDS, models, pdfs, strict=True)}


@pytest.fixture(params=KINDS)
def kind_pdf(
    request: pytest.FixtureRequest, converted: dict[str, tuple[Any, Path]]
) -> tuple[Any, Path]:
    return converted[request.param]


@pytest.mark.pdf
def test_the_pdf_is_a4_on_every_page(kind_pdf: tuple[Any, Path]) -> None:
    _, pdf = kind_pdf
    count = page_count(pdf)
    sizes = re.findall(
        r"^Page\s+\d+ size:\s+(.*)$",
        poppler("pdfinfo", "-f", "1", "-l", str(count), str(pdf)),
        re.M,
    )
    assert len(sizes) == count > 1
    assert all(re.fullmatch(r"595\.\d+ x 841\.\d+ pts \(A4\)", size) for size in sizes), sizes


@pytest.mark.pdf
def test_every_page_has_the_marking_the_conference_and_page_x_of_y(
    kind_pdf: tuple[Any, Path],
) -> None:
    model, pdf = kind_pdf
    count = page_count(pdf)
    pages = pages_text(pdf, "-layout")
    assert len(pages) == count
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == MARKING, f"page {number} starts {lines[0]!r}"
        footer = lines[-1]
        assert re.search(rf"Page {number} of {count}$", footer), f"page {number} ends {footer!r}"
        assert CONFERENCE_DATE[model.kind] in footer
        assert len(re.findall(r"Page \d+ of \d+", page)) == 1


@pytest.mark.pdf
def test_all_the_reports_text_is_in_the_pdf(kind_pdf: tuple[Any, Path]) -> None:
    model, pdf = kind_pdf
    pages = body_pages(pdf)
    text = " ".join(pages)
    values = [
        (p, v)
        for p, v in free_text(model)
        if not confidential_or_withheld(model, p) and p != "marking"  # the marking: see above
    ]
    assert len(values) > 40
    missing = [(p, piece) for p, v in values for piece in pieces(v) if not in_pages(piece, pages)]
    assert missing == []
    for heading in ("What are we worried about?", "What's working well?", "What needs to happen?"):
        assert heading in text


@pytest.mark.pdf
def test_the_pdf_is_tagged_for_screen_readers(kind_pdf: tuple[Any, Path]) -> None:
    model, pdf = kind_pdf
    info = poppler("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+.*{CONFERENCE_DATE[model.kind]}$", info, re.M)


@pytest.mark.pdf
def test_pdfs_come_back_in_the_order_given(libreoffice: str, tmp_path: Path) -> None:
    names = ["zeta", "alpha", "mid"]
    sources = []
    report = _filled_icpc(tmp_path)
    for name in names:
        sources.append(tmp_path / f"{name}.docx")
        shutil.copy(report, sources[-1])
    out = tmp_path / "out"
    out.mkdir()
    pdfs = convert(sources, out)
    assert pdfs == [out / f"{name}.pdf" for name in names]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in pdfs
    )  # nothing else left


@pytest.mark.pdf
def test_four_conversions_at_once_in_one_folder_all_succeed(
    libreoffice: str, tmp_path: Path
) -> None:
    report = _filled_icpc(tmp_path)
    sources = []
    for i in range(4):
        sources.append(tmp_path / f"report-{i}.docx")
        shutil.copy(report, sources[-1])
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda source: convert([source], tmp_path), sources))
    for source, result in zip(sources, results, strict=True):
        assert result == [tmp_path / f"{source.stem}.pdf"]
        assert page_count(result[0]) > 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_missing_libreoffice_is_a_clear_error_saying_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_empty_dir(tmp_path)))
    with pytest.raises(PdfError, match="LibreOffice") as raised:
        find_soffice()
    assert "apt-get install libreoffice-writer-nogui" in str(raised.value)
    assert "libreoffice.org" in str(raised.value)
    source = tmp_path / "report.docx"
    source.write_bytes(b"not converted")
    with pytest.raises(PdfError, match="LibreOffice"):
        convert([source], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "report.docx"]


def _empty_dir(tmp_path: Path) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    return empty


def _filled_icpc(folder: Path) -> Path:
    source = folder / "icpc.yaml"
    source.write_bytes(example_path("icpc").read_bytes())
    return Path(fill(source, folder / "filled.docx").written[0])


# --- a stand-in soffice: what real LibreOffice does only now and then --------------------------

FAKE = """\
#!{python}
import json, os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "home": os.environ.get("HOME")}}) + "\\n")
profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
assert os.path.isdir(os.path.dirname(profile[len("-env:UserInstallation=file://"):]))
outdir = args[args.index("--outdir") + 1]
files = args[args.index("--outdir") + 2:]
{behaviour}
"""

WRITES = """\
for f in files:
    name = os.path.splitext(os.path.basename(f))[0] + ".pdf"
    with open(os.path.join(outdir, name), "wb") as pdf:
        pdf.write(b"%PDF-1.6 stand-in")
"""


def _fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behaviour: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(FAKE.format(python=sys.executable, behaviour=textwrap.dedent(behaviour)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def _documents(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        paths.append(tmp_path / name)
        paths[-1].write_bytes(b"stand-in document")
    return paths


def _calls(log: Path) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@posix_only
def test_all_files_go_to_one_call_with_its_own_profile_and_tagged_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_soffice(tmp_path, monkeypatch, WRITES)
    sources = _documents(tmp_path, "b.docx", "a.docx", "c.docx")
    out = tmp_path / "out"
    out.mkdir()
    assert convert(sources, out) == [out / "b.pdf", out / "a.pdf", out / "c.pdf"]
    convert(sources[:1], out)
    first, second = _calls(log)
    assert first["args"][-3:] == [str(s.resolve()) for s in sources]
    assert "--headless" in first["args"]
    assert first["args"][first["args"].index("--convert-to") + 1] == (
        'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
    )
    profiles = [
        next(a for a in c["args"] if a.startswith("-env:UserInstallation="))
        for c in (first, second)
    ]
    assert profiles[0] != profiles[1]  # a fresh profile per call
    for profile in profiles:  # and removed afterwards
        assert not Path(profile.split("file://", 1)[1]).parent.exists()
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "b.pdf", "c.pdf"]


@posix_only
def test_an_unwritable_home_is_replaced_for_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_soffice(tmp_path, monkeypatch, WRITES)
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    convert(_documents(tmp_path, "a.docx"), tmp_path)
    home = _calls(log)[0]["home"]
    assert home != str(tmp_path / "no-such-home")
    assert not Path(home).exists()  # it was a temporary folder, removed after the call


@posix_only
def test_an_exit_of_zero_without_a_pdf_is_a_failure_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_soffice(
        tmp_path,
        monkeypatch,
        """\
        with open(os.path.join(outdir, "written.pdf"), "wb") as pdf:
            pdf.write(b"%PDF-1.6")
        open(os.path.join(outdir, "empty.pdf"), "wb").close()
        """,
    )
    sources = _documents(tmp_path, "written.docx", "empty.docx", "forgotten.docx")
    with pytest.raises(PdfError) as raised:
        convert(sources, tmp_path)
    assert "empty.docx" in str(raised.value) and "forgotten.docx" in str(raised.value)
    assert "written.docx" not in str(raised.value)
    assert not list(tmp_path.glob("*.pdf"))  # not even the one that was written


@posix_only
def test_a_failing_libreoffice_is_a_pdf_error_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_soffice(
        tmp_path,
        monkeypatch,
        'sys.stderr.write("Error: source file could not be loaded\\n"); sys.exit(81)',
    )
    with pytest.raises(PdfError, match=r"exit code 81\): Error: source file could not be loaded"):
        convert(_documents(tmp_path, "a.docx"), tmp_path)


@posix_only
def test_a_hung_conversion_is_stopped_at_the_timeout_with_everything_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "helper.pid"
    _fake_soffice(
        tmp_path,
        monkeypatch,
        f"""\
        import subprocess
        helper = subprocess.Popen(["{sys.executable}", "-c", "import time; time.sleep(120)"])
        open({str(pid_file)!r}, "w").write(str(helper.pid))
        time.sleep(120)
        """,
    )
    started = time.monotonic()
    with pytest.raises(PdfError, match=r"did not finish converting a\.docx within 2 seconds"):
        convert(_documents(tmp_path, "a.docx"), tmp_path, timeout=2)
    assert time.monotonic() - started < 30
    helper = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent; give the kernel a moment to finish it
        if not _alive(helper):
            break
        time.sleep(0.1)
    assert not _alive(helper), "LibreOffice's helper process was left running"


def _alive(pid: int) -> bool:
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except FileNotFoundError:
        return False
    return status != "Z"  # a zombie is dead, only not yet collected by its parent


def test_documents_that_would_share_a_pdf_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    sources = [_documents(tmp_path / d, "report.docx")[0] for d in ("one", "two")]
    with pytest.raises(PdfError, match=r"would both become report\.pdf"):
        convert(sources, tmp_path)


def test_a_missing_document_is_named(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match=r"gone\.docx.*does not exist"):
        convert([tmp_path / "gone.docx"], tmp_path)


# --- `sos-reports fill --pdf` ----------------------------------------------------------------


def _input(folder: Path, name: str = "input.yaml") -> Path:
    source = folder / name
    source.write_bytes(example_path("icpc").read_bytes())
    return source


def _printed_paths(stdout: str) -> set[Path]:
    return {Path(line).resolve() for line in stdout.splitlines() if line.strip()}


@pytest.mark.pdf
def test_fill_pdf_writes_the_report_and_its_pdf_and_prints_both(
    libreoffice: str, tmp_path: Path
) -> None:
    source = _input(tmp_path)
    result = CliRunner().invoke(cli, ["fill", str(source), "--pdf"])
    assert result.exit_code == 0, result.stderr
    report, pdf = tmp_path / "input-report.docx", tmp_path / "input-report.pdf"
    assert _printed_paths(result.stdout) == {report.resolve(), pdf.resolve()}
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Tagged:          yes" in poppler("pdfinfo", str(pdf))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "input-report.docx",
        "input-report.pdf",
        "input.yaml",
    ]


@pytest.mark.pdf
def test_fill_pdf_writes_the_annex_pdf_too(libreoffice: str, tmp_path: Path) -> None:
    tree = example_tree("icpc")
    tree["confidential"] = {
        "present": "yes",
        "reason": "whereabouts of a person at risk",
        "chair_informed": "2025-03-05",
        "details": "An invented new address, 9 Quarry Row, that must not reach the family.",
    }
    source = write_json(tmp_path / "input.json", tree)
    result = CliRunner().invoke(cli, ["fill", str(source), "--pdf"])
    assert result.exit_code == 0, result.stderr
    names = ["input-report", "input-report-confidential-annex"]
    expected = {tmp_path / f"{n}{ext}" for n in names for ext in (".docx", ".pdf")}
    assert _printed_paths(result.stdout) == {p.resolve() for p in expected}
    report_text = " ".join(pages_text(tmp_path / "input-report.pdf", "-raw"))
    annex_text = " ".join(pages_text(tmp_path / "input-report-confidential-annex.pdf", "-raw"))
    assert "Quarry Row" in annex_text
    assert "Quarry Row" not in report_text


def test_fill_pdf_without_libreoffice_fails_clearly_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _input(tmp_path)
    monkeypatch.setenv("PATH", str(_empty_dir(tmp_path)))
    result = CliRunner().invoke(cli, ["fill", str(source), "--pdf"])
    assert result.exit_code == 1
    assert "LibreOffice" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "input.yaml"]  # no .docx either


@pytest.mark.pdf
def test_fill_pdf_never_replaces_an_existing_pdf_without_force(
    libreoffice: str, tmp_path: Path
) -> None:
    source = _input(tmp_path)
    old = tmp_path / "input-report.pdf"
    old.write_bytes(b"%PDF- an earlier report")
    result = CliRunner().invoke(cli, ["fill", str(source), "--pdf"])
    assert result.exit_code == 1
    assert "input-report.pdf" in result.stderr
    assert old.read_bytes() == b"%PDF- an earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input-report.pdf", "input.yaml"]
    result = CliRunner().invoke(cli, ["fill", str(source), "--pdf", "--force"])
    assert result.exit_code == 0, result.stderr
    assert page_count(old) > 1


@pytest.mark.pdf
def test_four_fill_pdf_runs_at_once_in_one_folder_all_succeed(
    libreoffice: str, tmp_path: Path
) -> None:
    sources = [_input(tmp_path, f"agency-{i}.yaml") for i in range(4)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sos_reports", "fill", str(source), "--pdf"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in sources
    ]
    outcomes = [run.communicate(timeout=600) for run in runs]
    for source, run, (stdout, stderr) in zip(sources, runs, outcomes, strict=True):
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
        pdf = source.with_name(f"{source.stem}-report.pdf")
        assert _printed_paths(stdout) == {pdf.with_suffix(".docx").resolve(), pdf.resolve()}
        assert page_count(pdf) > 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left
