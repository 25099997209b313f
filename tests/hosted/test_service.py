"""The hosted service in process, on SQLite and on PostgreSQL: a conference created, its
authors invited and signed in by code, reports written on the pages of `serve` and sent,
the chair's documents the same as `fill` and `merge` make, and the rules of sign-in."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from sos_reports.commands.merge import merge
from sos_reports.commands.reports import fill
from sos_reports.hosted import db
from sos_reports.hosted.store import Access, HostedDrafts, current, read_draft
from sos_reports.inputs.read import read_input
from sos_reports.web import pages
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import EXAMPLES
from tests.hosted.conftest import BASE, Person, Service

CONFERENCE = EXAMPLES / "conference"
# Words of the invented family that must never reach a mail, an address or the audit log.
FAMILY = ("Fenwick", "Maisie", "Ashby", "Leo", "Larkspur", "Kerry", "Dean", "TH-CP")


def create_conference(admin: Person, chair: str = "chair@council.example") -> str:
    upload = (CONFERENCE / "school-icpc.yaml").read_bytes()
    made = admin.post(
        "/admin/new",
        {"type": "initial", "date": "2025-03-12", "chair_email": chair},
        files={"from_file": ("school-icpc.yaml", upload, "application/yaml")},
    )
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/admin/c/([0-9a-f]{20})", made.headers["location"])
    assert found, made.headers["location"]
    return found[1]


def invite(admin: Person, conference: str, email: str, agency: str, kind: str) -> None:
    sent = admin.post(
        f"/admin/c/{conference}/invite", {"email": email, "agency": agency, "kind": kind}
    )
    assert sent.status_code == 303, sent.text


def draft_of(person: Person) -> str:
    home = person.get("/")
    assert home.status_code == 303
    found = re.fullmatch(r"/d/([0-9a-f]{20})", home.headers["location"])
    assert found, home.headers["location"]
    return found[1]


def write_as(service: Service, person: Person, draft_id: str, example: Path) -> None:
    """The author's draft made the example's input, saved as the pages save it (the
    browser test types it page by page)."""
    token = person.client.cookies.get(service.app.cookie)
    with service.hosted.begin() as c:
        session = service.hosted.session(c, token)
    assert session is not None
    mark = current.set(Access(service.hosted, session.who))
    try:
        store = HostedDrafts()
        draft = store.open(draft_id)
        store.save(draft, read_input(example).tree)
    finally:
        current.reset(mark)


def the_rows(service: Service, table: Any) -> list[tuple[Any, ...]]:
    with service.hosted.begin() as c:
        return [tuple(r) for r in c.execute(select(table)).all()]


def test_a_conference_from_invitation_to_the_chairs_map_and_record(
    service: Service, tmp_path: Path
) -> None:
    admin = service.staff("admin@council.example", "admin")
    chair = service.staff("chair@council.example", "chair")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    invite(admin, conference, "gp@practice.example", "GP practice", "medical")

    # The invitation says only that a report is requested, and by when.
    subject, words = service.mailbox.last("dsl@school.example")
    assert subject == "A report is requested for a child protection conference"
    assert "Please send it by 10 March 2025." in words  # 2 working days before 12 March
    for name in FAMILY:
        assert name not in subject and name not in words

    school = service.author("dsl@school.example")
    draft = draft_of(school)
    tasks = school.get(f"/d/{draft}")
    assert tasks.status_code == 200
    assert "Agency report to an Initial Child Protection Conference" in tasks.text
    # Pre-filled with the conference and the children the administrator gave.
    with service.hosted.begin() as c:
        tree = read_draft(service.hosted, c, draft).tree
    assert str(tree["conference"]["date"]) == "2025-03-12"
    assert [c["name"] for c in tree["children"]] == ["Maisie Fenwick", "Leo Ashby"]
    assert tree["author"]["agency"] == "School"

    gp = service.author("gp@practice.example")
    gp_draft = draft_of(gp)
    write_as(service, school, draft, CONFERENCE / "school-icpc.yaml")
    write_as(service, gp, gp_draft, CONFERENCE / "gp-medical.yaml")

    status = admin.get(f"/admin/c/{conference}").text
    assert status.count("In progress") == 2

    # Sent from check your answers: the author cannot open it again.
    check = school.get(f"/d/{draft}/check")
    assert "Send the report to the chair" in check.text
    sent = school.post(f"/d/{draft}/send", {})
    assert sent.status_code == 303 and sent.headers["location"] == "/sent"
    assert school.get(f"/d/{draft}").status_code == 404
    assert school.get(f"/d/{draft}/download/report.docx").status_code == 404
    service.clock.move(minutes=5)
    assert gp.post(f"/d/{gp_draft}/send", {}).status_code == 303

    # The chair's documents are what `fill` and `merge` make of the same inputs.
    work = tmp_path / "expected"
    work.mkdir()
    inputs = []
    for name in ("school-icpc.yaml", "gp-medical.yaml"):
        (work / name).write_bytes((CONFERENCE / name).read_bytes())
        inputs.append(work / name)
    expected_school = docx_text(Path(fill(inputs[0]).written[0]))
    merge(inputs, work / "map.docx")
    expected_map = docx_text(work / "map.docx")

    page = chair.get(f"/chair/c/{conference}")
    assert page.status_code == 200
    links = re.findall(r'href="(/chair/c/[0-9a-f]+/i/[0-9a-f]+/report\.docx)"', page.text)
    assert len(links) == 2
    reports = [docx_text_of(chair.get(link).content) for link in links]
    assert expected_school in reports
    got_map = chair.get(f"/chair/c/{conference}/map.docx")
    assert got_map.status_code == 200
    assert docx_text_of(got_map.content) == expected_map

    started = chair.post(f"/chair/c/{conference}/record", {})
    assert started.status_code == 303
    record = re.fullmatch(r"/d/([0-9a-f]{20})/board", started.headers["location"])
    assert record
    board = chair.get(started.headers["location"])
    assert board.status_code == 200 and "Board" in board.text
    # The same record again, not a second one.
    assert (
        chair.post(f"/chair/c/{conference}/record", {}).headers["location"]
        == (started.headers["location"])
    )

    # The audit log: who did what to which conference, never a family's name.
    log = admin.get("/admin/audit.csv")
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/csv")
    actions = {row.split(",")[3] for row in log.text.splitlines()[1:]}
    assert {
        "create conference",
        "invite author",
        "sign in",
        "save draft",
        "send report",
        "download",
        "download map",
        "start record",
        "view",
    } <= actions
    for name in FAMILY:
        assert name not in log.text


def docx_text_of(data: bytes) -> str:
    import tempfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/document.xml" in z.namelist()

    with tempfile.NamedTemporaryFile(suffix=".docx") as handle:
        handle.write(data)
        handle.flush()
        return docx_text(Path(handle.name))


def test_a_code_works_once_for_ten_minutes_and_a_wrong_one_five_times_at_most(
    service: Service,
) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    person = Person(service, service.client())
    link = service.mailbox.link("dsl@school.example")
    person.get(link)
    person.post(link, {"step": "email"})
    code = service.mailbox.code("dsl@school.example")

    # Expired after 10 minutes.
    service.clock.move(minutes=11)
    late = person.post(link, {"step": "code", "code": code})
    assert late.status_code == 400 and "expired" in late.text
    # A new code; five wrong tries end it, even before the right one.
    person.post(link, {"step": "email"})
    code = service.mailbox.code("dsl@school.example")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert person.post(link, {"step": "code", "code": wrong}).status_code == 400
    assert person.post(link, {"step": "code", "code": code}).status_code == 400
    # A good code signs in once.
    person.post(link, {"step": "email"})
    code = service.mailbox.code("dsl@school.example")
    assert person.post(link, {"step": "code", "code": code}).status_code == 303
    other = Person(service, service.client())
    other.get(link)
    assert other.post(link, {"step": "code", "code": code}).status_code == 400


def test_codes_are_rate_limited_per_address(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    link = service.mailbox.link("dsl@school.example")
    person = Person(service, service.client())
    person.get(link)
    for _ in range(5):
        assert person.post(link, {"step": "email"}).status_code == 200
    refused = person.post(link, {"step": "email"})
    assert refused.status_code == 429 and "Too many codes" in refused.text
    service.clock.move(minutes=61)
    assert person.post(link, {"step": "email"}).status_code == 403  # the page was left too long
    person.get(link)
    assert person.post(link, {"step": "email"}).status_code == 200


def test_an_author_session_ends_after_thirty_idle_minutes(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    school = service.author("dsl@school.example")
    draft = draft_of(school)
    service.clock.move(minutes=29)
    assert school.get(f"/d/{draft}").status_code == 200
    service.clock.move(minutes=31)
    assert school.get(f"/d/{draft}").status_code == 303  # signed out: to the start page
    with service.hosted.begin() as c:
        assert (
            c.execute(select(db.sessions).where(db.sessions.c.invitation_id.is_not(None))).first()
            is None
        )


def test_a_late_report_shows_late_and_a_withdrawn_link_stops_working(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    assert "Not started" in admin.get(f"/admin/c/{conference}").text
    service.clock.move(days=8)  # 11 March 2025: after the due date of 10 March
    assert admin.get(f"/admin/c/{conference}").status_code == 303  # idle: signed out
    admin = service.staff("admin@council.example", "admin")
    assert "Late (not started)" in admin.get(f"/admin/c/{conference}").text
    link = service.mailbox.link("dsl@school.example")
    with service.hosted.begin() as c:
        (invitation,) = service.hosted.invitations(c, conference)
    withdrawn = admin.post(f"/admin/c/{conference}/i/{invitation.id}/withdraw", {})
    assert withdrawn.status_code == 303
    assert service.client().get(link).status_code == 404
    assert "Withdrawn" in admin.get(f"/admin/c/{conference}").text


def test_a_reminder_sends_a_new_link_and_the_old_one_stops(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    old = service.mailbox.link("dsl@school.example")
    with service.hosted.begin() as c:
        (invitation,) = service.hosted.invitations(c, conference)
    assert admin.post(f"/admin/c/{conference}/i/{invitation.id}/remind", {}).status_code == 303
    subject, _ = service.mailbox.last("dsl@school.example")
    assert subject.startswith("Reminder:")
    new = service.mailbox.link("dsl@school.example")
    assert new != old
    assert service.client().get(old).status_code == 404
    assert service.client().get(new).status_code == 200


def test_the_chair_reopens_a_sent_report_for_its_author(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    chair = service.staff("chair@council.example", "chair")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    school = service.author("dsl@school.example")
    draft = draft_of(school)
    write_as(service, school, draft, CONFERENCE / "school-icpc.yaml")
    assert school.post(f"/d/{draft}/send", {}).status_code == 303
    assert school.get(f"/d/{draft}").status_code == 404
    with service.hosted.begin() as c:
        (invitation,) = service.hosted.invitations(c, conference)
    assert chair.post(f"/chair/c/{conference}/i/{invitation.id}/reopen", {}).status_code == 303
    assert school.get(f"/d/{draft}").status_code == 200


def test_an_annex_is_kept_encrypted_with_a_key(database: str, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    from sos_reports.hosted.app import create_app
    from sos_reports.hosted.service import Hosted
    from sos_reports.hosted.settings import Settings
    from tests.helpers.browser_form import icpc_with_annex
    from tests.hosted.conftest import Clock, Mailbox

    key = Fernet.generate_key().decode()
    settings = Settings(database=database, base_url=BASE, dev_sign_in=True, annex_key=key)
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
    secret = str(read_input(example).tree["confidential"]["details"]).split("\n")[0][:40]
    write_as(service, school, draft, example)
    assert school.post(f"/d/{draft}/send", {}).status_code == 303
    # Nowhere in the database in the clear: not in the draft, not in the annex.
    with hosted.engine.connect() as c:
        for table in ("drafts", "documents"):
            for row in c.execute(text(f"SELECT * FROM {table}")).all():
                for value in row:
                    if isinstance(value, bytes | str):
                        blob = value if isinstance(value, bytes) else value.encode()
                        assert secret.encode() not in blob
    page = chair.get(f"/chair/c/{conference}").text
    (link,) = re.findall(r'href="(/chair/c/[0-9a-f]+/i/[0-9a-f]+/annex\.docx)"', page)
    assert secret in docx_text_of(chair.get(link).content)
    hosted.engine.dispose()


def test_purge_deletes_old_conferences_and_says_so(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    hosted = service.hosted
    service.clock.move(days=400)
    assert hosted.purge(365, dry_run=True) == [(conference, dt.date(2025, 3, 12), 1)]
    with hosted.begin() as c:
        assert hosted.conference(c, conference) is not None
    assert hosted.purge(365) == [(conference, dt.date(2025, 3, 12), 1)]
    for table in (db.conferences, db.drafts, db.invitations, db.documents):
        assert the_rows(service, table) == []
    with hosted.begin() as c:
        actions = [r.action for r in c.execute(select(db.audit)).all()]
    assert actions[-1] == "purge conference"


def test_the_audit_log_cannot_be_changed_or_deleted_in_the_database(service: Service) -> None:
    service.staff("admin@council.example", "admin")
    with pytest.raises(Exception, match="append-only"), service.hosted.begin() as c:
        c.execute(text("UPDATE audit SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"), service.hosted.begin() as c:
        c.execute(text("DELETE FROM audit"))


def test_the_migrations_make_the_tables_the_code_uses(database: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = db.engine_for(database)
    with engine.connect() as c:
        differences = compare_metadata(MigrationContext.configure(c), db.metadata)
    engine.dispose()
    assert differences == []


def test_the_development_sign_in_is_said_on_every_page(service: Service) -> None:
    admin = service.staff("admin@council.example", "admin")
    conference = create_conference(admin)
    invite(admin, conference, "dsl@school.example", "School", "icpc")
    school = service.author("dsl@school.example")
    draft = draft_of(school)
    for person, url in (
        (admin, "/admin"),
        (admin, f"/admin/c/{conference}"),
        (school, f"/d/{draft}"),
    ):
        page = person.get(url)
        assert page.status_code == 200
        assert "Development sign-in is on" in page.text, url
    task = pages.tasks("icpc")[0]
    assert "Development sign-in is on" in school.get(f"/d/{draft}/task/{task.number}").text
