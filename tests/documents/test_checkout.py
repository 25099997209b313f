"""Run from the root of a checkout, `python -m sos_reports` finds the packaged templates too.

There the working folder's `sos_reports/` comes first on the path, and it holds no
`templates` package: the wheel and an editable install map the checkout's `templates/`
there, a plain checkout does not. The package then uses the checkout's `templates/`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# As the package runs from a checkout beside a non-editable install, or none: the editable
# install's finder (which maps `sos_reports.templates` to templates/) is taken away.
RUN = """
import runpy, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path[0] = ""
sys.argv = ["sos-reports", *sys.argv[1:]]
runpy.run_module("sos_reports", run_name="__main__")
"""


def checkout(folder: Path) -> Path:
    for name in ("sos_reports", "templates", "examples"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_a_report_is_filled_by_python_m_from_the_root_of_a_checkout(tmp_path: Path) -> None:
    root = checkout(tmp_path / "checkout")
    done = subprocess.run(
        [sys.executable, "-c", RUN, "fill", "examples/icpc-school.yaml", "-o", "out.docx"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "No module named" not in done.stderr
    assert (root / "out.docx").is_file()
    assert done.stdout.strip() == "out.docx"


def test_without_templates_anywhere_the_message_says_how_to_install(tmp_path: Path) -> None:
    root = checkout(tmp_path / "checkout")
    shutil.rmtree(root / "templates")
    done = subprocess.run(
        [sys.executable, "-c", RUN, "fill", "examples/icpc-school.yaml", "-o", "out.docx"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "pip install -e ." in done.stderr
    assert not (root / "out.docx").exists()
