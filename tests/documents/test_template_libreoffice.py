"""A template branded in LibreOffice Writer still passes check-template and fills whole.

The exported ICPC template is opened in LibreOffice (headless, through UNO): a heading gets
new wording and another style, the header a logo, the text another font, the pages wider
margins; saved as .docx, it passes `check-template` and `fill --template` gives a report
with everything the packaged template prints for the example. Marked `pdf`: it needs
LibreOffice and python3-uno, and runs in CI.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sos_reports.cli import cli
from tests.helpers.docx_xml import docx_parts, docx_text
from tests.helpers.examples import ROOT, example_path

pytestmark = pytest.mark.pdf


def test_a_template_branded_in_libreoffice_passes_and_fills_whole(
    tmp_path: Path,
    libreoffice: str,
    uno_python: str,
) -> None:
    runner = CliRunner()
    exported = tmp_path / "exported.docx"
    assert runner.invoke(cli, ["template", "icpc", "-o", str(exported)]).exit_code == 0
    branded = tmp_path / "branded.docx"
    logo = ROOT / "docs" / "images" / "icpc-page1.png"
    subprocess.run(
        [
            uno_python,
            str(ROOT / "tests" / "helpers" / "libreoffice_brand.py"),
            str(exported),
            str(branded),
            str(logo),
        ],
        check=True,
        timeout=180,
        cwd=tmp_path,
    )
    parts = docx_parts(branded)
    body = parts["word/document.xml"].decode("utf-8")
    assert "About this report to the conference" in body and "Liberation Serif" in body
    assert 'w:left="1417"' in body  # 25 mm
    assert any(name.startswith("word/media/") for name in parts)

    checked = runner.invoke(cli, ["check-template", str(branded), "--kind", "icpc"])
    assert checked.exit_code == 0, checked.output
    assert "can be used for the icpc report (0 errors, 0 warnings)" in checked.output

    source = example_path("icpc")
    ours = tmp_path / "packaged-report.docx"
    theirs = tmp_path / "branded-report.docx"
    assert runner.invoke(cli, ["fill", str(source), "-o", str(ours)]).exit_code == 0
    filled = runner.invoke(
        cli, ["fill", str(source), "--template", str(branded), "-o", str(theirs)]
    )
    assert filled.exit_code == 0, filled.output

    def lines(path: Path) -> list[str]:
        # A page field's text is what the last program to lay the pages out left there.
        text = re.sub(r"Page \d+ of \d+", "Page X of Y", docx_text(path))
        return [line.strip() for line in text.splitlines() if line.strip()]

    got = lines(theirs)
    missing = [line for line in lines(ours) if line not in got and line != "About this report"]
    assert missing == []
    assert "About this report to the conference" in got
    assert not any("{{" in line or "{%" in line for line in got)
    with zipfile.ZipFile(theirs) as archive:
        header = next(n for n in archive.namelist() if n.startswith("word/header"))
        assert b"<pic:pic" in archive.read(header) or b"graphicData" in archive.read(header)
