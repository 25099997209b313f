"""How long the chair waits for a conference map of ten agencies' reports.

    python scripts/benchmark_merge.py [--runs N] [--workbooks N]

Ten inputs for the example conference (the school's, the police's and the GP's, and seven
more agencies made from the school's with other authors), `--workbooks` of them as Excel
workbooks, merged by a cold `sos-reports merge` in a new process, as a user runs it. It is a
measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFERENCE = ROOT / "examples" / "conference"
BIN = Path(sys.executable).parent / "sos-reports"
AGENCIES = (
    "Health visiting",
    "Nursery",
    "Housing",
    "Adult mental health",
    "Probation",
    "School nursing",
    "Early help",
)


class _AllStrings(yaml.SafeLoader):
    """Reads YAML as the input format does: every scalar a string."""


_AllStrings.yaml_implicit_resolvers = {}


def inputs(folder: Path, workbooks: int) -> list[Path]:
    made = [CONFERENCE / n for n in ("school-icpc.yaml", "police-icpc.yaml", "gp-medical.yaml")]
    school = yaml.load((CONFERENCE / "school-icpc.yaml").read_text("utf-8"), Loader=_AllStrings)
    for i, agency in enumerate(AGENCIES):
        tree = copy.deepcopy(school)
        tree["author"].update(agency=agency, name=f"Alex Example {i}", base=f"{agency} team")
        path = folder / f"agency-{i}.yaml"
        path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
        made.append(path)
    for i in range(min(workbooks, len(made))):
        book = folder / f"{made[i].stem}.xlsx"
        subprocess.run(
            [
                str(BIN),
                "new",
                "icpc" if "gp" not in made[i].name else "medical",
                "--from",
                str(made[i]),
                "-o",
                str(book),
            ],
            check=True,
            capture_output=True,
        )
        made[i] = book
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workbooks", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        files = inputs(folder, args.workbooks)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(
                [str(BIN), "merge", *map(str, files), "-o", str(folder / "map.docx"), "--force"],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    print(
        f"sos-reports merge, {len(files)} inputs ({args.workbooks} workbooks), cold process: "
        f"median {statistics.median(times):.2f} s, best {min(times):.2f} s over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
