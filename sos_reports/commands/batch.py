"""Fills many inputs at once, in worker processes, each input's files written as `fill` writes them.

Each input is filled by `reports.prepare` and written by `Filled.write`, so a report in a
batch is the report `fill` writes, under the same rules: its outputs checked first, written
as a set under the folder lock, never over an input. One input that cannot be filled is
reported with its reason and the others go on. With PDFs, a worker fills a group of inputs,
converts all their documents in one LibreOffice run, then writes each input's set.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import re
import signal
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from sos_reports.commands.options import Options
from sos_reports.errors import Finding, InputError, OutputError, ReadError, SosError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from sos_reports.commands.reports import Filled

# The files a folder is searched for: what `read_input` reads. A Word document found in a
# folder is an input only if the reader takes it for a filled form (see `Outcome.skipped`).
INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".docx")
# A stem longer than this (in bytes) is cut, so that `STEM-report-confidential-annex.pdf`
# stays far within the 255 bytes a file name may have on every common disk.
MAX_STEM_BYTES = 120
# Documents converted per LibreOffice run: starting it costs about a second, each document
# a few hundredths; larger groups would make the progress bar move in lumps.
PDF_GROUP = 25
# Seconds a LibreOffice run may take: a start, then a margin for each document.
PDF_TIMEOUT_START = 120
PDF_TIMEOUT_EACH = 10

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Job:
    """One input of a batch and where its report goes."""

    index: int
    input: Path
    output: Path
    # Found by searching a folder, rather than named on the command line.
    found: bool = False


@dataclass
class Outcome:
    """What became of one input: the files written, or why there are none."""

    input: str
    written: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Why the input failed; its findings then hold the errors with their places.
    error: str | None = None
    # A Word document found in a folder that the reader does not take for a filled form (a
    # report, a letter): not an input, so not a failure; `error` says what the reader said.
    skipped: bool = False
    index: int = -1

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.skipped


@dataclass
class BatchResult:
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def filled(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is None]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.skipped]

    @property
    def written(self) -> list[str]:
        return [path for o in self.outcomes for path in o.written]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows
        return max(1, os.cpu_count() or 1)


# --- finding the inputs and naming their outputs ------------------------------------------


def find_inputs(paths: Iterable[Path], out_dir: Path) -> tuple[list[Job], list[Outcome]]:
    """The inputs named or found in folders, each with its report's path under `out_dir`.

    Folders are searched through, hidden ones and the output folder excepted; the folder
    structure below the inputs' common folder is kept under `out_dir`, so that inputs of the
    same name in different folders both come out. Names that would still collide (`a.yaml`
    and `a.json`) take their input's suffix. Paths that do not exist are outcomes, not jobs.
    """
    out_abs = Path(os.path.abspath(out_dir))
    missing: list[Outcome] = []
    found: list[tuple[Path, bool]] = []  # (input, found in a folder)
    roots: list[Path] = []
    for given in paths:
        given = Path(given)
        absolute = Path(os.path.abspath(given))
        if given.is_dir():
            roots.append(absolute)
            found += [(f, True) for f in _search(absolute, out_abs)]
        elif given.exists() or given.is_symlink():
            roots.append(absolute.parent)
            found.append((absolute, False))
        else:
            missing.append(Outcome(str(given), error="no such file or folder"))
    seen: set[str] = set()
    unique: list[tuple[Path, bool]] = []
    for path, in_folder in found:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append((path, in_folder))
    if not unique:
        return [], missing
    try:
        common: Path | None = Path(os.path.commonpath([str(r) for r in roots]))
    except ValueError:  # inputs on different drives (Windows) share no folder
        common = None
    return _name(unique, common, out_dir), missing


def _search(folder: Path, out_dir: Path) -> Iterator[Path]:
    for top, folders, files in os.walk(folder):
        here = Path(top)
        folders[:] = sorted(d for d in folders if not d.startswith(".") and here / d != out_dir)
        for name in sorted(files):
            # Hidden files, and the lock files Word and LibreOffice keep beside open ones.
            if name.startswith((".", "~$")):
                continue
            if Path(name).suffix.lower() in INPUT_SUFFIXES:
                yield here / name


def safe_name(name: str) -> str:
    """A file or folder name that is safe on every common disk and in a shell."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = unicodedata.normalize("NFC", name).replace("\ufffd", "_")
    name = _UNSAFE.sub("_", name).strip().rstrip(". ")
    if not name or name.startswith(("-", ".")) or _RESERVED.fullmatch(name):
        name = f"_{name}"
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_STEM_BYTES:
        name = encoded[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(". ")
    return name


def _outputs_of(stem: str) -> list[str]:
    report = f"{stem}-report"
    annex = f"{report}-confidential-annex"
    return [f"{name}{ext}" for name in (report, annex) for ext in (".docx", ".pdf")]


def _name(inputs: list[tuple[Path, bool]], common: Path | None, out_dir: Path) -> list[Job]:
    planned: list[tuple[Path, bool, tuple[str, ...], str]] = []
    for path, in_folder in inputs:
        if common is None:
            relative = path.parent.parts[1:]  # the whole path, its drive left out
        else:
            relative = Path(os.path.relpath(path.parent, common)).parts
        folder = tuple(safe_name(part) for part in relative if part not in (".", ""))
        planned.append((path, in_folder, folder, safe_name(path.stem)))
    # Inputs that share a folder and a name (in any case: some disks ignore it) take their
    # suffix, so that `visit.yaml` and `visit.json` make two reports.
    groups: dict[tuple[str, ...], int] = {}
    for _, _, folder, stem in planned:
        key = (*(p.casefold() for p in folder), stem.casefold())
        groups[key] = groups.get(key, 0) + 1
    taken: set[tuple[str, ...]] = set()
    jobs: list[Job] = []
    for index, (path, in_folder, folder, stem) in enumerate(planned):
        lowered = tuple(p.casefold() for p in folder)
        if groups[(*lowered, stem.casefold())] > 1:
            stem = f"{stem}-{path.suffix.lstrip('.').lower() or 'input'}"
        candidate, number = stem, 1
        while any((*lowered, n.casefold()) in taken for n in _outputs_of(candidate)):
            number += 1
            candidate = f"{stem}-{number}"
        taken.update((*lowered, n.casefold()) for n in _outputs_of(candidate))
        output = Path(out_dir, *folder, f"{candidate}-report.docx")
        jobs.append(Job(index, path, output, in_folder))
    return jobs


# --- filling ------------------------------------------------------------------------------


def batch(
    paths: Iterable[Path],
    out_dir: Path,
    options: Options | None = None,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    **settings: Any,
) -> BatchResult:
    """Fill every input of `paths` (files, or folders to search) into reports under `out_dir`.

    `options` (an `Options`, or its names as keywords) are `fill`'s, for every input.
    Returns every input's outcome, in the order the inputs were found; an input that fails
    stops no other. `on_start` is told how many inputs there are, `on_outcome` each outcome
    as it comes. Raises OutputError when `out_dir` cannot be made, PdfError when PDFs are
    asked for and LibreOffice is missing; an interruption (Ctrl-C, SIGTERM, SIGHUP) raises
    Interrupted, with `written` naming every file already in place.
    """
    out_dir = Path(out_dir)
    options = Options.of(options, **settings)
    if options.pdf:
        from sos_reports.documents.pdf import find_soffice

        find_soffice()  # before any work, as `fill` does
    _make_output_folder(out_dir)
    work, outcomes = find_inputs(paths, out_dir)
    if on_start is not None:
        on_start(len(work) + len(outcomes))
    for outcome in outcomes:
        if on_outcome is not None:
            on_outcome(outcome)
    made = _make_folders(out_dir, {job.output.parent for job in work})

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        workers = max(1, min(jobs or default_jobs(), len(work) or 1))
        run = _in_process if workers == 1 else _in_workers
        run(work, options, workers, record)
    except KeyboardInterrupt as exc:
        exc.written = [p for o in outcomes for p in o.written]  # type: ignore[attr-defined]
        raise
    finally:
        _remove_empty(made)
    outcomes.sort(key=lambda o: o.index)
    return BatchResult(outcomes)


def _make_output_folder(out_dir: Path) -> None:
    if out_dir.is_dir():
        return
    if out_dir.exists():
        raise OutputError(f"cannot write the reports into {out_dir}: it is a file, not a folder")
    if not out_dir.parent.is_dir():
        raise OutputError(
            f"cannot write the reports into {out_dir}: the folder {out_dir.parent} does not exist"
        )
    try:
        out_dir.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        raise OutputError(
            f"cannot make the folder {out_dir}: {(exc.strerror or str(exc)).lower()}"
        ) from None


def _make_folders(out_dir: Path, folders: set[Path]) -> list[Path]:
    """Make the sub-folders the reports go into; the ones this run made, deepest first."""
    made: list[Path] = []
    for folder in sorted(folders, key=lambda f: len(f.parts)):
        missing = []
        for parent in [folder, *folder.parents]:
            if parent == out_dir or parent.is_dir():
                break
            missing.append(parent)
        for parent in reversed(missing):
            with contextlib.suppress(FileExistsError):
                parent.mkdir()
                made.append(parent)
    return sorted(made, key=lambda f: len(f.parts), reverse=True)


def _remove_empty(folders: list[Path]) -> None:
    """Folders made for inputs that all failed are not left behind, empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _in_process(
    work: list[Job], options: Options, workers: int, record: Callable[[Outcome], None]
) -> None:
    for group in _groups(work, options, 1):
        _fill_group(group, options, record)


def _groups(work: list[Job], options: Options, workers: int) -> list[list[Job]]:
    if not options.pdf:
        return [[job] for job in work]
    size = max(1, min(PDF_GROUP, math.ceil(len(work) / workers)))
    return [work[i : i + size] for i in range(0, len(work), size)]


def _fill_group(group: list[Job], options: Options, record: Callable[[Outcome], None]) -> None:
    """Fill each job of a group; with PDFs, convert all of them in one LibreOffice run."""
    from sos_reports.commands.reports import prepare

    filled: list[tuple[Job, Filled]] = []
    for job in group:
        _check_stopping()
        try:
            prepared = prepare(job.input, job.output, options)
        except Exception as exc:
            record(_failure(job, exc))
            continue
        if options.pdf:
            filled.append((job, prepared))
        else:
            _write(job, prepared, record)
    if not filled:
        return
    try:
        pdfs = _pdfs([prepared for _, prepared in filled])
    except Exception as exc:
        if len(filled) == 1:
            record(_failure(filled[0][0], exc))
            return
        # One document LibreOffice cannot convert must not cost the others their PDFs.
        for job, _ in filled:
            _fill_group([job], options, record)
        return
    for number, (job, prepared) in enumerate(filled):
        prepared.add_pdfs(pdfs[number])
        _write(job, prepared, record)


def _write(job: Job, prepared: Filled, record: Callable[[Outcome], None]) -> None:
    """Write one input's set, and record it before a stopping signal can be taken."""
    from sos_reports.support.interrupts import held

    try:
        result = prepared.write()
    except KeyboardInterrupt as exc:
        # Stopped once every file of this input was in place: they are recorded as written.
        # The signal may also have come in the instant after the set was written and before
        # it was recorded; the files then hold exactly what this run made.
        written = getattr(exc, "written", None) or _in_place(prepared)
        if written:
            with held():
                record(Outcome(str(job.input), list(written), prepared.findings, index=job.index))
        raise
    except Exception as exc:
        record(_failure(job, exc))
        return
    with held():
        record(
            Outcome(
                str(job.input), [str(p) for p in result.written], result.findings, index=job.index
            )
        )


def _in_place(prepared: Filled) -> list[str]:
    contents = {**prepared.documents, **prepared.pdfs}
    try:
        if all(path.read_bytes() == contents[path] for path in prepared.targets):
            return [str(path) for path in prepared.targets]
    except (OSError, KeyError):
        pass
    return []


def _failure(job: Job, exc: Exception) -> Outcome:
    source = str(job.input)
    if isinstance(exc, ReadError):
        skipped = job.found and job.input.suffix.lower() == ".docx"
        return Outcome(source, error=exc.message, skipped=skipped, index=job.index)
    if isinstance(exc, InputError):
        errors = sum(f.severity == "error" for f in exc.findings)
        shown = f"{errors} error{'s' * (errors != 1)}" if errors else "warnings, with --strict"
        return Outcome(source, findings=exc.findings, error=shown, index=job.index)
    if isinstance(exc, SosError):
        return Outcome(source, error=str(exc), index=job.index)
    if isinstance(exc, OSError):
        detail = exc.strerror or str(exc)
        return Outcome(
            source,
            error=f"{detail}{f': {exc.filename}' if exc.filename else ''}",
            index=job.index,
        )
    if os.environ.get("SOS_REPORTS_DEBUG"):
        raise exc
    return Outcome(
        source,
        error=f"failed unexpectedly ({type(exc).__name__}: {exc}); nothing was written for it",
        index=job.index,
    )


def _pdfs(group: list[Filled]) -> list[dict[Path, bytes]]:
    """The PDFs of every document of `group`, converted in one LibreOffice run."""
    from sos_reports.documents.pdf import convert
    from sos_reports.support.interrupts import private_folder

    with private_folder("sos-reports-pdf-") as work:
        sources: list[tuple[int, Path, Path]] = []
        for number, filled in enumerate(group):
            for path, data in filled.documents.items():
                # Numbered, as reports of different folders may share a name.
                source = work / f"{len(sources)}-{path.name}"
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
                with os.fdopen(os.open(source, flags, 0o600), "wb") as handle:
                    handle.write(data)
                sources.append((number, path, source))
        timeout = PDF_TIMEOUT_START + PDF_TIMEOUT_EACH * len(sources)
        made = convert([s for _, _, s in sources], work, timeout=timeout)
        pdfs: list[dict[Path, bytes]] = [{} for _ in group]
        for (number, path, _), pdf in zip(sources, made, strict=True):
            pdfs[number][path.with_suffix(".pdf")] = pdf.read_bytes()
        return pdfs


# --- worker processes ---------------------------------------------------------------------


_stopping = False


def _stop_once(signum: int, frame: FrameType | None) -> None:
    """In a worker: stop at the first signal, and let no second one cut the clean-up short
    (Ctrl-C reaches the workers and the parent, which then asks them to stop too)."""
    global _stopping
    from sos_reports.support.interrupts import Interrupted

    if _stopping:
        return
    _stopping = True
    raise Interrupted(signum)


def _check_stopping() -> None:
    """Stop before the next input once a worker was asked to, even if the library code the
    signal came into swallowed the exception."""
    from sos_reports.support.interrupts import Interrupted

    if _stopping:
        raise Interrupted(signal.SIGTERM)


def _worker(tasks: Any, results: Any, options: Options) -> None:
    from sos_reports.support.interrupts import STOPPING

    for signum in STOPPING:
        signal.signal(signum, _stop_once)
    try:
        while True:
            _check_stopping()
            group: Any = _NOTHING
            while group is _NOTHING:
                group = _receive(tasks)
            if group is None:
                break
            _fill_group(group, options, results.put)
    except KeyboardInterrupt:
        pass  # what was written is recorded; the parent reports it
    finally:
        results.put(None)  # this worker is done


def _context() -> Any:
    import multiprocessing

    # Forked workers start at once with the parent's modules and compiled templates; where
    # forking is not safe (macOS, Windows) each worker starts afresh.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _warm_up() -> None:
    """What every worker needs, made once before they are forked rather than in each."""
    from sos_reports.documents import render
    from sos_reports.kinds import KINDS

    for kind in KINDS.values():
        kind.model.model_rebuild()  # pydantic builds a model's validator on first use
    render.warm_up()


def _in_workers(
    work: list[Job], options: Options, workers: int, record: Callable[[Outcome], None]
) -> None:
    context = _context()
    if context.get_start_method() == "fork":
        _warm_up()
    # Queues with their own feeder thread: a batch of thousands never waits on a full pipe.
    tasks = context.Queue()
    results = context.Queue()
    processes: list[BaseProcess] = []
    pending = {job.index: job for job in work}
    finished = 0

    def take(item: Outcome | None) -> None:
        nonlocal finished
        if item is None:  # a worker is done
            finished += 1
            return
        pending.pop(item.index, None)
        record(item)

    try:
        # The workers are forked before the feeder thread starts: forking a process with
        # threads running can copy a lock in the middle of being held.
        for _ in range(workers):
            process = context.Process(target=_worker, args=(tasks, results, options), daemon=True)
            process.start()
            processes.append(process)
        for group in _groups(work, options, workers):
            tasks.put(group)
        for _ in range(workers):
            tasks.put(None)
        idle = 0.0
        while finished < len(processes):
            if _receive(results, take) is not _NOTHING:
                idle = 0.0
                continue
            idle += _WAIT
            if idle >= 1 and not any(p.is_alive() for p in processes):
                break
        for process in processes:
            process.join(timeout=10)
    except KeyboardInterrupt:
        _stop(processes)
        with contextlib.suppress(Exception):
            while _receive(results, take) is not _NOTHING:
                pass
        raise
    finally:
        _stop(processes)
    for job in sorted(pending.values(), key=lambda j: j.index):
        record(
            Outcome(
                str(job.input),
                error="the worker filling it stopped unexpectedly; fill it again on its own",
                index=job.index,
            )
        )


_NOTHING = object()
# Seconds a receive waits with the stopping signals held back; a Ctrl-C waits no longer.
_WAIT = 0.05


def _receive(source: Any, take: Callable[[Any], None] | None = None) -> Any:
    """The next item of a queue (given to `take` first), or _NOTHING after a short wait.

    The stopping signals are held back meanwhile: one that came while a message was half
    read would leave the rest in the pipe and every later message unreadable, and one that
    came between reading an outcome and recording it would leave its files unlisted.
    """
    from sos_reports.support.interrupts import held

    with held():
        try:
            item = source.get(timeout=_WAIT)
        except queue.Empty:
            return _NOTHING
        if take is not None:
            take(item)
        return item


def _stop(processes: list[BaseProcess]) -> None:
    """Ask every worker still running to stop, as Ctrl-C would; kill any that does not."""
    for process in processes:
        if process.is_alive() and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
    for process in processes:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
