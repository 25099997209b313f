"""sos-reports: Signs of Safety reports for child protection conferences, from structured input.

The library API: read and check an input, and fill its report. The command line
(`sos_reports.cli`) is a thin wrapper over these functions.
"""

from __future__ import annotations

__version__ = "0.1.0"
