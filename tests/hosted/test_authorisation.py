"""Who may do what, as a matrix: every route of the service, for every role, for people
signed out, for a chair of another conference and for an author of another conference.
Each cell is the status expected, and a request refused changes nothing in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from sos_reports.hosted import db
from tests.helpers.examples import EXAMPLES
from tests.hosted.conftest import Person, Service
from tests.hosted.test_service import create_conference, draft_of, invite, write_as

CONFERENCE = EXAMPLES / "conference"
WHO = ("anonymous", "admin", "chair", "other_chair", "author", "other_author")


@dataclass
class World:
    """Two conferences: A, chaired by `chair`, with the school's report being written by
    `author` and the GP's sent, and its record started; B, chaired by `other_chair`, with
    `other_author` writing."""

    service: Service
    people: dict[str, Person]
    ids: dict[str, str]


def build(service: Service) -> World:
    admin = service.staff("admin@council.example", "admin")
    chair = service.staff("chair@council.example", "chair")
    other_chair = service.staff("chair-b@council.example", "chair")
    a = create_conference(admin, "chair@council.example")
    b = create_conference(admin, "chair-b@council.example")
    invite(admin, a, "dsl@school.example", "School", "icpc")
    invite(admin, a, "gp@practice.example", "GP practice", "medical")
    invite(admin, b, "dsl-b@school.example", "School", "icpc")
    token = service.mailbox.link("dsl@school.example").rsplit("/", 1)[1]
    author = service.author("dsl@school.example")
    gp = service.author("gp@practice.example")
    other_author = service.author("dsl-b@school.example")
    draft, gp_draft = draft_of(author), draft_of(gp)
    write_as(service, author, draft, CONFERENCE / "school-icpc.yaml")
    write_as(service, gp, gp_draft, CONFERENCE / "gp-medical.yaml")
    assert gp.post(f"/d/{gp_draft}/send", {}).status_code == 303
    started = chair.post(f"/chair/c/{a}/record", {})
    record = re.search(r"/d/([0-9a-f]{20})/board", started.headers["location"])
    assert record
    with service.hosted.begin() as c:
        by_agency = {i.agency: i.id for i in service.hosted.invitations(c, a)}
    people = {
        "anonymous": Person(service, service.client()),
        "admin": admin,
        "chair": chair,
        "other_chair": other_chair,
        "author": author,
        "other_author": other_author,
    }
    ids = {
        "A": a,
        "open": by_agency["School"],
        "sent": by_agency["GP practice"],
        "draft": draft,
        "sent_draft": gp_draft,
        "record": record[1],
        "token": token,
    }
    return World(service, people, ids)


# Each route: method, path (with {A}, {open}, {sent}, {draft}, {sent_draft}, {record},
# {token}), the form it sends, and the status for each of WHO, in that order.
ROUTES: list[tuple[str, str, dict[str, Any], tuple[int, ...]]] = [
    # A person signed in is sent on to their own pages; only those signed out see the start.
    ("GET", "/", {}, (200, 303, 303, 303, 303, 303)),
    ("GET", "/sign-in", {}, (200, 403, 403, 403, 403, 403)),
    # Signed out, a POST without a session has no form token to match.
    (
        "POST",
        "/sign-in",
        {"step": "email", "email": "admin@council.example"},
        (403, 403, 403, 403, 403, 403),
    ),
    ("GET", "/sign-in/callback?state=x&code=y", {}, (404, 403, 403, 403, 403, 403)),
    ("GET", "/invite/{token}", {}, (200, 403, 403, 403, 403, 403)),
    ("POST", "/invite/{token}", {"step": "email"}, (403, 403, 403, 403, 403, 403)),
    ("GET", "/sent", {}, (303, 403, 403, 403, 200, 200)),
    ("GET", "/admin", {}, (303, 200, 403, 403, 403, 403)),
    ("GET", "/admin/new", {}, (303, 200, 403, 403, 403, 403)),
    (
        "POST",
        "/admin/new",
        {
            "type": "initial",
            "date": "2025-04-01",
            "chair_email": "chair@council.example",
            "children": "Ava Example, 2019-01-02",
        },
        (303, 303, 403, 403, 403, 403),
    ),
    ("GET", "/admin/audit.csv", {}, (303, 200, 403, 403, 403, 403)),
    ("GET", "/admin/c/{A}", {}, (303, 200, 403, 403, 403, 403)),
    (
        "POST",
        "/admin/c/{A}/invite",
        {"email": "police@police.example", "agency": "Police", "kind": "icpc"},
        (303, 303, 403, 403, 403, 403),
    ),
    ("POST", "/admin/c/{A}/i/{open}/remind", {}, (303, 303, 403, 403, 403, 403)),
    ("POST", "/admin/c/{A}/i/{open}/withdraw", {}, (303, 303, 403, 403, 403, 403)),
    ("POST", "/admin/c/{A}/i/{open}/delete", {}, (303, 404, 403, 403, 403, 403)),
    ("GET", "/chair", {}, (303, 403, 200, 200, 403, 403)),
    ("GET", "/chair/c/{A}", {}, (303, 403, 200, 404, 403, 403)),
    ("GET", "/chair/c/{A}/map.docx", {}, (303, 403, 200, 404, 403, 403)),
    ("GET", "/chair/c/{A}/i/{sent}/report.docx", {}, (303, 403, 200, 404, 403, 403)),
    # The school's report is not sent: the chair does not see it yet.
    ("GET", "/chair/c/{A}/i/{open}/report.docx", {}, (303, 403, 404, 404, 403, 403)),
    # The GP sent confidential information: the chair, and only the chair, reads it.
    ("GET", "/chair/c/{A}/i/{sent}/annex.docx", {}, (303, 403, 200, 404, 403, 403)),
    ("POST", "/chair/c/{A}/record", {}, (303, 403, 303, 404, 403, 403)),
    ("POST", "/chair/c/{A}/i/{sent}/reopen", {}, (303, 403, 303, 404, 403, 403)),
    # The author's own draft, through the pages of `serve`: no one else's.
    ("GET", "/d/{draft}", {}, (303, 404, 404, 404, 200, 404)),
    ("GET", "/d/{draft}/task/0", {}, (303, 404, 404, 404, 200, 404)),
    (
        "POST",
        "/d/{draft}/task/0",
        {"action": "later", "version": "shown"},
        (303, 404, 404, 404, 303, 404),
    ),
    ("GET", "/d/{draft}/check", {}, (303, 404, 404, 404, 200, 404)),
    ("GET", "/d/{draft}/download/report.docx", {}, (303, 404, 404, 404, 200, 404)),
    ("POST", "/d/{draft}/send", {}, (303, 403, 403, 403, 303, 404)),
    # A sent report is no longer the author's to open.
    ("GET", "/d/{sent_draft}", {}, (303, 404, 404, 404, 404, 404)),
    ("POST", "/d/{sent_draft}/send", {}, (303, 403, 403, 403, 404, 404)),
    # The record: the chair's only.
    ("GET", "/d/{record}", {}, (303, 404, 200, 404, 404, 404)),
    ("GET", "/d/{record}/board", {}, (303, 404, 200, 404, 404, 404)),
    (
        "POST",
        "/d/{record}/board",
        {"action": "add", "to": "worries.harm", "text": "A new worry", "by": "Police"},
        (303, 404, 303, 404, 404, 404),
    ),
    ("GET", "/d/{record}/download/report.docx", {}, (303, 404, 303, 404, 404, 404)),
    ("GET", "/no-such-page", {}, (404, 404, 404, 404, 404, 404)),
    ("GET", "/d/00000000000000000000", {}, (303, 404, 404, 404, 404, 404)),
]


def dump(service: Service) -> dict[str, list[tuple[Any, ...]]]:
    with service.hosted.begin() as c:
        return {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in c.execute(select(table)).all()),
            )
            for table in db.metadata.sorted_tables
        }


def csrf_of(world: World, who: str) -> str:
    person = world.people[who]
    token = person.client.cookies.get(world.service.app.cookie)
    if token is None:
        return ""
    with world.service.hosted.begin() as c:
        session = world.service.hosted.session(c, token)
    return session.csrf if session is not None else ""


@pytest.mark.parametrize(
    ("method", "path", "form", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES]
)
def test_every_route_for_every_role(
    service: Service, method: str, path: str, form: dict[str, Any], expected: tuple[int, ...]
) -> None:
    got: dict[str, int] = {}
    changed: list[str] = []
    world = build(service)
    for who in WHO:
        url = path.format(**world.ids)
        before = dump(service)
        person = world.people[who]
        if method == "GET":
            response = person.get(url)
        else:
            sent = dict(form)
            if sent.get("version") == "shown":  # as the page showed it, to whoever it showed
                shown = re.search(r'name="version" value="(\d+)"', person.get(url).text)
                sent["version"] = shown[1] if shown else "1"
            response = person.client.post(
                url,
                data={"csrf": csrf_of(world, who), **sent},
                headers={"origin": "http://reports.council.example"},
            )
        got[who] = response.status_code
        denied = response.status_code >= 400 or (
            who == "anonymous" and response.headers.get("location") == "/"
        )
        if denied and dump(service) != before:
            changed.append(who)
        if not denied and method == "POST":
            # What one person was allowed to change (a withdrawal, a report sent) is not
            # what the next one finds: a world of its own for each.
            reset(service)
            world = build(service)
    assert got == dict(zip(WHO, expected, strict=True))
    assert changed == [], f"a refused request changed the database: {changed}"


def reset(service: Service) -> None:
    """Empty every table but the migrations' own, for the next world."""
    from sqlalchemy import text

    with service.hosted.engine.begin() as c:
        if c.dialect.name == "postgresql":
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            c.execute(text("ALTER TABLE audit DISABLE TRIGGER sos_audit_append_only"))
            c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            c.execute(text("ALTER TABLE audit ENABLE TRIGGER sos_audit_append_only"))
        else:
            c.execute(text("DROP TRIGGER sos_audit_no_delete"))
            for table in reversed(db.metadata.sorted_tables):
                c.execute(table.delete())
            c.execute(
                text(
                    "CREATE TRIGGER sos_audit_no_delete BEFORE DELETE ON audit "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
            )
    service.mailbox.sent.clear()


def test_a_staff_account_removed_is_signed_out_at_once(service: Service) -> None:
    chair = service.staff("chair@council.example", "chair")
    assert chair.get("/chair").status_code == 200
    with service.hosted.begin() as c:
        c.execute(db.users.update().values(role="none"))
    assert chair.get("/chair").status_code == 303
