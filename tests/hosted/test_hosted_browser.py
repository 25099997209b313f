"""One conference end to end in a real browser, each person in a browser context of their
own: the administrator and the chair signed in through a real OpenID provider, three authors
from the mails a real SMTP server caught, the reports typed page by page, a report late by a
moved clock, and the chair's downloads the same as `fill` and `merge` make."""

from __future__ import annotations

import datetime as dt
import email
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sos_reports.commands.merge import merge
from sos_reports.commands.reports import fill
from sos_reports.inputs.read import read_input
from sos_reports.web import pages
from tests.helpers.browser import axe_violations, format_violations, fresh_page
from tests.helpers.browser_form import Practitioner
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES
from tests.hosted.conftest import Clock
from tests.hosted.oidc_provider import ClientSpec, require_provider, start_provider

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CONFERENCE = EXAMPLES / "conference"


@dataclass
class Caught:
    """The mail a real SMTP server (aiosmtpd) took in."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)

    def last(self, to: str) -> email.message.EmailMessage:
        for message in reversed(self.messages):
            if message["To"] == to:
                return message
        raise AssertionError(f"no mail to {to}: {[m['To'] for m in self.messages]}")

    def body(self, to: str) -> str:
        return str(self.last(to).get_content())

    def link(self, to: str) -> str:
        found = re.search(r"https?://\S+/invite/\S+", self.body(to))
        assert found, self.body(to)
        return found[0]

    def code(self, to: str) -> str:
        found = re.search(r"\b(\d{6})\b", self.body(to))
        assert found, self.body(to)
        return found[1]


@contextmanager
def smtp_server() -> Iterator[tuple[int, Caught]]:
    from aiosmtpd.controller import Controller

    caught = Caught()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            caught.messages.append(
                email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
            )
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port: aiosmtpd checks that it answers there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, caught
    finally:
        controller.stop()


@dataclass
class Served:
    base: str
    clock: Clock
    caught: Caught


@contextmanager
def running_service(database: str) -> Iterator[Served]:
    import uvicorn

    from sos_reports.hosted.app import create_app
    from sos_reports.hosted.oidc import Client
    from sos_reports.hosted.service import Hosted
    from sos_reports.hosted.settings import Settings
    from sos_reports.web.server import bind

    sock = bind(0)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    node = require_provider()
    with (
        smtp_server() as (smtp_port, caught),
        start_provider(
            [ClientSpec("staff-portal", redirect_uris=(f"{base}/sign-in/callback",))], node=node
        ) as provider,
    ):
        settings = Settings(
            database=database,
            base_url=base,
            oidc_issuer=provider.issuer,
            oidc_client_id="staff-portal",
            oidc_client_secret=provider.provider("staff-portal").client_secret,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            mail_from="conferences@council.example",
        ).check()
        clock = Clock()
        hosted = Hosted(settings, clock=clock)
        hosted.add_user("admin@council.example", "admin")
        hosted.add_user("chair@council.example", "chair")
        oidc = Client(provider.provider("staff-portal", redirect_uri=f"{base}/sign-in/callback"))
        app = create_app(hosted, oidc=oidc)
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.025)
        try:
            yield Served(base, clock, caught)
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()
            hosted.engine.dispose()


def checked_page(page: Page, seen: dict[str, int]) -> None:
    """axe-core on the page, once per page of the service: no A or AA violation."""
    key = re.sub(r"[0-9a-f]{20}|[A-Za-z0-9_-]{40,}", "*", page.url.split("?")[0])
    if key in seen:
        return
    violations = axe_violations(page)
    assert violations == [], f"{page.url}:\n{format_violations(violations)}"
    seen[key] = len(violations)


def staff_sign_in(page: Page, served: Served, who: str, seen: dict[str, int]) -> None:
    page.goto(served.base + "/")
    checked_page(page, seen)
    page.get_by_role("link", name="Staff sign in").click()
    page.get_by_label("Email address").fill(who)
    page.get_by_label("Password").fill("not checked by the test provider")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(admin|chair)$"))


def author_sign_in(page: Page, served: Served, to: str, seen: dict[str, int]) -> None:
    link = served.caught.link(to)
    assert link.startswith(served.base + "/invite/")
    page.goto(link)
    checked_page(page, seen)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code").wait_for()
    checked_page(page, seen)
    page.get_by_label("Code").fill(served.caught.code(to))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", level=1).wait_for()
    assert re.search(r"/d/[0-9a-f]{20}$", page.url), page.url


def write_report(page: Page, kind: str, example: Path) -> None:
    tree = read_input(example).tree
    you = Practitioner(page, kind, tree)
    for task in pages.tasks(kind):
        you.type_task(task)
    page.get_by_role("button", name="Check your answers").click()


def download(page: Page, link: str, into: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    target = into / info.value.suggested_filename
    info.value.save_as(target)
    return target


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL when there is one, as the service runs on several machines; SQLite else."""
    import os

    from sos_reports.hosted.schema import upgrade
    from tests.hosted.conftest import POSTGRES, _postgres_database

    if POSTGRES is None:
        if os.environ.get("CI"):
            pytest.fail("SOS_REPORTS_TEST_POSTGRES is not set: .ci/run starts PostgreSQL")
        url = f"sqlite:///{tmp_path / 'service.db'}"
        upgrade(url)
        yield url
        return
    for url in _postgres_database():
        upgrade(url)
        yield url


def test_one_conference_end_to_end_each_person_in_a_browser_of_their_own(
    browser: Browser, database: str, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    seen: dict[str, int] = {}
    authors = {
        "dsl@school.example": ("School", "icpc"),
        "gp@practice.example": ("GP practice", "medical"),
        "officer@police.example": ("Police", "icpc"),
    }
    with running_service(database) as served:
        # The administrator creates the conference from the school's input and invites three.
        with fresh_page(browser) as admin_tab:
            admin = admin_tab.page
            staff_sign_in(admin, served, "admin@council.example", seen)
            checked_page(admin, seen)
            admin.get_by_role("link", name="Create a conference").click()
            checked_page(admin, seen)
            admin.get_by_label("Initial", exact=True).check()
            admin.get_by_label("Date of the conference").fill("2025-03-12")
            admin.get_by_label("Chair's e-mail address").fill("chair@council.example")
            admin.get_by_label("From an input or a conference record (optional)").set_input_files(
                str(CONFERENCE / "school-icpc.yaml")
            )
            admin.get_by_role("button", name="Create the conference").click()
            admin.get_by_role("heading", name=re.compile("^Conference on")).wait_for()
            checked_page(admin, seen)
            status_url = admin.url
            for address, (agency, kind) in authors.items():
                admin.get_by_label("The author's e-mail address").fill(address)
                admin.get_by_label("Agency", exact=True).fill(agency)
                admin.get_by_role("group", name="Report").get_by_label(
                    {
                        "icpc": "Agency report to an Initial Child Protection Conference",
                        "medical": "Conference report for medical practitioners",
                    }[kind]
                ).check()
                admin.get_by_role("button", name="Send the invitation").click()
                admin.get_by_role("cell", name=address).wait_for()
            for address in authors:
                message = served.caught.last(address)
                assert (
                    message["Subject"] == "A report is requested for a child protection conference"
                )
                for name in ("Fenwick", "Maisie", "Ashby", "Larkspur"):
                    assert name not in message["Subject"] and name not in served.caught.body(
                        address
                    )

        # Three authors, each from their own mail.
        for address, kind, example in (
            ("dsl@school.example", "icpc", CONFERENCE / "school-icpc.yaml"),
            ("gp@practice.example", "medical", CONFERENCE / "gp-medical.yaml"),
        ):
            with fresh_page(browser) as tab:
                page = tab.page
                author_sign_in(page, served, address, seen)
                checked_page(page, seen)
                write_report(page, kind, example)
                checked_page(page, seen)
                page.get_by_role("button", name="Send the report to the chair").click()
                page.get_by_role("heading", name="Your report has been sent").wait_for()
                checked_page(page, seen)
                served.clock.move(minutes=2)
        with fresh_page(browser) as tab:
            police = tab.page
            author_sign_in(police, served, "officer@police.example", seen)
            first = pages.tasks("icpc")[0]
            police.get_by_role("link", name=first.title, exact=True).click()
            police.get_by_role("button", name="Save and continue", exact=True).click()

        # After the due date (10 March), the report never sent is late.
        served.clock.at = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.UTC)
        with fresh_page(browser) as admin_tab:
            admin = admin_tab.page
            staff_sign_in(admin, served, "admin@council.example", seen)
            admin.goto(status_url)
            rows = admin.locator("#status tbody tr")
            statuses = {
                rows.nth(i).locator("td").nth(2).inner_text(): rows.nth(i)
                .locator("td")
                .nth(4)
                .inner_text()
                for i in range(rows.count())
            }
            assert statuses["officer@police.example"] == "Late (in progress)"
            assert statuses["dsl@school.example"].startswith("Sent")
            assert statuses["gp@practice.example"].startswith("Sent")

        # The chair reads the map and an annex, and starts the record.
        with fresh_page(browser) as chair_tab:
            chair = chair_tab.page
            staff_sign_in(chair, served, "chair@council.example", seen)
            checked_page(chair, seen)
            chair.get_by_role("link", name="12 March 2025").click()
            checked_page(chair, seen)
            got_map = download(chair, "Download the conference map (Word)", downloads)
            got_school = download(chair, "Report of School (Word)", downloads)
            annexes = chair.get_by_role("link", name=re.compile("^Confidential annex"))
            assert annexes.count() >= 1
            got_annex = download(chair, annexes.first.inner_text(), downloads)
            chair.get_by_role("button", name="Start the conference record").click()
            chair.get_by_role("heading", level=1).wait_for()
            assert re.search(r"/d/[0-9a-f]{20}/board$", chair.url), chair.url

    # What the chair downloaded is what `fill` and `merge` make of the same inputs.
    work = tmp_path / "expected"
    work.mkdir()
    inputs = []
    for name in ("school-icpc.yaml", "gp-medical.yaml"):
        (work / name).write_bytes((CONFERENCE / name).read_bytes())
        inputs.append(work / name)
    merge(inputs, work / "map.docx")
    assert docx_text(got_map) == docx_text(work / "map.docx")
    assert docx_text(got_school) == docx_text(Path(fill(inputs[0]).written[0]))
    written = [Path(p) for p in fill(inputs[1]).written]
    assert len(written) == 2, "the GP's example has a confidential annex"
    assert docx_text(got_annex) == docx_text(written[1])
    # Every new page of the service was checked by axe.
    assert len(seen) >= 9, sorted(seen)
