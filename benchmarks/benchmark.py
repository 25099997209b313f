"""Speed and memory of filling reports, side by side with a plain docxtpl baseline.

    python benchmarks/benchmark.py [--runs N] [--reports N] [--no-pdf]

On one example (the initial conference report of the invented family), in one run on one
machine, it prints the milliseconds per report of:
- a plain docxtpl load-render-save of the same template and data, in one process (the
  baseline every ratio is against), and `fill` in one process;
- `sos-reports batch` of N copies of the example, with one worker and with every core
  (the whole command's time, start-up included, divided by N);
- a cold `sos-reports fill` process and a cold plain-docxtpl process; a cold `validate`;
  `sos-reports --help` and `sos-reports kinds`;
- `batch --pdf`, per document;
- a save of the browser form (a section sent back as shown, read back, checked and
  written), in one process: the median and the 95th percentile;
- reading a workbook of 5,000 household rows, in one process;
and the peak memory of a batch worker. It is a measurement, not a test: nothing here
passes or fails. Other work on the machine slows every figure: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "icpc-school.yaml"

BASELINE = """
import json, sys
from docxtpl import DocxTemplate
template, context, out = sys.argv[1:4]
doc = DocxTemplate(template)
doc.render(json.load(open(context, encoding="utf-8")))
doc.save(out)
"""


def seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    return elapsed


def peak_kb(pid: int) -> int:
    """The peak resident memory of a running process so far (Linux), 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listed:
            return [int(p) for p in listed.read().split()]
    except OSError:
        return []


def batch_run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds of a batch, and the largest peak memory (KB) of any one of its workers
    (the process itself when it fills in-process)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    peaks: dict[int, int] = {}

    def watch() -> None:
        while process.poll() is None:
            for pid in [process.pid, *children(process.pid)]:
                peaks[pid] = max(peaks.get(pid, 0), peak_kb(pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr}")
    workers = {pid: kb for pid, kb in peaks.items() if pid != process.pid}
    return elapsed, max(workers.values()) if workers else peaks.get(process.pid, 0)


def prepared_context(work: Path) -> tuple[Path, Path]:
    from sos_reports.commands.reports import validate
    from sos_reports.documents.context import report_context
    from sos_reports.documents.render import packaged_template

    model = validate(EXAMPLE).valid_model()
    context = json.loads(json.dumps(report_context(model), default=str))
    context_file = work / "context.json"
    context_file.write_text(json.dumps(context), "utf-8")
    return packaged_template(f"{model.kind}/report.docx"), context_file


def in_process(template: Path, context_file: Path, runs: int, work: Path) -> tuple[float, float]:
    """Seconds per report of plain docxtpl and of `fill`, in this process, after a warm-up."""
    from docxtpl import DocxTemplate

    from sos_reports.commands.reports import fill

    context = json.loads(context_file.read_text("utf-8"))
    ours, plain = [], []
    for i in range(runs + 1):
        started = time.perf_counter()
        fill(EXAMPLE, work / f"lib-{i}.docx", force=True)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        doc = DocxTemplate(str(template))
        doc.render(context)
        doc.save(str(work / f"plain-{i}.docx"))
        plain.append(time.perf_counter() - started)
    return statistics.median(plain[1:]), statistics.median(ours[1:])


def _fields_of(page: str) -> dict[str, list[str]]:
    """What a browser sends for a page as shown: every box, and each chosen radio or box."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]+>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or name[1] == "csrf":
            continue
        if kind and kind[1] in ("radio", "checkbox") and " checked" not in tag:
            continue
        fields.setdefault(html.unescape(name[1]), []).append(
            html.unescape(value[1]) if value else ""
        )
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        fields[html.unescape(name)] = [html.unescape(body)]
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[html.unescape(name)] = [html.unescape(chosen[1])] if chosen else [""]
    return fields


def form_saves(work: Path, rounds: int) -> tuple[float, float]:
    """Seconds of a browser-form save, in this process: the median and the 95th percentile.

    Each section of the example is sent back as shown ("save and come back later"); the
    form reads the draft back, checks it and writes it, as at every save of a user.
    """
    from starlette.testclient import TestClient

    from sos_reports.web import pages
    from sos_reports.web.app import create_app
    from sos_reports.web.drafts import Drafts
    from sos_reports.web.security import Keys

    folder = work / "drafts"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    keys, port = Keys(), 8765
    origin = f"http://127.0.0.1:{port}"
    client = TestClient(create_app(folder, keys, port), base_url=origin)
    client.get(f"/start?token={keys.start_token}")
    draft = Drafts(folder, keys.drafts).id_of(folder / EXAMPLE.name)
    times = []
    for round_ in range(rounds + 1):
        for task in pages.tasks("icpc"):
            url = f"/d/{draft}/task/{task.number}"
            form = {"csrf": [keys.csrf], **_fields_of(client.get(url).text), "action": ["later"]}
            started = time.perf_counter()
            answer = client.post(url, data=form, headers={"origin": origin}, follow_redirects=False)
            if round_:  # the first round warms up
                times.append(time.perf_counter() - started)
            if answer.status_code >= 400:
                raise SystemExit(f"failed: a save of {url} answered {answer.status_code}")
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def workbook_read(work: Path, runs: int) -> float:
    """Seconds to read a workbook of 5,000 household rows, in this process (median)."""
    from sos_reports.commands.forms import convert
    from sos_reports.inputs.read import read_input

    tree = json.loads(json.dumps(yaml_tree(EXAMPLE)))
    person = tree["household"][0]
    tree["household"] = [{**person, "name": f"Person {i}"} for i in range(5000)]
    (work / "rows.json").write_text(json.dumps(tree), "utf-8")
    convert(work / "rows.json", work / "rows.xlsx")
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        read_input(work / "rows.xlsx")
        if run:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def yaml_tree(path: Path) -> dict[str, object]:
    from sos_reports.inputs.read import read_input

    return read_input(path).tree


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure (median)")
    parser.add_argument("--reports", type=int, default=40, help="inputs in each batch")
    parser.add_argument("--no-pdf", action="store_true", help="leave out batch --pdf")
    options = parser.parse_args()
    env = dict(os.environ)
    # As on a user's machine, compiled modules are kept between runs.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = sys.executable
    cli = [python, "-m", "sos_reports"]
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        script = work / "baseline.py"
        script.write_text(BASELINE)
        template, context_file = prepared_context(work)
        inputs = work / "inputs"
        inputs.mkdir()
        for i in range(options.reports):
            shutil.copy(EXAMPLE, inputs / f"school-{i:03d}.yaml")

        plain, ours = in_process(template, context_file, options.runs * 4, work)
        rows.append(("docxtpl load-render-save, in one process", plain, "ms"))
        rows.append(("fill, in one process", ours, "ms"))

        # Warm-ups: compiled modules and the cache written once, as after a first use.
        seconds([*cli, "fill", str(EXAMPLE), "-o", str(work / "warm.docx"), "-f"], env)
        seconds([python, str(script), str(template), str(context_file), str(work / "w.docx")], env)

        one = work / "one"
        one.mkdir()
        shutil.copy(EXAMPLE, one / "school.yaml")
        peaks = []
        for jobs, label in ((1, "1 worker"), (0, "every core")):
            whole, single = [], []
            for run in range(options.runs):
                command = [*cli, "batch", str(inputs), "-o", str(work / f"b{jobs}-{run}"), "-q"]
                alone = [*cli, "batch", str(one), "-o", str(work / f"s{jobs}-{run}"), "-q"]
                if jobs:
                    command += ["-j", str(jobs)]
                    alone += ["-j", str(jobs)]
                elapsed, peak = batch_run(command, env)
                whole.append(elapsed)
                single.append(batch_run(alone, env)[0])
                peaks.append(peak)
            n = options.reports
            rows.append((f"batch, {label}, per report", statistics.median(whole) / n, "ms"))
            # What each report adds to a batch, start-up and the first report taken away.
            marginal = (statistics.median(whole) - statistics.median(single)) / (n - 1)
            rows.append((f"batch, {label}, per report after the first", marginal, "ms"))

        saves = form_saves(work, max(1, options.runs // 2))
        rows.append(("browser-form save, median", saves[0], "ms"))
        rows.append(("browser-form save, 95th percentile", saves[1], "ms"))
        rows.append(("workbook of 5,000 rows read", workbook_read(work, options.runs), "ms"))

        cold, base, helps, checks, listed = [], [], [], [], []
        for run in range(options.runs):
            cold.append(
                seconds([*cli, "fill", str(EXAMPLE), "-o", str(work / f"c{run}.docx")], env)
            )
            base.append(
                seconds(
                    [python, str(script), str(template), str(context_file), str(work / "p.docx")],
                    env,
                )
            )
            helps.append(seconds([*cli, "--help"], env))
            listed.append(seconds([*cli, "kinds"], env))
            checks.append(seconds([*cli, "validate", str(EXAMPLE)], env))
        rows.append(("cold fill process", statistics.median(cold), "ms"))
        rows.append(("cold plain-docxtpl process", statistics.median(base), "ms"))
        rows.append(("cold validate process", statistics.median(checks), "ms"))
        rows.append(("sos-reports --help", statistics.median(helps), "ms"))
        rows.append(("sos-reports kinds", statistics.median(listed), "ms"))

        if not options.no_pdf and shutil.which("soffice"):
            times = []
            for run in range(max(1, options.runs // 2)):
                command = [
                    *cli,
                    "batch",
                    str(inputs),
                    "-o",
                    str(work / f"pdf-{run}"),
                    "-q",
                    "--pdf",
                ]
                elapsed, _ = batch_run(command, env)
                times.append(elapsed / options.reports)
            rows.append(("batch --pdf, per document", statistics.median(times), "ms"))

    print(f"{'measure':<44}{'value':>10}{'ratio to docxtpl':>18}")
    for label, value, _ in rows:
        print(f"{label:<44}{value * 1000:>8.1f}ms{value / plain:>18.3f}")
    print(f"{'peak memory of a batch worker':<44}{max(peaks) / 1024:>8.1f}MB")
    cold_fill = dict((label, value) for label, value, _ in rows)
    print()
    print(
        f"{options.reports} separate fill processes / batch (every core), per report: "
        f"{cold_fill['cold fill process'] / cold_fill['batch, every core, per report']:.1f}x"
    )
    print(
        "cold fill / cold plain docxtpl: "
        f"{cold_fill['cold fill process'] / cold_fill['cold plain-docxtpl process']:.2f}"
    )
    print(
        "cold validate / cold plain docxtpl: "
        f"{cold_fill['cold validate process'] / cold_fill['cold plain-docxtpl process']:.2f}"
    )
    print(
        "\nsos-reports also reads and checks the input, writes through temporary files under a\n"
        "lock and sets the document properties; the baseline only renders a prepared context.\n"
        f"Load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
