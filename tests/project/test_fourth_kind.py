"""A fourth kind of report needs a registry entry, a model module, a builder and an example.

In a copy of the package, laid out as installed, a throwaway core group report is added
with nothing else (tests/project/fourth_kind/ holds the entry, the model and the builder); the commands then work for it
as for the kinds that exist. A kind's knowledge repeated anywhere else makes this fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import ROOT, example_tree, write_yaml

ADDITIONS = Path(__file__).parent / "fourth_kind"
PROGRESS = "Maisie has been to school every day for three weeks."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("fourth-kind")
    package = copy / "sos_reports"
    shutil.copytree(ROOT / "sos_reports", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", package / "templates")  # as the wheel lays them out

    # 1. the registry entry, at the end of the registry
    kinds = package / "kinds.py"
    text = kinds.read_text("utf-8")
    end = "    )\n}\n"
    assert text.count(end) == 1
    kinds.write_text(text.replace(end, (ADDITIONS / "registry-entry.txt").read_text("utf-8") + end))
    # 2. the model module, 3. the builder
    shutil.copy(ADDITIONS / "model.py", package / "model" / "core.py")
    shutil.copy(ADDITIONS / "builder.py", package / "documents" / "builders" / "core.py")
    # 4. the example: the shared blocks of the ICPC example, and the kind's own field
    tree = example_tree("icpc")
    for key in ("involvement", "view_on_plan"):
        tree.pop(key)
    for key in ("attending", "presenting"):
        tree["author"].pop(key, None)
    tree["kind"] = "core"
    tree["progress_since_last_meeting"] = PROGRESS
    (copy / "examples").mkdir()
    write_yaml(copy / "examples" / "core-group.yaml", tree)

    # The template is built as every kind's is.
    run(copy, "-m", "sos_reports.documents.builders", str(package / "templates"))
    return copy


def run(project: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd or project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


def sos(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(project, "-m", "sos_reports", *args, cwd=project / "examples")


def test_the_copy_is_the_package_that_runs(project: Path) -> None:
    where = run(project, "-c", "import sos_reports; print(sos_reports.__file__)").stdout
    assert Path(where.strip()).is_relative_to(project)
    assert (project / "sos_reports" / "templates" / "core" / "report.docx").is_file()


def test_the_fourth_kind_is_listed(project: Path) -> None:
    assert (
        "core     Core group report: an agency's report to a core group"
        in sos(project, "kinds").stdout
    )


def test_the_fourth_kinds_example_is_valid(project: Path) -> None:
    done = sos(project, "validate", "core-group.yaml")
    assert "core-group.yaml: core input valid (0 errors" in done.stderr, done.stderr


def test_the_fourth_kinds_report_is_filled(project: Path) -> None:
    done = sos(project, "fill", "core-group.yaml")
    report = project / "examples" / done.stdout.split()[0]
    text = docx_text(report)
    assert text.startswith("Core group report\n")
    assert "Progress since the last meeting\n" + PROGRESS in text
    assert "Core group report, 12 March 2025" in text  # the footer of its entry


def test_the_fourth_kinds_workbook_is_written(project: Path) -> None:
    sos(project, "new", "core", "-o", "core.xlsx")
    workbook = project / "examples" / "core.xlsx"
    assert zipfile.is_zipfile(workbook)
    labels = {
        str(cell.value) for ws in load_workbook(workbook) for row in ws.iter_rows() for cell in row
    }
    assert any("Progress since the last meeting" in label for label in labels)


def test_the_fourth_kinds_schema_is_printed(project: Path) -> None:
    schema = json.loads(sos(project, "schema", "core").stdout)
    assert "progress_since_last_meeting" in schema["properties"]
    assert "progress_since_last_meeting" in schema["required"]


def test_the_browser_form_asks_the_fourth_kinds_own_field(project: Path) -> None:
    """The browser form's pages come from the forms layout: the new kind is offered on the
    start page, and its own field has a page, with no code for either."""
    script = """
import re, shutil, tempfile
from pathlib import Path
from starlette.testclient import TestClient
from sos_reports.web.app import create_app
from sos_reports.web.security import Keys
folder = Path(tempfile.mkdtemp())
keys = Keys()
client = TestClient(create_app(folder, keys, 8000), base_url="http://127.0.0.1:8000")
client.get(f"/start?token={keys.start_token}")
start = client.get("/").text
print("offered" if 'value="core"' in start else "not offered")
made = client.post("/new", data={"kind": "core", "csrf": keys.csrf},
                   headers={"origin": "http://127.0.0.1:8000"})
tasks = made.text
link = re.search(r'href="(/d/[0-9a-f]+/task/\\d+)"[^>]*>Progress since the last meeting<', tasks)
page = client.get(link[1]).text if link else ""
print("asked" if 'name="progress_since_last_meeting"' in page else "not asked")
"""
    out = run(project, "-c", script).stdout.split()
    assert out == ["offered", "asked"]


# The tests that take their kinds from the registry, run in the copy for the new kind alone:
# each file's tests parametrised by kind, selected by the kind's name.
REGISTRY_TESTS = (
    "tests/inputs/test_convert.py",
    "tests/inputs/test_new.py",
    "tests/inputs/test_workbook.py",
    "tests/inputs/test_word_form.py",
    "tests/documents/test_report.py",
    "tests/project/test_ooxml.py",
)


def test_the_tests_that_take_their_kinds_from_the_registry_pass_for_the_fourth_kind(
    project: Path,
) -> None:
    import re

    shutil.copytree(ROOT / "tests", project / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(ROOT / "examples", project / "examples", dirs_exist_ok=True)
    shutil.copytree(project / "sos_reports" / "templates", project / "templates")

    def pytest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(project)},
            capture_output=True,
            text=True,
            timeout=600,
        )

    # The tests of these files parametrised by the new kind: its name is a parameter's id.
    listed = pytest("--collect-only", *REGISTRY_TESTS).stdout.splitlines()
    for_core = [n for n in listed if re.search(r"[\[-]core[\]-]", n)]
    assert len(for_core) >= 15, listed[-5:]
    done = pytest(*for_core)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"{len(for_core)} passed" in summary, summary
