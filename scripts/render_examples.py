"""Renders every example report to PDF and PNG: the README's pictures of each report kind.

    python scripts/render_examples.py [--all DIR]

Fills each input in examples/ into a temporary folder, converts all the reports (and any
confidential annex) to PDF in one LibreOffice call, and writes the first page of each report
to docs/images/<kind>-page1.png. With --all DIR, every page of every PDF also goes to DIR,
as <example>-report-<page>.png. Needs LibreOffice and poppler-utils (pdftoppm).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sos_reports.commands.reports import fill, validate
from sos_reports.documents.pdf import convert
from sos_reports.errors import SosError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
IMAGES = ROOT / "docs" / "images"
RESOLUTION = "70"  # dots per inch: a page about 580 pixels wide, sharp enough on a README


def render(all_pages: Path | None) -> list[Path]:
    """Fill, convert and picture every example; return the PNG files written."""
    if shutil.which("pdftoppm") is None:
        raise SosError("pdftoppm was not found: install poppler-utils")
    inputs = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".yml", ".json"})
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="sos-reports-examples-") as temp:
        work = Path(temp)
        reports: list[tuple[str, Path]] = []
        documents: list[Path] = []
        for source in inputs:
            copy = work / source.name
            shutil.copyfile(source, copy)
            kind = validate(copy).valid_model().kind
            files = [Path(p) for p in fill(copy).written]
            reports.append((kind, files[0]))
            documents += files
        pdfs = dict(zip(documents, convert(documents, work), strict=True))
        IMAGES.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        for kind, report in reports:
            # One picture per kind; a second example of a kind is named after its file.
            name = f"{kind}-page1" if kind not in taken else f"{report.stem}-page1"
            taken.add(kind)
            target = IMAGES / f"{name}.png"
            _pdftoppm(pdfs[report], work / name, "-f", "1", "-l", "1", "-singlefile")
            shutil.move(work / f"{name}.png", target)
            written.append(target)
        if all_pages is not None:
            all_pages.mkdir(parents=True, exist_ok=True)
            for pdf in pdfs.values():
                for stale in all_pages.glob(f"{pdf.stem}-*.png"):
                    stale.unlink()  # a longer earlier version would leave its last pages
                _pdftoppm(pdf, all_pages / pdf.stem)
                written += sorted(all_pages.glob(f"{pdf.stem}-*.png"))
    return written


def _pdftoppm(pdf: Path, prefix: Path, *options: str) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", RESOLUTION, *options, str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", type=Path, metavar="DIR", help="also write every page here")
    args = parser.parse_args()
    try:
        for path in render(args.all):
            print(path)
    except SosError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"Error: {exc.cmd[0]} failed: {exc.stderr.decode(errors='replace')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
