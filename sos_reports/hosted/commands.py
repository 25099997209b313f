"""`sos-reports host run`: the service on uvicorn, in one process or several workers."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sos_reports.hosted.schema import DatabaseError, current, head, shown_url
from sos_reports.hosted.settings import Settings

DEFAULT_PORT = 8740


def run(
    *,
    say: Callable[[str], None],
    port: int | None,
    listen: str | None,
    workers: int | None,
    **given: Any,
) -> None:
    import uvicorn

    environ = os.environ
    port = port or int(environ.get("SOS_REPORTS_PORT") or DEFAULT_PORT)
    listen = listen or environ.get("SOS_REPORTS_LISTEN") or "127.0.0.1"
    workers = workers or int(environ.get("SOS_REPORTS_WORKERS") or 1)
    if not given.get("base_url") and not environ.get("SOS_REPORTS_BASE_URL"):
        given["base_url"] = f"http://127.0.0.1:{port}"
    settings = Settings.from_environment(**given).check()
    revision = current(settings.database)
    if revision != head():
        raise DatabaseError(
            f"the database {shown_url(settings.database)} is "
            + ("not made yet" if revision is None else f"at revision {revision}, not {head()}")
            + ": run `sos-reports host init` first"
        )
    from sos_reports.hosted.mail import mailer_for

    mailer_for(settings)  # a mail setting that cannot work is said now, not at the first invitation
    # The workers read the same settings from the environment.
    os.environ.update(settings.environment())
    say(
        f"Serving sos-reports for {settings.base_url} on {listen}:{port} ({workers} worker{'s' * (workers != 1)}), database {shown_url(settings.database)}"
    )
    if settings.dev_sign_in:
        say(
            "Development sign-in is on: staff codes are printed here. Do not use it for real cases."
        )
    say("Press Ctrl-C to stop.")
    uvicorn.run(
        "sos_reports.hosted.asgi:app",
        host=listen,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # addresses hold no family details, but nothing is logged per request
        server_header=False,
        proxy_headers=True,  # the client's address from a reverse proxy on this machine only
        timeout_graceful_shutdown=10,
    )
