"""A core group's report, a kind that does not exist: the model module a new kind adds."""

from __future__ import annotations

from sos_reports.model.common import CommonInput, field
from sos_reports.model.types import MText


class CoreInput(CommonInput):
    progress_since_last_meeting: MText = field(
        "Progress since the last meeting", "what has changed since the core group last met"
    )
