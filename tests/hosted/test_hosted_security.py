"""The service's guard: its host only, its own origin for a form, the headers of `serve`,
Secure cookies and HSTS behind TLS, and no annex kept with --no-annex-storage."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from sos_reports.hosted import db
from sos_reports.hosted.app import create_app
from sos_reports.hosted.service import Hosted
from sos_reports.hosted.settings import Settings
from tests.helpers.browser_form import icpc_with_annex
from tests.hosted.conftest import BASE, Clock, Mailbox, Person, Service
from tests.hosted.test_service import create_conference, draft_of, invite, write_as


def test_another_host_is_refused_and_every_page_has_the_headers(service: Service) -> None:
    client = service.client()
    assert client.get("/", headers={"host": "evil.example"}).status_code == 421
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in page.headers  # not behind TLS


def test_a_form_from_another_origin_or_without_its_token_changes_nothing(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    csrf = admin._csrf_of(admin.client.cookies.get(service.app.cookie) or "")
    form = {
        "type": "initial",
        "date": "2025-03-12",
        "chair_email": "c@council.example",
        "children": "Ava Example, 2019-01-02",
    }
    other = admin.client.post(
        "/admin/new", data={"csrf": csrf, **form}, headers={"origin": "https://evil.example"}
    )
    assert other.status_code == 403
    tokenless = admin.client.post("/admin/new", data=form, headers={"origin": BASE})
    assert tokenless.status_code == 403
    with service.hosted.begin() as c:
        assert c.execute(select(db.conferences)).first() is None
    assert admin.post("/admin/new", form).status_code == 303


def test_behind_tls_the_cookie_is_secure_and_host_prefixed_with_hsts(database: str) -> None:
    https = "https://reports.council.example"
    hosted = Hosted(
        Settings(database=database, base_url=https, dev_sign_in=True),
        clock=Clock(),
        mailer=Mailbox(),
    )
    app = create_app(hosted)
    client = TestClient(app, base_url=https, follow_redirects=False)
    page = client.get("/sign-in")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("__Host-sos_reports=")
    assert "; Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")
    hosted.engine.dispose()


def test_with_no_annex_storage_no_annex_is_kept(database: str, tmp_path: Path) -> None:
    settings = Settings(database=database, base_url=BASE, dev_sign_in=True, no_annex_storage=True)
    hosted = Hosted(settings, clock=Clock(), mailer=Mailbox())
    service = Service(hosted, hosted.clock, hosted.mailer, create_app(hosted))  # type: ignore[arg-type]
    admin = service.staff("admin@council.example", "admin")
    chair = service.staff("chair@council.example", "chair")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    school = service.author("dsl@school.example")
    draft = draft_of(school)
    example = tmp_path / "icpc.yaml"
    example.write_text(icpc_with_annex(), "utf-8")
    write_as(service, school, draft, example)
    check = school.get(f"/d/{draft}/check").text
    assert "Download the confidential annex (Word document)" in check
    assert school.post(f"/d/{draft}/send", {}).status_code == 303
    with hosted.begin() as c:
        kept = [r.what for r in c.execute(select(db.documents)).all()]
    assert kept == ["report"]
    page = chair.get(f"/chair/c/{conference}").text
    assert "This service keeps no confidential annex" in page
    assert not re.search(r"/annex\.docx", page)
    hosted.engine.dispose()


def test_a_signed_out_person_is_sent_to_the_start_and_told_nothing(service: Service) -> None:
    anonymous = Person(service, service.client())
    page = anonymous.get("/admin")
    assert page.status_code == 303 and page.headers["location"] == "/"
    assert anonymous.get("/d/0123456789abcdef0123").status_code == 303
