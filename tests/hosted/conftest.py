"""What the hosted service's tests share: a fresh database of each kind (SQLite in a file,
and PostgreSQL when CI or the developer started one), a clock that can be moved, a mailbox,
and a client signed in as each role."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from sos_reports.hosted.app import create_app
from sos_reports.hosted.schema import upgrade
from sos_reports.hosted.service import Hosted, Who
from sos_reports.hosted.settings import Settings
from tests.hosted.oidc_provider import ClientSpec, RunningProvider, require_provider, start_provider

BASE = "http://reports.council.example"
POSTGRES = os.environ.get("SOS_REPORTS_TEST_POSTGRES")


def _postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    import psycopg

    assert POSTGRES is not None
    name = f"sos_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database made by `host init`'s migrations: each test runs on both."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'service.db'}"
        upgrade(url)
        yield url
        return
    if POSTGRES is None:
        if os.environ.get("CI"):
            pytest.fail("SOS_REPORTS_TEST_POSTGRES is not set: .ci/run starts PostgreSQL")
        pytest.skip("no PostgreSQL: export SOS_REPORTS_TEST_POSTGRES=$(scripts/start-postgres)")
    for url in _postgres_database():
        upgrade(url)
        yield url


@dataclass
class Clock:
    """The service's clock, which a test moves (a report goes late after its due date)."""

    at: dt.datetime = field(default_factory=lambda: dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@dataclass
class Mailbox:
    """Every message the service sent, in order."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, text: str) -> None:
        self.sent.append((to, subject, text))

    def last(self, to: str) -> tuple[str, str]:
        subject, text = next((s, t) for a, s, t in reversed(self.sent) if a == to)
        return subject, text

    def link(self, to: str) -> str:
        found = re.search(r"https?://\S+/invite/\S+", self.last(to)[1])
        assert found, self.last(to)
        return found[0].removeprefix(BASE)

    def code(self, to: str) -> str:
        found = re.search(r"\b(\d{6})\b", self.last(to)[1])
        assert found, self.last(to)
        return found[1]


@dataclass
class Service:
    """The service over a test database, with its clock and mailbox, and a client per
    person."""

    hosted: Hosted
    clock: Clock
    mailbox: Mailbox
    app: Any

    def client(self) -> TestClient:
        return TestClient(self.app, base_url=BASE, follow_redirects=False)

    def staff(self, email: str, role: str) -> Person:
        """A member of staff, signed in (as the identity provider's callback signs them)."""
        user_id, _ = self.hosted.add_user(email, role)
        with self.hosted.begin() as c:
            token = self.hosted.sign_in(c, None, Who(role, user_id=user_id, email=email))
        client = self.client()
        client.cookies.set(self.app.cookie, token)
        return Person(self, client)

    def author(self, email: str) -> Person:
        """The author invited at `email`, signed in from the invitation's mail and code."""
        person = Person(self, self.client())
        link = self.mailbox.link(email)
        page = person.client.get(link)
        assert page.status_code == 200, page.text
        assert person.post(link, {"step": "email"}).status_code == 200
        signed = person.post(link, {"step": "code", "code": self.mailbox.code(email)})
        assert signed.status_code == 303, signed.text
        return person


@dataclass
class Person:
    service: Service
    client: TestClient

    def csrf(self, url: str = "/") -> str:
        page = self.client.get(url, follow_redirects=True)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found[1]

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(
        self, url: str, data: dict[str, Any], *, files: Any = None, csrf: str | None = None
    ) -> Any:
        if csrf is None:
            token = self.client.cookies.get(self.service.app.cookie)
            csrf = self._csrf_of(token) if token else ""
        return self.client.post(
            url, data={"csrf": csrf, **data}, files=files, headers={"origin": BASE}
        )

    def _csrf_of(self, token: str) -> str:
        hosted = self.service.hosted
        with hosted.begin() as c:
            session = hosted.session(c, token)
        return session.csrf if session is not None else ""


@pytest.fixture
def service(database: str) -> Iterator[Service]:
    clock, mailbox = Clock(), Mailbox()
    settings = Settings(database=database, base_url=BASE, dev_sign_in=True)
    hosted = Hosted(settings, clock=clock, mailer=mailbox)
    yield Service(hosted, clock, mailbox, create_app(hosted))
    hosted.engine.dispose()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    """A real OpenID provider on 127.0.0.1 (oidc-provider under Node.js), its issuer
    http://127.0.0.1:PORT, with two clients: "staff-portal" (the service) and "other-app"
    (another of the council's applications). Skipped without Node.js and the npm install,
    failed in CI."""
    node = require_provider()
    with start_provider(
        [ClientSpec("staff-portal"), ClientSpec("other-app")], node=node
    ) as running:
        yield running
