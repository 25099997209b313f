"""sos-reports: Signs of Safety reports for child protection conferences, from structured input.

The library API: read and check an input, and fill its report. The command line
(`sos_reports.cli`) is a thin wrapper over these functions::

    import sos_reports

    checked = sos_reports.validate("icpc-school.yaml")   # every finding, never an exception
    result = sos_reports.fill("icpc-school.yaml")        # result.written: the paths written
    sos_reports.new_input("rcpc", "review.xlsx", from_path="icpc-school.yaml")

Every error a user could cause is a `SosError`; an `InputError` carries every `Finding`.
The names load on first use, so that `import sos_reports` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_API = {
    "validate": "sos_reports.commands.reports",
    "fill": "sos_reports.commands.reports",
    "new_input": "sos_reports.commands.forms",
    "convert": "sos_reports.commands.forms",
    "input_schema": "sos_reports.commands.forms",
    "copy_template": "sos_reports.commands.forms",
    "check_template": "sos_reports.documents.template_check",
    "merge": "sos_reports.commands.merge",
    "KINDS": "sos_reports.kinds",
    "Kind": "sos_reports.kinds",
    "Checked": "sos_reports.checks.validation",
    "Result": "sos_reports.results",
    "Merged": "sos_reports.commands.merge",
    "Finding": "sos_reports.errors",
    "SosError": "sos_reports.errors",
    "InputError": "sos_reports.errors",
    "ReadError": "sos_reports.errors",
    "TemplateError": "sos_reports.errors",
    "OutputError": "sos_reports.errors",
    "MergeError": "sos_reports.errors",
    "PdfError": "sos_reports.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    try:
        module = _API[name]
    except KeyError:
        raise AttributeError(f"module 'sos_reports' has no attribute {name!r}") from None
    # Imported by name, not by an import statement: each module imports this package (for
    # __version__ or its data), so a static import here would be a circle.
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
