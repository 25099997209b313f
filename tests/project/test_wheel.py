"""The wheel as a user installs it: built, installed into a new environment, and used there.

The editable install the other tests use reads the checkout, so a template or data file
left out of the wheel would pass them all. This test builds the wheel from a copy of the
project, installs it into a virtual environment of its own (the dependencies borrowed from
the test environment, so that it needs no download beyond the build's own), and fills
every example from a folder outside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES, ROOT

# What a build reads; the test environment, caches and earlier builds are left behind.
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
)


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a new virtual environment with the wheel installed in it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        ".",
        "--no-deps",
        "-q",
        "-w",
        work / "dist",
        cwd=source,
    )
    (wheel,) = (work / "dist").glob("sos_reports-*.whl")

    env = work / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", env, cwd=work)
    env_python = env / "bin" / "python"
    purelib = _run(
        env_python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work
    ).stdout.strip()
    # A plain path, not a site folder: the test environment's own .pth files (among them
    # the editable install of this checkout) are not run, so its packages serve as the
    # dependencies while sos_reports can only come from the wheel.
    Path(purelib, "borrowed-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", "utf-8"
    )
    _run(
        sys.executable, "-m", "pip", "--python", env_python, "install", "--no-deps", "--no-index",
        "-q", wheel, cwd=work,
    )  # fmt: skip
    assert zipfile.is_zipfile(wheel)
    return env / "bin"


def test_the_installed_package_is_the_wheel_not_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    where = _run(
        installed / "python", "-c", "import sos_reports; print(sos_reports.__file__)", cwd=tmp_path
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), where
    assert not Path(where).is_relative_to(ROOT), where


def test_every_example_fills_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    examples = sorted(EXAMPLES.rglob("*.yaml"))
    assert len(examples) >= 6, examples
    for example in examples:
        folder = tmp_path / example.parent.relative_to(EXAMPLES)
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / example.name
        copy.write_bytes(example.read_bytes())
        done = _run(installed / "sos-reports", "fill", copy.name, cwd=folder)
        written = [folder / line for line in done.stdout.split()]
        assert written and written[0] == folder / f"{example.stem}-report.docx", done.stdout
        text = docx_text(written[0])
        assert "Conference" in text or "conference" in text, example
        for path in written:
            assert path.is_file() and path.stat().st_size > 0, path


def test_the_installed_command_writes_a_blank_workbook_and_its_template(
    installed: Path, tmp_path: Path
) -> None:
    _run(installed / "sos-reports", "new", "rcpc", "-o", "rcpc.xlsx", cwd=tmp_path)
    _run(installed / "sos-reports", "template", "medical", "-o", "medical.docx", cwd=tmp_path)
    assert zipfile.is_zipfile(tmp_path / "rcpc.xlsx")
    assert "{{" in docx_text(tmp_path / "medical.docx")


def test_the_installed_browser_form_has_its_pages_and_styles(
    installed: Path, tmp_path: Path
) -> None:
    """The browser form's templates and static files are package data: served from the wheel."""
    script = """
import sys
from pathlib import Path
from starlette.testclient import TestClient
import sos_reports
from sos_reports.web.app import create_app
from sos_reports.web.security import Keys
keys = Keys()
client = TestClient(create_app(Path(sys.argv[1]), keys, 8000), base_url="http://127.0.0.1:8000")
client.get(f"/start?token={keys.start_token}")
start, css, js = client.get("/"), client.get("/static/app.css"), client.get("/static/app.js")
print(sos_reports.__file__)
print(start.status_code, "Start a new report" in start.text, css.status_code, js.status_code)
"""
    done = _run(installed / "python", "-c", script, tmp_path, cwd=tmp_path)
    where, answers = done.stdout.strip().splitlines()
    assert not Path(where).is_relative_to(ROOT), where
    assert answers == "200 True 200 200"
