"""The hosted service for any ASGI server, configured from the environment:

    SOS_REPORTS_DATABASE=postgresql://... SOS_REPORTS_BASE_URL=https://reports.council.example \
        uvicorn --workers 4 sos_reports.hosted.asgi:app

Each worker builds its own app from the same settings; none keeps state between requests.
"""

from __future__ import annotations

from typing import Any

from sos_reports.hosted.app import HostedApp, create_app
from sos_reports.hosted.service import Hosted
from sos_reports.hosted.settings import Settings


def from_environment() -> HostedApp:
    return create_app(Hosted(Settings.from_environment().check()))


class _Lazy:
    """Built at the first request (or lifespan), not at import: an import that fails for
    want of a setting would show a traceback instead of the setting's name."""

    def __init__(self) -> None:
        self._app: HostedApp | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            self._app = from_environment()
        await self._app(scope, receive, send)


app = _Lazy()
