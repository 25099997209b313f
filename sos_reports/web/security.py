"""The guard in front of the browser form: only this user's browser, on this address, gets in.

The server listens on 127.0.0.1, but any local program and any web page the user visits can
send requests there. So every request must carry the Host of the bound address (a page on
another name that resolves to 127.0.0.1, DNS rebinding, is refused), and the session cookie,
which only the browser holding the one-time start token got; a POST must come from this
origin too (its CSRF token is checked with the form). Every response forbids caching,
framing, sniffing and referrers, and its Content-Security-Policy allows nothing but this
server's own styles, script and forms.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# A form of a few pages is a few hundred kilobytes at the most.
MAX_BODY = 2_000_000

CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class Keys:
    """The secrets of the browser form: the start token (new each run, good once), and the
    session, the CSRF token and the key of the drafts' ids."""

    def __init__(self, kept: dict[str, str] | None = None) -> None:
        self.start_token: str | None = secrets.token_urlsafe(32)
        kept = kept or {}
        self.session = kept.get("session") or secrets.token_urlsafe(32)
        self.csrf = kept.get("csrf") or secrets.token_urlsafe(32)
        self.drafts = bytes.fromhex(kept.get("drafts") or secrets.token_hex(32))

    @classmethod
    def kept(cls, path: Path) -> Keys:
        """The keys kept in `path` (made there, readable by this user only, the first time).

        A server started again on the same port takes the pages a browser still shows: a
        page typed into before a restart is saved after it, not refused, and a draft keeps
        its address. Only the start token is new.
        """
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict) or not all(
                isinstance(data.get(k), str) and len(data[k]) >= 32
                for k in ("session", "csrf", "drafts")
            ):
                raise ValueError("not the browser form's keys")
            bytes.fromhex(data["drafts"])
            return cls(data)
        except (OSError, ValueError):
            pass
        keys = cls()
        text = json.dumps({"session": keys.session, "csrf": keys.csrf, "drafts": keys.drafts.hex()})
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
        return keys

    def take_start_token(self, offered: str) -> bool:
        """True once, for the right token: the address printed at start works once."""
        token = self.start_token
        if token is None or not hmac.compare_digest(token.encode(), offered.encode()):
            return False
        self.start_token = None
        return True

    def csrf_ok(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(self.csrf.encode(), offered.encode())


class Guard:
    """ASGI middleware: the Host check, the start token, the session cookie, the Origin of a
    POST, the size of a request, and the headers of every response."""

    def __init__(self, app: App, *, keys: Keys, port: int) -> None:
        self.app = app
        self.keys = keys
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.origin = f"http://{self.host}"
        self.cookie = f"sos_reports_{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets
        every: dict[str, list[str]] = {}
        for k, v in scope["headers"]:
            every.setdefault(k.decode("latin-1").lower(), []).append(v.decode("latin-1"))
        # A second Host or Origin is no browser's: whichever one a reader took, the request
        # also names another address, so it is refused rather than guessed at.
        headers = {k: v[0] if len(v) == 1 else None for k, v in every.items()}
        send = with_headers(send)
        if headers.get("host") != self.host:
            await refuse(send, 421, "This server answers only at its own address.")
            return
        if scope["path"] == "/start":
            await self._start(scope, send)
            return
        if not self._has_session("; ".join(every.get("cookie", []))):
            await refuse(
                send,
                403,
                "Open the address that sos-reports serve printed when it started. "
                "If you have used it already, stop the server (Ctrl-C) and start it again.",
            )
            return
        if scope["method"] not in ("GET", "HEAD", "POST"):
            await refuse(send, 405, "Not allowed.")
            return
        if scope["method"] == "HEAD":
            # Answered as the GET it stands for, without the body: a handler need not tell
            # the two apart (a HEAD once reached a POST's branch).
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        if scope["method"] == "POST":
            if not self._same_origin(headers):
                await refuse(send, 403, "This form was not sent from the sos-reports page.")
                return
            length = headers.get("content-length")
            if (
                length is None
                or not (length.isascii() and length.isdigit())
                or int(length) > MAX_BODY
            ):
                await refuse(send, 413, "What was sent is too large for a form.")
                return
        await self.app(scope, receive, send)

    def _same_origin(self, headers: dict[str, str | None]) -> bool:
        """Whether a POST came from a page of this server.

        Under `Referrer-Policy: no-referrer` a browser sends a form's Origin as `null`; then
        its Sec-Fetch-Site, which no page's script can set, must say `same-origin`.
        """
        origin = headers.get("origin")
        if origin == self.origin:
            return True
        return origin == "null" and headers.get("sec-fetch-site") == "same-origin"

    def _has_session(self, cookie_header: str | None) -> bool:
        # Read by hand, not with http.cookies: the browser sends this server the cookies of
        # every program on 127.0.0.1, whatever its port, and SimpleCookie drops all the
        # cookies after one it cannot parse (a JSON value, a space), ours among them.
        session = self.keys.session.encode()
        for pair in (cookie_header or "").split(";"):
            name, _, value = pair.strip().partition("=")
            if name == self.cookie and hmac.compare_digest(value.strip().encode(), session):
                return True
        return False

    async def _start(self, scope: Scope, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        offered = (query.get("token") or [""])[0]
        if scope["method"] != "GET" or not self.keys.take_start_token(offered):
            await refuse(
                send,
                403,
                "This start address has been used already, or is not the one printed. "
                "Stop sos-reports serve (Ctrl-C) and start it again for a new one.",
            )
            return
        cookie = f"{self.cookie}={self.keys.session}; HttpOnly; SameSite=Strict; Path=/"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = [
                *message.get("headers", []),
                *((k, v) for k, v in HEADERS if k not in present),
            ]
        await send(message)

    return sending


def _without_body(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return sending


async def refuse(send: Send, status: int, text: str) -> None:
    body = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        "<title>sos-reports</title></head><body><main><h1>sos-reports</h1>"
        f"<p>{text}</p></main></body></html>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
