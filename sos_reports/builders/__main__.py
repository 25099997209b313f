"""`python -m sos_reports.builders [FOLDER]`: regenerate the packaged templates."""

import sys
from pathlib import Path

from sos_reports.builders import write_templates

default = Path(__file__).resolve().parents[2] / "templates"
for path in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else default):
    print(path)
