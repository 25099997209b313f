"""The security of `sos-reports serve`, tried as an attacker would: who gets in, at which host
and from which origin, the headers of every response, no case data in addresses, cookies or
logs, private temporary files and drafts; then a hostile probe of the handlers.

The in-process tests drive the real application behind its guard with starlette's TestClient
at the bound address; a few tests run the real command and talk to it over a socket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urljoin, urlsplit

import pytest
import yaml
from starlette.testclient import TestClient

from sos_reports.inputs.read import read_input
from sos_reports.web.app import create_app
from sos_reports.web.drafts import Drafts
from sos_reports.web.security import Guard, Keys
from tests.helpers.examples import example_path

PORT = 48765
BASE = f"http://127.0.0.1:{PORT}"
COOKIE = f"sos_reports_{PORT}"
SOS_REPORTS = Path(sys.executable).parent / "sos-reports"
FORM = "application/x-www-form-urlencoded"


# --- the server under test, and a browser that has opened it -----------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    shutil.copy(example_path("icpc"), drafts / "icpc-school.yaml")
    return drafts


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def app(folder: Path, keys: Keys) -> Guard:
    return create_app(folder, keys, PORT, pdf_available=lambda: False)


def browser(app: Guard) -> TestClient:
    """A client at the bound address that has not opened the start address."""
    return TestClient(app, base_url=BASE, follow_redirects=False, raise_server_exceptions=False)


@pytest.fixture
def client(app: Guard, keys: Keys) -> Iterator[TestClient]:
    """The user's browser: it opened the start address and holds the session cookie."""
    with browser(app) as c:
        opened = c.get("/start", params={"token": keys.start_token})
        assert opened.status_code == 303
        yield c


@pytest.fixture
def draft(folder: Path) -> Path:
    return folder / "icpc-school.yaml"


@pytest.fixture
def did(folder: Path, keys: Keys, draft: Path) -> str:
    return Drafts(folder, keys.drafts).id_of(draft)


def send(
    client: TestClient,
    url: str,
    fields: list[tuple[str, str]] | bytes,
    *,
    origin: str | None = BASE,
    fetch_site: str | None = None,
    content_type: str = FORM,
    **headers: str,
) -> Any:
    """POST a form as a browser does: urlencoded, with its Origin (and Sec-Fetch-Site) and
    Content-Length."""
    body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
    sent = {"content-type": content_type, **headers}
    if origin is not None:
        sent["origin"] = origin
    if fetch_site is not None:
        sent["sec-fetch-site"] = fetch_site
    return client.post(url, content=body, headers=sent)


class _Forms(HTMLParser):
    """The forms of a page with the fields a browser sends when no button is pressed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str | None, list[tuple[str, str]]]] = []
        self.links: list[str] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: list[str] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "src", "action"):
            if key in a:
                self.links.append(a[key])
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("method", "get").lower(), a.get("action"), self._fields))
        if self._fields is None:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._textarea = [a["name"], ""]
        elif tag == "select" and "name" in a:
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._fields is not None:
            name, text = self._textarea
            self._fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self._fields.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "form":
            self._fields = None


def parsed(html: str) -> _Forms:
    page = _Forms()
    page.feed(html)
    return page


def page_fields(client: TestClient, url: str) -> list[tuple[str, str]]:
    """The fields of the page's own form (its last), as shown."""
    shown = client.get(url)
    assert shown.status_code == 200, (url, shown.status_code)
    return parsed(shown.text).forms[-1][2]


def changed(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert name in dict(fields), name
    return [(n, value if n == name else v) for n, v in fields]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder, by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def saved(draft: Path) -> dict[str, Any]:
    """The draft as the command line reads it."""
    tree: dict[str, Any] = read_input(draft).tree
    return tree


def asgi(
    app: Guard,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
    query: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    """One request straight to the ASGI app, headers exactly as given (a client library
    would add a Host, merge duplicates or normalise the path)."""
    sent: list[dict[str, Any]] = []
    raw = path.encode("ascii")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def collect(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),  # as uvicorn decodes it: bytes that are not UTF-8 become U+FFFD
        "raw_path": raw,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", PORT),
    }
    # In a thread of its own: an event loop may be running in this one (Playwright's).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, collect)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    got = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], got, content


def session(keys: Keys) -> list[tuple[bytes, bytes]]:
    """The headers of the user's browser at the right address."""
    return [
        (b"host", f"127.0.0.1:{PORT}".encode()),
        (b"cookie", f"{COOKIE}={keys.session}".encode()),
    ]


# --- 1. the start token and the session cookie -------------------------------------------------


def routes(did: str) -> list[str]:
    return [
        "/",
        f"/d/{did}",
        f"/d/{did}/task/1",
        f"/d/{did}/entry/household.0",
        f"/d/{did}/remove/household.0",
        f"/d/{did}/check",
        f"/d/{did}/download/report.docx",
        "/static/app.css",
        "/static/app.js",
        "/no-such-page",
    ]


def test_every_route_is_refused_without_the_session_cookie(
    app: Guard, keys: Keys, did: str, folder: Path
) -> None:
    before = snapshot(folder)
    strangers = {
        "no cookie": {},
        "a wrong cookie": {"cookie": f"{COOKIE}=not-the-session"},
        "the cookie of another run": {"cookie": f"{COOKIE}={Keys().session}"},
        "the session under another port's name": {"cookie": f"sos_reports_1={keys.session}"},
        "the start token as a cookie": {"cookie": f"{COOKIE}={keys.start_token}"},
    }
    with browser(app) as c:
        for who, headers in strangers.items():
            for url in routes(did):
                got = c.get(url, headers=headers)
                assert got.status_code == 403, (who, url)
                assert "set-cookie" not in got.headers
                assert "Fenwick" not in got.text and keys.csrf not in got.text
                assert "Open the address that sos-reports serve printed" in got.text
            for url in ("/new", "/next", f"/d/{did}/task/1", f"/d/{did}/remove/household.0"):
                fields = [("csrf", keys.csrf), ("kind", "icpc"), ("confirm", "yes")]
                got = send(c, url, fields, **headers)
                assert got.status_code == 403, (who, url)
            # The start token is good at /start only, not as a pass to any other page.
            got = c.get(f"/d/{did}", params={"token": keys.start_token}, headers=headers)
            assert got.status_code == 403
    assert snapshot(folder) == before
    assert keys.start_token is not None  # none of that used it up


def test_the_start_token_works_once_for_an_httponly_strict_session_cookie(
    app: Guard, keys: Keys
) -> None:
    token = keys.start_token
    assert token is not None
    with browser(app) as first:
        opened = first.get("/start", params={"token": token})
        assert opened.status_code == 303
        assert opened.headers["location"] == "/"  # the address without the token
        cookies = opened.headers.get_list("set-cookie")
        assert len(cookies) == 1
        name_value, *attributes = [part.strip() for part in cookies[0].split(";")]
        assert name_value == f"{COOKIE}={keys.session}"
        flags = {a.split("=")[0].lower(): a for a in attributes}
        assert "httponly" in flags
        assert flags["samesite"].lower() == "samesite=strict"
        assert flags["path"] == "Path=/"
        # A session cookie: kept until the browser closes, never timed out.
        assert "expires" not in flags and "max-age" not in flags
        assert first.get("/").status_code == 200

    with browser(app) as second:
        again = second.get("/start", params={"token": token})
        assert again.status_code == 403
        assert "set-cookie" not in again.headers
        assert "used already" in again.text
        assert second.get("/").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"token": "not-the-token"},
        {"token": ""},
        {},
        {"other": "x"},
        "PREFIX",  # the right token cut short
    ],
)
def test_a_wrong_start_token_is_refused_and_does_not_use_up_the_right_one(
    app: Guard, keys: Keys, query: Any
) -> None:
    token = keys.start_token
    assert token is not None
    if query == "PREFIX":
        query = {"token": token[:-1]}
    with browser(app) as c:
        refused = c.get("/start", params=query)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
        assert c.get("/start", params={"token": token}).status_code == 303


def test_the_start_token_is_taken_by_a_get_only(app: Guard, keys: Keys) -> None:
    token = keys.start_token
    with browser(app) as c:
        posted = c.post(f"/start?token={token}", headers={"origin": BASE})
        assert posted.status_code == 403
        assert "set-cookie" not in posted.headers
        assert c.get("/start", params={"token": token}).status_code == 303


def test_the_cookies_of_other_programs_on_127_0_0_1_do_not_lock_the_user_out(
    app: Guard, keys: Keys
) -> None:
    # A browser sends this server the cookies that any other local program set for
    # 127.0.0.1, whatever its port; some are not what Python's http.cookies can parse.
    theirs = [
        'prefs={"theme":"dark","size":2}',
        "jupyter-session=a b c",
        'quoted="with \\"escapes\\""',
        "flag",
        "=nameless",
        "x=1,y=2",
    ]
    for other in theirs:
        for cookie in (f"{other}; {COOKIE}={keys.session}", f"{COOKIE}={keys.session}; {other}"):
            headers = [(b"host", f"127.0.0.1:{PORT}".encode()), (b"cookie", cookie.encode())]
            assert asgi(app, "GET", "/", headers)[0] == 200, cookie
    # Still only the session itself gets in, under this port's name.
    for cookie in (
        f"{COOKIE}x={keys.session}",
        f"x{COOKIE}={keys.session}",
        f"{COOKIE}={keys.session}x",
    ):
        headers = [(b"host", f"127.0.0.1:{PORT}".encode()), (b"cookie", cookie.encode())]
        assert asgi(app, "GET", "/", headers)[0] == 403, cookie


# --- 2. the Host header (DNS rebinding) ------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        f"localhost:{PORT}",
        f"evil.example:{PORT}",
        f"127.0.0.1:{PORT + 1}",
        "127.0.0.1",
        f"127.0.0.1:{PORT}.evil.example",
        f"[::1]:{PORT}",
        f"0.0.0.0:{PORT}",
        f"127.0.0.2:{PORT}",
        f"127.0.0.1:{PORT} ",
        f"127.0.0.1:0{PORT}",
        None,
    ],
)
def test_a_request_for_another_host_is_refused(
    app: Guard, keys: Keys, did: str, host: str | None
) -> None:
    headers = [h for h in session(keys) if h[0] != b"host"]
    if host is not None:
        headers.append((b"host", host.encode()))
    for path in ("/", f"/d/{did}/task/1", "/static/app.css"):
        status, _, body = asgi(app, "GET", path, headers)
        assert status == 421, (host, path)
        assert b"Fenwick" not in body and keys.csrf.encode() not in body
    # Nor can a page at that name take the start token.
    status, got, _ = asgi(app, "GET", "/start", headers, query=f"token={keys.start_token}".encode())
    assert status == 421 and "set-cookie" not in got
    assert keys.start_token is not None


def test_a_second_host_header_is_refused(app: Guard, keys: Keys) -> None:
    # Whichever of two Host headers a proxy or a library would read, the guard must not
    # pick the right one out of a request that also names another.
    for pair in (
        [(b"host", f"evil.example:{PORT}".encode()), *session(keys)],
        [*session(keys), (b"host", f"evil.example:{PORT}".encode())],
    ):
        status, _, body = asgi(app, "GET", "/", pair)
        assert status == 421
        assert b"Fenwick" not in body


def test_the_right_host_and_cookie_get_in(app: Guard, keys: Keys) -> None:
    status, _, body = asgi(app, "GET", "/", session(keys))
    assert status == 200
    assert b"icpc-school.yaml" in body


# --- 3. the CSRF token and the Origin of every POST -------------------------------------------


def _posts(did: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each kind of POST, with fields that would change the folder if accepted."""
    return {
        "save a task": (f"/d/{did}/task/1", []),  # the page's own fields, filled in below
        "save an entry": (f"/d/{did}/entry/household.0", []),
        "remove an entry": (f"/d/{did}/remove/household.0", [("confirm", "yes")]),
        "new draft": ("/new", [("kind", "icpc")]),
        "next report": ("/next", [("kind", "rcpc"), ("earlier", did)]),
    }


def _filled(client: TestClient, did: str, what: str) -> tuple[str, list[tuple[str, str]]]:
    url, fields = _posts(did)[what]
    if "/remove/" in url:
        # The confirmation names the entry it was shown for.
        fields = [*page_fields(client, url), *fields]
    elif not fields:
        shown = page_fields(client, url)
        name = "conference.venue" if "task" in url else "household[0].name"
        fields = [*changed(shown, name, "Somewhere Else Entirely"), ("action", "later")]
    return url, [f for f in fields if f[0] != "csrf"]


@pytest.mark.parametrize("what", list(_posts("x")))
@pytest.mark.parametrize("origin", [BASE, "null"])
def test_a_post_with_the_token_from_this_origin_changes_the_folder(
    client: TestClient, keys: Keys, did: str, folder: Path, what: str, origin: str
) -> None:
    # The other side of the refusals below: the same requests, right, do change the folder.
    # Under Referrer-Policy: no-referrer a browser may send a form's Origin as null, with a
    # Sec-Fetch-Site that no page's script can set.
    before = snapshot(folder)
    url, fields = _filled(client, did, what)
    got = send(client, url, [("csrf", keys.csrf), *fields], origin=origin, fetch_site="same-origin")
    assert got.status_code == 303, got.text[-500:]
    assert snapshot(folder) != before


BAD_ORIGINS = [
    (None, None),
    (None, "same-origin"),
    ("null", None),
    ("null", "cross-site"),
    ("null", "same-site"),
    ("null", "none"),
    ("null", ""),
    ("null", "same-origin, cross-site"),
    (f"http://localhost:{PORT}", None),
    (f"http://127.0.0.1:{PORT + 1}", "same-origin"),
    (f"https://127.0.0.1:{PORT}", None),
    ("http://evil.example", "same-origin"),
    (f"http://127.0.0.1:{PORT}.evil.example", None),
    (f"http://evil.example/{BASE}", None),
    ("", "same-origin"),
]


@pytest.mark.parametrize("what", list(_posts("x")))
def test_a_post_without_the_csrf_token_or_from_another_origin_writes_nothing(
    client: TestClient, keys: Keys, did: str, folder: Path, what: str
) -> None:
    url, fields = _filled(client, did, what)
    before = snapshot(folder)
    tokens: dict[str, list[tuple[str, str]]] = {
        "no token": [],
        "a wrong token": [("csrf", "wrong")],
        "an empty token": [("csrf", "")],
        "the token of another run": [("csrf", Keys().csrf)],
        "the session instead": [("csrf", keys.session)],
        "the right token, then a wrong one": [("csrf", keys.csrf), ("csrf", "wrong")],
    }
    for why, token in tokens.items():
        got = send(client, url, [*token, *fields])
        assert got.status_code == 403, why
        assert "This form has expired" in got.text
        assert snapshot(folder) == before, why
    # The token in the address is not the token of the form.
    got = send(client, f"{url}?csrf={keys.csrf}", fields)
    assert got.status_code == 403
    for origin, site in BAD_ORIGINS:
        got = send(client, url, [("csrf", keys.csrf), *fields], origin=origin, fetch_site=site)
        assert got.status_code == 403, (origin, site)
        assert "was not sent from the sos-reports page" in got.text
        assert snapshot(folder) == before, (origin, site)


def test_a_second_origin_header_is_refused(
    app: Guard, client: TestClient, keys: Keys, did: str, folder: Path
) -> None:
    url, fields = _filled(client, did, "save a task")
    body = urlencode([("csrf", keys.csrf), *fields]).encode()
    before = snapshot(folder)
    for origins in (["http://evil.example", BASE], [BASE, "http://evil.example"]):
        headers = [
            *session(keys),
            (b"content-type", FORM.encode()),
            (b"content-length", str(len(body)).encode()),
            *((b"origin", o.encode()) for o in origins),
        ]
        status, _, _ = asgi(app, "POST", url, headers, body)
        assert status == 403, origins
    assert snapshot(folder) == before


# --- 4. the headers of every response ----------------------------------------------------------


def assert_strict_headers(headers: Any, what: str) -> None:
    csp = headers.get("content-security-policy")
    assert csp, f"{what}: no Content-Security-Policy"
    directives = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    assert directives.get("default-src") == ["'none'"], what
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, what
    for name, sources in directives.items():
        for source in sources:
            assert source in ("'self'", "'none'"), f"{what}: {name} allows {source}"
    assert headers.get("cache-control") == "no-store", what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "no-referrer", what


def test_every_kind_of_response_carries_the_strict_headers(
    app: Guard, client: TestClient, keys: Keys, did: str, folder: Path, monkeypatch: Any
) -> None:
    responses: dict[str, Any] = {}
    for url in routes(did):
        responses[f"GET {url}"] = client.get(url)
    responses["HEAD /"] = client.head("/")
    responses["a problem page"] = client.get("/d/0123456789abcdef0123/task/1")
    responses["no such entry"] = client.get(f"/d/{did}/entry/household.99")
    fields = page_fields(client, f"/d/{did}/task/1")
    first = changed(fields, "conference.venue", "Venue One")
    second = changed(fields, "conference.venue", "Venue Two")
    responses["a save"] = send(client, f"/d/{did}/task/1", [*first, ("action", "later")])
    # A stale tab that changed the same answer: shown again, with both, to choose.
    responses["a stale save"] = send(client, f"/d/{did}/task/1", [*second, ("action", "later")])
    responses["an expired form"] = send(client, f"/d/{did}/task/1", [("csrf", "x")])
    responses["a foreign origin"] = send(client, "/new", [], origin="http://evil.example")
    responses["too large"] = send(client, "/new", b"x" * 2_000_001)
    responses["too many fields"] = send(client, "/new", b"&".join([b"a=1"] * 6000))
    responses["PUT"] = client.put("/", content=b"")
    with browser(app) as stranger:
        responses["no cookie"] = stranger.get("/")
        responses["a used start token"] = stranger.get("/start?token=used")
        responses["another host"] = stranger.get("/", headers={"host": "evil.example"})

    import sos_reports.web.pages as pages

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pages, "tasks", broken)
    responses["an internal error"] = client.get(f"/d/{did}")
    monkeypatch.undo()
    other = Keys()
    with browser(create_app(folder, other, PORT)) as fresh:
        responses["the start"] = fresh.get("/start", params={"token": other.start_token})

    statuses = {what: r.status_code for what, r in responses.items()}
    assert statuses["GET /"] == 200 and statuses["GET /static/app.css"] == 200
    assert statuses[f"GET /d/{did}/download/report.docx"] == 200
    assert statuses["a stale save"] == 409 and statuses["an internal error"] == 500
    assert statuses["the start"] == 303 and statuses["another host"] == 421
    assert statuses["too large"] == 413 and statuses["PUT"] == 405
    for what, response in responses.items():
        assert_strict_headers(response.headers, f"{what} ({response.status_code})")


# --- 5. no case data in addresses, cookies or logs ---------------------------------------------


def case_strings(path: Path) -> set[str]:
    """The names, ids, dates of birth, addresses and references of an input, as a page's
    address could hold them."""
    tree = yaml.safe_load(path.read_text("utf-8"))
    named = {"name", "chair", "social_worker", "presenting", "countersigned_by", "known_as"}
    whole = {"id", "child", "children", "parental_responsibility_for", "case_reference"}
    whole |= {"phone", "email", "nhs_number", "venue", "base", "setting"}
    addresses = {"address", "family_address"}
    found: set[str] = set()

    def walk(node: Any, key: str | None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif node is not None and key is not None:
            text = str(node).strip()
            if key in named | whole:
                found.add(text)
            if key in named:
                found.update(w.strip(",") for w in text.split() if len(w) >= 3 and w[0].isupper())
            if key in addresses:
                found.add(text)
                found.update(line.strip() for line in text.splitlines() if line.strip())
            if key == "phone":
                found.add(text.replace(" ", ""))
            if key == "dob" and isinstance(node, dt.date):
                found.update(
                    {
                        node.isoformat(),
                        node.strftime("%d/%m/%Y"),
                        node.strftime("%Y%m%d"),
                        f"{node.day} {node:%B %Y}",
                    }
                )

    walk(tree, None)
    return {s for s in found if s}


def leaks(text: str, secrets: set[str]) -> list[str]:
    low = unquote(text).lower()
    return sorted(s for s in secrets if s.lower() in low)


def test_the_example_gives_the_strings_to_look_for() -> None:
    strings = case_strings(example_path("icpc"))
    for expected in ("Maisie Fenwick", "Fenwick", "maisie", "2017-09-14", "TH-CP-2025-0147"):
        assert expected in strings
    assert "4 Larkspur Close" in strings and "01609000111" in strings


def test_no_address_or_cookie_of_any_page_holds_case_data(
    client: TestClient, keys: Keys, draft: Path
) -> None:
    secrets = case_strings(draft)
    # Practitioners name their files after the family: no address may carry the name.
    draft.rename(draft.with_name("Maisie-Fenwick-TH-CP-2025-0147.yaml"))
    seen: set[str] = set()
    queue = ["/"]
    addresses: set[str] = set()
    pages = 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        got = client.get(url)
        assert got.status_code in (200, 303), (url, got.status_code)
        for cookie in got.headers.get_list("set-cookie"):
            assert not leaks(cookie, secrets), cookie
        if "location" in got.headers:
            addresses.add(got.headers["location"])
        if not got.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        html = got.text
        # The strict policy allows no inline script or style: none may be needed.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.IGNORECASE), url
        page = parsed(html)
        posted = [a for method, a, _ in page.forms if a and method == "post"]
        addresses.update(posted)
        for link in page.links:
            addresses.add(link)
            if link in posted:
                continue  # walked by GET only
            target = urlsplit(urljoin(BASE + url, link))
            if target.netloc == f"127.0.0.1:{PORT}" and not link.startswith("#"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert pages > 20  # every task and entry page of the example was walked
    assert any("/entry/household.0" in a for a in addresses)
    for address in addresses | seen:
        assert not leaks(address, secrets), address
    # The cookie this browser holds is the random session, under a name of the port only.
    assert dict(client.cookies) == {COOKIE: keys.session}


def private_env(folder: Path) -> dict[str, str]:
    """The environment of a server run of the tests': its kept keys in a folder of its own."""
    run = folder.parent / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    return {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_RUNTIME_DIR": str(run)}


def _start_serving(folder: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """`sos-reports serve FOLDER --no-browser` (on a free port unless told), and the start
    address it printed."""
    env = private_env(folder)
    process = subprocess.Popen(
        [str(SOS_REPORTS), "serve", str(folder), "--no-browser", *(args or ("--port", "0"))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return process, printed_address(process)


def printed_address(process: subprocess.Popen[str]) -> str:
    """The start address the server prints, read within a minute (else it is stopped)."""
    found: list[str] = []
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            address = re.search(r"http://\S+/start\?token=[\w-]+", line)
            if address:
                found.append(address.group(0))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(60)
    if not found:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"no start address printed: {''.join(lines)}{out}{err}")
    return found[0]


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


@pytest.fixture
def serving(folder: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, address = _start_serving(folder)
    try:
        yield process, address
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_real_server_logs_no_case_data_and_stops_cleanly_on_ctrl_c(
    serving: tuple[subprocess.Popen[str], str], draft: Path
) -> None:
    import httpx2 as httpx

    process, address = serving
    secrets = case_strings(draft)
    root = address.split("/start")[0]
    with httpx.Client(follow_redirects=True, timeout=30) as c:
        start = c.get(address)
        assert start.status_code == 200 and "icpc-school.yaml" in start.text
        draft_url = root + next(a for a in parsed(start.text).links if a.startswith("/d/"))
        tasks = c.get(draft_url)
        assert tasks.status_code == 200
        task = c.get(draft_url + "/task/5")
        assert "Maisie Fenwick" in task.text  # the page does show the family
        # Requests that fail, with case data in the address for a log to repeat.
        missing = c.get(root + "/Maisie-Fenwick", params={"dob": "2017-09-14"})
        assert missing.status_code == 404
        refused = c.post(draft_url + "/task/5", data={"children[0].name": "Maisie Fenwick"})
        assert refused.status_code == 403
    code, out, err = _stop(process)
    assert code == 0, err
    assert "Stopped. Your drafts are saved in the folder." in out
    assert "Traceback" not in err
    assert not leaks(out + err, secrets), out + err


# A server whose pages fail with an error that names a child, to see what reaches the log.
FAILING_SERVER = """
import sys
import sos_reports.web.pages as pages
from starlette.staticfiles import StaticFiles

def broken(*args):
    raise KeyError("Maisie Fenwick, born 2017-09-14")

pages.tasks = broken  # in a page's handler
StaticFiles.get_response = broken  # outside the handlers, where starlette re-raises it
from sos_reports.cli import main
sys.argv = ["sos-reports", "serve", sys.argv[1], "--no-browser", "--port", "0"]
main()
"""


def test_an_internal_error_logs_its_kind_only_never_its_words(folder: Path) -> None:
    import httpx2 as httpx

    process = subprocess.Popen(
        [sys.executable, "-c", FAILING_SERVER, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=private_env(folder),
    )
    try:
        address = printed_address(process)
        with httpx.Client(follow_redirects=True, timeout=30) as c:
            start = c.get(address)
            link = next(a for a in parsed(start.text).links if a.startswith("/d/"))
            for path in (link, "/static/app.css"):
                failed = c.get(address.split("/start")[0] + path)
                assert failed.status_code == 500, path
                assert "Something went wrong" in failed.text
                assert "Maisie" not in failed.text
                assert_strict_headers(failed.headers, path)
        code, out, err = _stop(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0
    assert "internal error (KeyError)" in err
    assert "Maisie" not in out + err and "2017-09-14" not in out + err
    assert "Traceback" not in err


# --- 6. the PDF's temporary files --------------------------------------------------------------


@pytest.mark.pdf
def test_the_pdf_download_is_made_in_a_private_folder_that_is_removed(
    libreoffice: str, folder: Path, keys: Keys, did: str, tmp_path: Path, monkeypatch: Any
) -> None:
    import sos_reports.documents.pdf as pdf

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    modes: dict[str, int] = {}
    real_convert = pdf.convert

    def watched(sources: list[Path], out_dir: Path, *args: Any, **kwargs: Any) -> Any:
        modes[out_dir.name] = stat.S_IMODE(out_dir.stat().st_mode)
        for source in sources:
            modes[source.name] = stat.S_IMODE(source.stat().st_mode)
        return real_convert(sources, out_dir, *args, **kwargs)

    monkeypatch.setattr(pdf, "convert", watched)
    app = create_app(folder, keys, PORT)
    with browser(app) as c:
        c.get("/start", params={"token": keys.start_token})
        check = c.get(f"/d/{did}/check")
        assert f"/d/{did}/download/report.pdf" in check.text
        got = c.get(f"/d/{did}/download/report.pdf")
    assert got.status_code == 200
    assert got.content.startswith(b"%PDF")
    assert got.headers["content-type"] == "application/pdf"
    assert_strict_headers(got.headers, "the PDF")
    folders = [n for n in modes if n.startswith("sos-reports-pdf-")]
    assert len(folders) == 1, modes
    assert modes[folders[0]] == 0o700
    assert modes["icpc-school-report.docx"] == 0o600
    assert not list(temp.glob("sos-reports-pdf-*"))
    assert not list(Path(tempfile.gettempdir()).glob("sos-reports-pdf-*"))


# --- 7. no session timeout ---------------------------------------------------------------------


def test_a_session_does_not_time_out_while_work_is_unsaved(
    client: TestClient, keys: Keys, did: str, draft: Path, monkeypatch: Any
) -> None:
    url = f"/d/{did}/task/1"
    fields = page_fields(client, url)  # the page is opened, then left for a long time
    later = 40 * 24 * 3600
    real_time, real_monotonic = time.time, time.monotonic
    monkeypatch.setattr(time, "time", lambda: real_time() + later)
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + later)
    got = send(
        client, url, [*changed(fields, "conference.venue", "Thornby Library"), ("action", "later")]
    )
    assert got.status_code == 303
    assert saved(draft)["conference"]["venue"] == "Thornby Library"
    assert client.get(url).status_code == 200
    for cookie in client.cookies.jar:
        assert cookie.expires is None  # a session cookie, gone only when the browser closes


# --- 8. 127.0.0.1 only -------------------------------------------------------------------------


def listening(port: int) -> dict[str, list[str]]:
    """The local addresses listening on `port`, from /proc/net/tcp and tcp6."""
    found: dict[str, list[str]] = {"tcp": [], "tcp6": []}
    for table in found:
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found[table].append(address)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_serve_listens_on_127_0_0_1_only_at_the_port_asked_for(folder: Path) -> None:
    port = _free_port()
    process, address = _start_serving(folder, "--port", str(port))
    try:
        assert address.startswith(f"http://127.0.0.1:{port}/start?token=")
        assert listening(port) == {"tcp": ["0100007F"], "tcp6": []}
    finally:
        code, _, err = _stop(process)
    assert code == 0, err
    assert listening(port) == {"tcp": [], "tcp6": []}
    # The keys kept for the next run are this user's alone.
    kept = folder.parent / "run" / "sos-reports"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700
    assert stat.S_IMODE((kept / "serve-keys.json").stat().st_mode) == 0o600


def test_serve_has_no_option_to_listen_elsewhere(folder: Path) -> None:
    from click.testing import CliRunner

    from sos_reports.cli import cli

    runner = CliRunner()
    helped = runner.invoke(cli, ["serve", "--help"])
    assert helped.exit_code == 0
    options = set(re.findall(r"--[a-z][a-z-]*", helped.output))
    assert options == {"--port", "--no-browser", "--help"}
    for option in ("--host", "--bind", "--address", "--listen"):
        tried = runner.invoke(cli, ["serve", str(folder), option, "0.0.0.0", "--no-browser"])
        assert tried.exit_code == 2 and "No such option" in tried.output


def test_a_port_in_use_is_a_clear_error(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(SOS_REPORTS), "serve", str(folder), "--port", str(port), "--no-browser"],
            env=private_env(folder),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"port {port} is in use" in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "/start?token=" not in done.stdout  # no address that leads nowhere


# --- 9. drafts are private and written in one step ---------------------------------------------


def test_a_saved_draft_is_private_and_replaced_in_one_step(
    client: TestClient, did: str, draft: Path, folder: Path
) -> None:
    draft.chmod(0o644)  # as copied in by hand
    inode = draft.stat().st_ino
    url = f"/d/{did}/task/1"
    got = send(
        client,
        url,
        [*changed(page_fields(client, url), "conference.time", "11:00"), ("action", "later")],
    )
    assert got.status_code == 303
    assert saved(draft)["conference"]["time"] == "11:00"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert draft.stat().st_ino != inode  # a new file moved into place, not rewritten in place
    assert sorted(p.name for p in folder.iterdir()) == ["icpc-school.yaml"]


def test_a_new_draft_is_private(client: TestClient, keys: Keys, folder: Path) -> None:
    got = send(client, "/new", [("csrf", keys.csrf), ("kind", "medical")])
    assert got.status_code == 303
    made = [p for p in folder.iterdir() if p.name != "icpc-school.yaml"]
    assert len(made) == 1 and made[0].suffix == ".yaml"
    assert stat.S_IMODE(made[0].stat().st_mode) == 0o600
    assert not list(folder.glob("*.part")) and not list(folder.glob(".*"))


def test_a_save_cut_short_leaves_the_old_draft_and_no_part_file(
    client: TestClient, did: str, draft: Path, folder: Path, monkeypatch: Any
) -> None:
    url = f"/d/{did}/task/1"
    fields = [*changed(page_fields(client, url), "conference.time", "11:00"), ("action", "later")]
    before = snapshot(folder)

    def full(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    got = send(client, url, fields)
    monkeypatch.undo()
    assert got.status_code >= 400
    assert "Traceback" not in got.text
    assert snapshot(folder) == before


# --- the hostile probe -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/d/../icpc-school.yaml",
        "/d/..%2Ficpc-school.yaml",
        "/d/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/d/%2Fetc%2Fpasswd",
        "/d/icpc-school.yaml",
        "/d/icpc-school",
        "/d/DID_UPPER",
        "/d/DIDx",
        "/d/DID_SHORT",
        "/d/DID/download/..%2F..%2Ficpc-school.yaml",
        "/d/DID/download/icpc-school.yaml",
        "/d/DID/task/-1",
        "/d/DID/task/99999999999999999999999",
        "/d/DID/task/1.5",
        "/static/../web/app.py",
        "/static/%2E%2E/app.py",
        "/static/..%2Fapp.py",
        "/static/%2Fetc%2Fpasswd",
        "/static//etc/passwd",
    ],
)
def test_traversal_in_an_address_finds_nothing_outside(
    app: Guard, keys: Keys, did: str, path: str
) -> None:
    path = path.replace("DID_UPPER", did.upper()).replace("DID_SHORT", did[:-1])
    path = path.replace("DID", did)
    status, headers, body = asgi(app, "GET", path, session(keys))
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"import" not in body and b"Fenwick" not in body
    assert_strict_headers(headers, path)


LOCS = [
    "..",
    "../../etc/passwd",
    "%2Fetc%2Fpasswd",
    "household.99999",
    "household.-1",
    "household.5",
    "household.9999999999",
    "household.00000000001",
    "kind.0",
    "household.0.name",
    "household.0.name.0",
    "children.7.x.0",
    "household." + "0" * 5000,
    "x" * 20000,
    "household" + ".a" * 2000 + ".0",
]


@pytest.mark.parametrize("loc", LOCS)
@pytest.mark.parametrize("route", ["entry", "remove"])
def test_a_made_up_entry_address_is_no_page_and_writes_nothing(
    client: TestClient, app: Guard, keys: Keys, did: str, folder: Path, loc: str, route: str
) -> None:
    before = snapshot(folder)
    url = f"/d/{did}/{route}/{loc}"
    status, _, _ = asgi(app, "GET", url, session(keys))
    assert status in (400, 404), status
    fields = [
        ("csrf", keys.csrf),
        ("confirm", "yes"),
        ("household[0].name", "X"),
        ("action", "continue"),
    ]
    body = urlencode(fields).encode()
    post_headers = [
        *session(keys),
        (b"origin", BASE.encode()),
        (b"content-type", FORM.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    status, _, _ = asgi(app, "POST", url, post_headers, body)
    assert status in (400, 404), status
    assert snapshot(folder) == before


def test_an_entry_address_under_an_entry_does_not_overwrite_it(
    client: TestClient, did: str, draft: Path, folder: Path
) -> None:
    # household.0.0 once opened as a new entry of Kerry Fenwick's entry, and saving it
    # replaced her whole entry with an empty one.
    own = page_fields(client, f"/d/{did}/entry/household.0")  # its csrf and version
    before = snapshot(folder)
    for loc in ("household.0.0", "household.0.0.0", "sharing.with.0.0", "children.1.0"):
        url = f"/d/{did}/entry/{loc}"
        assert client.get(url).status_code == 404, loc
        name = loc.replace(".0", "[0]", 2).rsplit(".", 1)[0] + ".name"
        got = send(client, url, [*own, (name, "Zed Quill"), ("action", "continue")])
        assert got.status_code == 404, loc
    assert snapshot(folder) == before
    assert saved(draft)["household"][0]["name"] == "Kerry Fenwick"


def hostile_bodies(good: bytes, csrf: str) -> dict[str, tuple[bytes, str]]:
    """Bodies no browser sends for this form, each with its Content-Type; `good` is the
    page's own form, urlencoded."""
    boundary = b"--b0undary"
    multipart_start = b'%s\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n' % (
        boundary,
        csrf.encode(),
    )
    return {
        "over 2 MB": (good + b"&x=" + b"a" * 2_000_000, FORM),
        "6000 fields": (good + b"&" + b"&".join(b"f%d=1" % i for i in range(6000)), FORM),
        "one answer of 1.5 MB": (good + b"&conference.venue=" + b"a" * 1_500_000, FORM),
        "multipart without a boundary": (good, "multipart/form-data"),
        "multipart cut short": (
            multipart_start + b"--b0und",
            "multipart/form-data; boundary=b0undary",
        ),
        "multipart with a file": (
            multipart_start
            + b'%s\r\nContent-Disposition: form-data; name="f"; filename="a.yaml"\r\n\r\nkind: icpc\r\n%s--\r\n'
            % (boundary, boundary),
            "multipart/form-data; boundary=b0undary",
        ),
        "JSON": (b'{"csrf": "%s"}' % csrf.encode(), "application/json"),
        "plain text": (good, "text/plain"),
        "no content type": (good, ""),
    }


# What the form parser refuses (too many fields, a field too large, a file): each is a 400
# from starlette, which the handlers' catch-all once turned into an internal error.
PARSER_REFUSALS = [
    "6000 fields",
    "one answer of 1.5 MB",
    "multipart without a boundary",
    "multipart with a file",
]


def test_enormous_or_malformed_bodies_are_refused_and_write_nothing(
    client: TestClient, app: Guard, keys: Keys, did: str, folder: Path
) -> None:
    url = f"/d/{did}/task/1"
    fields = [
        *changed(page_fields(client, url), "conference.venue", "Elsewhere"),
        ("action", "later"),
    ]
    good = urlencode(fields).encode()
    before = snapshot(folder)
    bodies = hostile_bodies(good, keys.csrf)
    for why, (body, content_type) in bodies.items():
        got = send(client, url, body, content_type=content_type)
        if why not in PARSER_REFUSALS:
            assert 400 <= got.status_code < 500, (why, got.status_code)
        assert "Traceback" not in got.text
        assert_strict_headers(got.headers, why)
        assert snapshot(folder) == before, why
    # Without a Content-Length (chunked), a body cannot be measured before it is read.
    body = urlencode([("csrf", keys.csrf), *fields]).encode()
    headers = [*session(keys), (b"origin", BASE.encode()), (b"content-type", FORM.encode())]
    status, _, _ = asgi(app, "POST", url, [*headers, (b"transfer-encoding", b"chunked")], body)
    assert status == 413
    for length in (b"-1", b"1e3", b"", b"99999999999999999999"):
        status, _, _ = asgi(app, "POST", url, [*headers, (b"content-length", length)], body)
        assert status == 413, length
    assert snapshot(folder) == before


@pytest.mark.parametrize("why", PARSER_REFUSALS)
def test_a_form_the_parser_refuses_is_a_clear_400_not_an_internal_error(
    client: TestClient, keys: Keys, did: str, why: str
) -> None:
    url = f"/d/{did}/task/1"
    good = urlencode([*page_fields(client, url), ("action", "later")]).encode()
    body, content_type = hostile_bodies(good, keys.csrf)[why]
    got = send(client, url, body, content_type=content_type)
    assert 400 <= got.status_code < 500


def test_repeated_fields_keep_the_last_answer_and_cannot_slip_past_the_token(
    client: TestClient, keys: Keys, did: str, draft: Path, folder: Path
) -> None:
    url = f"/d/{did}/task/1"
    fields = [*page_fields(client, url), ("action", "later")]
    before = snapshot(folder)
    got = send(client, url, [*fields, ("csrf", "wrong")])
    assert got.status_code == 403 and snapshot(folder) == before
    # A second, stale version: the page is taken as from a tab opened before a change
    # elsewhere, and as it changed no answer, the draft's answers stay as they are.
    assert send(client, url, fields).status_code == 303  # the draft in the tool's layout
    answers = saved(draft)
    got = send(client, url, [*fields, ("version", "1")])
    assert got.status_code == 303 and saved(draft) == answers
    got = send(client, url, [*fields, ("conference.venue", "Second"), ("action", "nonsense:0:0")])
    assert got.status_code == 303
    assert saved(draft)["conference"]["venue"] == "Second"


def test_bytes_that_are_not_utf8_do_not_break_a_page_or_a_draft(
    client: TestClient, app: Guard, keys: Keys, did: str, draft: Path
) -> None:
    url = f"/d/{did}/task/1"
    fields = [*page_fields(client, url), ("action", "later")]
    good = urlencode(fields).encode()
    for extra in (b"&conference.venue=%FF%FE%C3Thornby", b"&%FF%FE=1", b"&conference.venue=%E2%82"):
        got = send(client, url, good + extra)
        assert got.status_code == 303, extra
        assert saved(draft)["kind"] == "icpc"  # still an input the command line reads
        assert client.get(url).status_code == 200
        good = urlencode([*page_fields(client, url), ("action", "later")]).encode()
    for path in (f"/d/{did}/task/%FF", f"/d/{did}/entry/household.%FF", "/static/%FF"):
        status, _, _ = asgi(app, "GET", path, session(keys))
        assert status in (400, 404), path
    status, _, _ = asgi(
        app, "GET", f"/d/{did}/entry/household.4", session(keys), query=b"child=%FF"
    )
    assert status == 200
    odd = [
        (b"host", f"127.0.0.1:{PORT}".encode()),
        (b"cookie", b"\xff\xfe=\xc3; " + session(keys)[1][1]),
    ]
    assert asgi(app, "GET", "/", odd)[0] == 200
    assert asgi(app, "GET", "/", [(b"host", b"\xff\xfe"), session(keys)[1]])[0] == 421


MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(2)</script>",
    "' onmouseover='alert(3)",
    "&lt;b&gt; &amp; &#x41;",
    "{{ csrf }} {% raw %}",
]


@pytest.mark.parametrize("typed", MARKUP)
def test_markup_typed_into_an_answer_is_shown_escaped_and_saved_as_text(
    client: TestClient, did: str, draft: Path, typed: str
) -> None:
    for url, name in (
        (f"/d/{did}/task/1", "conference.venue"),
        (f"/d/{did}/entry/children.0", "children[0].name"),
    ):
        fields = changed(page_fields(client, url), name, typed)
        assert send(client, url, [*fields, ("action", "later")]).status_code == 303
        assert dict(page_fields(client, url))[name] == typed  # shown back exactly as typed
    tree = saved(draft)
    assert tree["conference"]["venue"] == typed and tree["children"][0]["name"] == typed
    for url in (
        f"/d/{did}/task/1",
        f"/d/{did}/check",
        f"/d/{did}/entry/children.0",
        f"/d/{did}/task/5",
    ):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "onmouseover='alert" not in html, url


YAML_LOOKALIKES = [
    "---",
    "...",
    "# not a comment",
    "key: value",
    "- item",
    "&anchor",
    "*alias",
    "!!python/object/apply:os.system ['touch /tmp/sos-reports-pwned']",
    "{a: 1}",
    "[1, 2]",
    "'single'",
    '"double"',
    "%TAG ! x",
    "@at",
    "`tick`",
    "|",
    ">",
    "~",
    "yes",
    "no",
    "off",
    "true",
    "1e3",
    "0x10",
    "012",
    "2025-01-01",
    "12:30:00",
    ".inf",
    ".nan",
    "-",
    "?",
    "? key",
    ": x",
    "a #b",
    "tab\there",
    "line\u2028separator",
    "bom\ufeffinside",
    "emoji 😀",
    "back\\nslash",
    "\u202eright to left",
    "a" * 5000,
]


def test_answers_that_look_like_yaml_are_kept_as_text(
    client: TestClient, did: str, draft: Path
) -> None:
    url = f"/d/{did}/task/1"
    wrong = {}
    for typed in YAML_LOOKALIKES:
        fields = changed(page_fields(client, url), "conference.venue", typed)
        got = send(client, url, [*fields, ("action", "later")])
        kept = saved(draft)["conference"].get("venue")
        if got.status_code != 303 or kept != typed:
            wrong[typed] = (got.status_code, kept)
    assert wrong == {}
    assert not Path("/tmp/sos-reports-pwned").exists()


@pytest.mark.parametrize("typed", ["null", "Null", "NULL"])
def test_an_answer_of_null_is_kept_as_text(
    client: TestClient, did: str, draft: Path, typed: str
) -> None:
    url = f"/d/{did}/entry/children.0"
    fields = changed(page_fields(client, url), "children[0].name", typed)
    send(client, url, [*fields, ("action", "later")])
    assert saved(draft)["children"][0]["name"] == typed


@pytest.mark.parametrize("typed", ["before\x00after", "wait\x85 what", "esc\x1b[31m"])
def test_a_control_character_in_an_answer_leaves_a_draft_that_opens(
    client: TestClient, did: str, draft: Path, typed: str
) -> None:
    url = f"/d/{did}/task/1"
    fields = changed(page_fields(client, url), "conference.venue", typed)
    send(client, url, [*fields, ("action", "later")])
    assert client.get(url).status_code == 200  # the draft still opens
    # What can be seen of the answer is kept; what no input may hold is dropped.
    assert saved(draft)["conference"]["venue"] == "".join(c for c in typed if c.isprintable())


TRICKY_FILES = {
    "alias-bomb.yaml": "kind: icpc\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
    + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n"
        for p, n in zip("abcdefg", "bcdefgh", strict=True)
    ),
    "python-tag.yaml": "kind: icpc\nx: !!python/object/apply:os.system ['touch /tmp/sos-reports-pwned']\n",
    "duplicate-keys.yaml": "kind: icpc\nkind: rcpc\n",
    "deep-lists.yaml": "kind: icpc\nx: " + "[" * 20000 + "]" * 20000 + "\n",
    "deep-maps.yaml": "kind: icpc\nx: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
    "deep.json": '{"kind": "icpc", "x": ' + "[" * 100000 + "]" * 100000 + "}",
    "nan.json": '{"kind": "icpc", "x": NaN}',
    "a-list.yaml": "- kind: icpc\n",
    "a-scalar.yaml": "just some text\n",
    "empty.yaml": "",
    "two-documents.yaml": "kind: icpc\n---\nkind: rcpc\n",
    "merge-key.yaml": "base: &b {kind: icpc}\n<<: *b\n",
    "binary-tag.yaml": "kind: !!binary aWNwYw==\n",
    "huge-number.yaml": "kind: icpc\nformat_version: " + "9" * 5000 + "\n",
    "bom.yaml": "\ufeffkind: icpc\n",
    "kind-list.yaml": "kind: [icpc]\n",
    "children-text.yaml": "kind: icpc\nchildren: maisie\n",
    "household-map.yaml": "kind: icpc\nhousehold: {name: x}\n",
    "household-lists.yaml": "kind: icpc\nhousehold: [[1, 2], [3]]\n",
    "bad-date.yaml": "kind: icpc\nconference: {date: 2025-13-45}\n",
    "<b>markup<\\b>.yaml": "kind: icpc\n",
}


def test_draft_files_with_yaml_tricks_open_safely_from_the_start_page(
    client: TestClient, keys: Keys, folder: Path
) -> None:
    for name, text in TRICKY_FILES.items():
        (folder / name).write_text(text, "utf-8")
    (folder / "random-bytes.yaml").write_bytes(bytes(range(256)) * 10)
    (folder / "utf16.yaml").write_bytes("kind: icpc\n".encode("utf-16"))
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    (folder / "a-folder.yaml").mkdir()
    (folder / "too-big.yaml").write_bytes(b"kind: icpc\nx: '" + b"a" * 5_100_000 + b"'\n")
    began = time.monotonic()
    start = client.get("/")
    assert start.status_code == 200
    assert "<b>markup" not in start.text and "&lt;b&gt;markup" in start.text
    ids = Drafts(folder, keys.drafts)
    for path in sorted(folder.iterdir()):
        draft_id = ids.id_of(path)
        for url in (
            f"/d/{draft_id}",
            f"/d/{draft_id}/task/1",
            f"/d/{draft_id}/check",
            f"/d/{draft_id}/entry/household.0",
            f"/d/{draft_id}/download/report.docx",
        ):
            got = client.get(url)
            assert got.status_code < 500, (path.name, url, got.status_code)
            assert "root:x:" not in got.text
    assert time.monotonic() - began < 120
    assert not Path("/tmp/sos-reports-pwned").exists()
    assert (folder / "passwd.yaml").is_symlink()  # nothing was saved through it


def test_a_file_name_that_is_not_utf8_does_not_break_the_start_page(
    client: TestClient, keys: Keys, folder: Path
) -> None:
    name = os.path.join(bytes(folder), b"Fenwick-\xe9.yaml")
    with open(name, "wb") as handle:
        handle.write(example_path("icpc").read_bytes())
    assert client.get("/").status_code == 200
    odd = next(p for p in folder.iterdir() if p.name.startswith("Fenwick-"))
    draft_id = Drafts(folder, keys.drafts).id_of(odd)
    assert client.get(f"/d/{draft_id}/download/report.docx").status_code == 200


def test_two_tabs_changing_different_answers_keep_both(
    client: TestClient, did: str, draft: Path
) -> None:
    url = f"/d/{did}/task/1"
    first = changed(page_fields(client, url), "conference.venue", "Venue From Tab One")
    second = changed(page_fields(client, url), "conference.chair", "Chair From Tab Two")
    assert send(client, url, [*first, ("action", "later")]).status_code == 303
    assert send(client, url, [*second, ("action", "later")]).status_code == 303
    kept = saved(draft)["conference"]
    assert kept["venue"] == "Venue From Tab One"
    assert kept["chair"] == "Chair From Tab Two"


def test_two_tabs_changing_one_answer_are_shown_both_and_lose_nothing_silently(
    client: TestClient, did: str, draft: Path
) -> None:
    url = f"/d/{did}/task/1"
    first = changed(page_fields(client, url), "conference.venue", "Venue From Tab One")
    second = changed(page_fields(client, url), "conference.venue", "Venue From Tab Two")
    second = changed(second, "conference.chair", "Chair From Tab Two")
    assert send(client, url, [*first, ("action", "later")]).status_code == 303
    stale = send(client, url, [*second, ("action", "later")])
    assert stale.status_code == 409
    assert "changed somewhere else" in stale.text
    assert "saved meanwhile as “Venue From Tab One”" in stale.text
    again = dict(parsed(stale.text).forms[-1][2])
    assert again["conference.venue"] == "Venue From Tab Two"
    assert again["conference.chair"] == "Chair From Tab Two"
    kept = saved(draft)["conference"]
    assert kept["venue"] == "Venue From Tab One"
    assert kept["chair"] == "Sam Okafor, Independent Reviewing Officer"
    # Saved again from the page shown, the user's answers are taken.
    assert send(client, url, [*again.items(), ("action", "later")]).status_code == 303
    kept = saved(draft)["conference"]
    assert kept["venue"] == "Venue From Tab Two"
    assert kept["chair"] == "Chair From Tab Two"


def test_many_tabs_saving_at_once_leave_one_whole_draft(
    client: TestClient, did: str, draft: Path, folder: Path
) -> None:
    url = f"/d/{did}/task/1"
    forms = [changed(page_fields(client, url), "conference.venue", f"Venue {i}") for i in range(6)]
    statuses: list[int] = [0] * len(forms)

    def save(i: int) -> None:
        statuses[i] = send(client, url, [*forms[i], ("action", "later")]).status_code

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(forms))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303] + [409] * (len(forms) - 1)
    assert saved(draft)["conference"]["venue"] == f"Venue {statuses.index(303)}"
    assert sorted(p.name for p in folder.iterdir()) == ["icpc-school.yaml"]


def test_head_is_answered_like_get_without_a_body(
    client: TestClient, did: str, folder: Path
) -> None:
    before = snapshot(folder)
    for url in routes(did)[:-1]:
        got = client.head(url)
        assert got.status_code == 200, url
        assert got.content == b""
        assert_strict_headers(got.headers, f"HEAD {url}")
    assert client.head("/no-such-page").status_code == 404
    assert snapshot(folder) == before


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "FOO"])
def test_other_methods_are_refused(
    app: Guard, client: TestClient, keys: Keys, did: str, folder: Path, method: str
) -> None:
    before = snapshot(folder)
    for url in ["/", f"/d/{did}/task/1", f"/d/{did}/remove/household.0", "/new", "/static/app.css"]:
        got = client.request(method, url, headers={"origin": BASE}, content=f"csrf={keys.csrf}")
        assert got.status_code == 405, (method, url)
        assert_strict_headers(got.headers, f"{method} {url}")
        with browser(app) as stranger:
            assert stranger.request(method, url).status_code == 403
    assert snapshot(folder) == before


@pytest.mark.parametrize("path", ["/d/%FF", "/d/%C3%A9", "/d/%C3%A9/task/1"])
def test_a_draft_id_that_is_not_ascii_is_no_draft(app: Guard, keys: Keys, path: str) -> None:
    status, _, _ = asgi(app, "GET", path, session(keys))
    assert status in (400, 404)


@pytest.mark.parametrize("address", ["task/²", "task/①", "entry/household.²"])
def test_a_number_in_an_address_that_is_not_plain_digits_is_no_page(
    client: TestClient, did: str, address: str
) -> None:
    got = client.get(f"/d/{did}/{address}")
    assert got.status_code in (400, 404)


def test_a_child_in_an_address_that_is_not_plain_digits_chooses_no_child(
    client: TestClient, did: str
) -> None:
    got = client.get(f"/d/{did}/entry/household.4?child=²")
    assert got.status_code == 200 and "Add a person" in got.text


@pytest.mark.parametrize("text", ["scaling: {scores: [7]}", "child_voice: [maisie]"])
def test_a_per_child_list_holding_a_plain_value_is_no_internal_error(
    client: TestClient, keys: Keys, folder: Path, text: str
) -> None:
    odd = folder / "odd.yaml"
    odd.write_text(f"kind: icpc\n{text}\n", "utf-8")
    draft_id = Drafts(folder, keys.drafts).id_of(odd)
    for url in (f"/d/{draft_id}", f"/d/{draft_id}/check"):
        assert client.get(url).status_code < 500, url


def test_a_file_name_with_a_newline_gives_a_download_header_that_can_be_sent(
    client: TestClient, keys: Keys, folder: Path
) -> None:
    odd = folder / "Fenwick\nnotes\x1b.yaml"
    odd.write_bytes(example_path("icpc").read_bytes())
    draft_id = Drafts(folder, keys.drafts).id_of(odd)
    got = client.get(f"/d/{draft_id}/download/report.docx")
    assert got.status_code == 200
    header = got.headers["content-disposition"]
    assert all(" " <= c <= "~" or c == "\t" for c in header), repr(header)
