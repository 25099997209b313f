"""Speed and memory of filling a report, side by side with a plain docxtpl baseline.

    python scripts/benchmark.py [--runs N]

For each example it measures, in the same run on the same machine:
- a cold `sos-reports fill` (a new process, as a user runs it): wall time and peak memory;
- a plain docxtpl load-render-save of the same template and data in a new process
  (import docxtpl, render with a default Environment, save), the baseline;
- the same two inside one process, repeated (what a batch pays per report).
and prints the ratios. It is a measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

BASELINE = """
import json, sys
from docxtpl import DocxTemplate
template, context, out = sys.argv[1:4]
doc = DocxTemplate(template)
doc.render(json.load(open(context, encoding="utf-8")))
doc.save(out)
"""


# Runs a module or script and reports its own peak memory when it exits. Linux's VmHWM is
# the process's own; getrusage's maxrss would carry over the benchmark's own size from fork.
PEAK = (
    "import atexit, resource, runpy, sys\n"
    "def peak():\n"
    "    try:\n"
    "        return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
    "    except OSError:\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: print('PEAK_KB', peak(), file=sys.stderr))\n"
    "kind, target, *rest = sys.argv[1:]\n"
    "sys.argv = [target, *rest]\n"
    "runpy.run_module(target, run_name='__main__') if kind == '-m' else runpy.run_path(target, run_name='__main__')\n"
)


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KB) of one new Python process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr}")
    peak = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB")
    )
    return elapsed, peak


def plain_context(example: Path) -> tuple[Path, dict[str, object]]:
    from sos_reports.context import report_context
    from sos_reports.render import packaged_template
    from sos_reports.reports import validate

    model = validate(example).valid_model()
    context = json.loads(json.dumps(report_context(model), default=str))
    return packaged_template(f"{model.kind}/report.docx"), context


def in_process(
    example: Path, template: Path, context: dict[str, object], runs: int, work: Path
) -> tuple[float, float]:
    from docxtpl import DocxTemplate

    from sos_reports.reports import fill

    ours, plain = [], []
    for i in range(runs):
        started = time.perf_counter()
        fill(example, work / f"lib-{i}.docx", force=True)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        doc = DocxTemplate(str(template))
        doc.render(context)
        doc.save(str(work / f"plain-{i}.docx"))
        plain.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(plain)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="runs of each measurement (median shown)"
    )
    options = parser.parse_args()
    env = dict(os.environ)
    # As on a user's machine, compiled modules are kept between runs (some environments
    # switch that off); one run before the measured ones writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"{'example':<22}{'measure':<34}{'sos-reports':>12}{'docxtpl':>10}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        script = work / "baseline.py"
        script.write_text(BASELINE)
        for example in EXAMPLES:
            template, context = plain_context(example)
            context_file = work / "context.json"
            context_file.write_text(json.dumps(context), "utf-8")
            cold, base, cold_mem, base_mem = [], [], [], []
            run(
                ["-m", "sos_reports", "fill", str(example), "-o", str(work / "warm-up.docx"), "-f"],
                env,
            )
            for i in range(options.runs):
                seconds, memory = run(
                    [
                        "-m",
                        "sos_reports",
                        "fill",
                        str(example),
                        "-o",
                        str(work / f"cli-{example.stem}-{i}.docx"),
                    ],
                    env,
                )
                cold.append(seconds)
                cold_mem.append(memory)
                seconds, memory = run(
                    [
                        "-s",
                        str(script),
                        str(template),
                        str(context_file),
                        str(work / f"base-{example.stem}-{i}.docx"),
                    ],
                    env,
                )
                base.append(seconds)
                base_mem.append(memory)
            ours, plain = in_process(example, template, context, options.runs, work)
            rows = [
                ("cold fill, new process (s)", statistics.median(cold), statistics.median(base)),
                ("peak memory, new process (MB)", max(cold_mem) / 1024, max(base_mem) / 1024),
                ("warm fill, in one process (s)", ours, plain),
            ]
            for label, a, b in rows:
                print(f"{example.name:<22}{label:<34}{a:>12.3f}{b:>10.3f}{a / b:>8.2f}")
    print(
        "\nsos-reports also reads and checks the input, writes via temporary files and sets the\n"
        "document properties; the baseline only renders a prepared context."
    )


if __name__ == "__main__":
    main()
