"""Runs the browser form on 127.0.0.1: binds the port, prints the start address, opens the
browser, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sos_reports.errors import SosError

if TYPE_CHECKING:
    from sos_reports.commands.options import Options

# The only address the server ever listens on: the user's own machine.
HOST = "127.0.0.1"
# The port when none is given: the same each run, so that a page still open in the browser
# is saved after a restart; a free one when another program holds it.
DEFAULT_PORT = 8731


class ServeError(SosError):
    """The server cannot start (the port is taken, the folder is missing)."""


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port chosen by the system)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A port left in TIME_WAIT by the last run is taken again; one that another program
    # listens on is still refused.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} is in use by another program: give another with --port, "
                "or leave --port out for a free one"
            ) from None
        raise ServeError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
    return sock


def serve(
    folder: Path,
    port: int | None = None,
    options: Options | None = None,
    *,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the drafts in `folder` until Ctrl-C (or SIGTERM), on `port` (by default
    DEFAULT_PORT, or a free one when that is taken; 0: a free one), checking the drafts
    with `options` (the due days and the local terms)."""
    import uvicorn

    from sos_reports.documents.writing import user_folder
    from sos_reports.web.app import create_app
    from sos_reports.web.security import Keys

    folder = Path(folder)
    if not folder.is_dir():
        raise ServeError(f"{folder}: there is no such folder")
    if port is None:
        try:
            sock = bind(DEFAULT_PORT)
        except ServeError:
            sock = bind(0)
    else:
        sock = bind(port)
    actual = sock.getsockname()[1]
    keys = Keys.kept(user_folder() / "serve-keys.json")
    address = f"http://{HOST}:{actual}/start?token={keys.start_token}"
    config = uvicorn.Config(
        _quiet(
            create_app(
                folder,
                keys,
                actual,
                options=options,
                sections=user_folder() / "serve-sections.json",
            )
        ),
        log_level="warning",
        access_log=False,  # the pages' addresses hold no case data, but nothing is logged
        server_header=False,
        date_header=False,
        proxy_headers=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    say(f"Serving the drafts in {folder.resolve()}")
    say(f"Open this address in your browser (it works once): {address}")
    say("Press Ctrl-C to stop.")
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(server, address), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    say("Stopped. Your drafts are saved in the folder.")


def _quiet(app: Any) -> Any:
    """The app, with what escapes it kept out of uvicorn's log: uvicorn prints a failure's
    traceback, and its words (a value that could not be read, a name) can hold a family's
    details. Only the kind of failure is told, and the browser gets the error page."""
    from sos_reports.web.security import refuse, with_headers

    async def quiet(scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, sending)
        except Exception as exc:
            if started:
                return  # the application's own error page was sent, and its kind printed
            print(f"sos-reports serve: internal error ({type(exc).__name__})", file=sys.stderr)
            if scope["type"] == "http":
                await refuse(
                    with_headers(send),
                    500,
                    "Something went wrong. What you saved before is in the draft's file.",
                )

    return quiet


def _open_when_ready(server: object, address: str) -> None:
    for _ in range(100):
        if getattr(server, "started", False):
            webbrowser.open(address)
            return
        threading.Event().wait(0.05)
