"""`python -m sos_reports.documents.builders [FOLDER]`: regenerate the packaged templates."""

import sys
from pathlib import Path

from sos_reports.documents.builders import write_templates

default = Path(__file__).resolve().parents[3] / "templates"
for path in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else default):
    print(path)
