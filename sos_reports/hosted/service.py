"""What the hosted service does, apart from its pages: staff, sessions, codes, conferences,
invitations, sending, the chair's documents, the audit log and the purge.

Every function takes what it needs from the database and writes its changes there in one
transaction: nothing is kept in the process between two requests.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row

from sos_reports.errors import SosError
from sos_reports.hosted import db
from sos_reports.hosted.db import engine_for
from sos_reports.hosted.mail import Mailer, mailer_for
from sos_reports.hosted.settings import Settings
from sos_reports.kinds import KINDS

ROLES = ("admin", "chair")
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
# A session not yet signed in (a sign-in under way) lasts as long as a code.
ANONYMOUS_MINUTES = 15
REPORT_KINDS = tuple(name for name, kind in KINDS.items() if kind.agency_report)


class HostedError(SosError):
    """Something the service refuses, in words for the person who asked."""


@dataclass(frozen=True)
class Who:
    """Who a request is from: a member of staff, an invited author, or nobody signed in."""

    role: str  # admin | chair | author | anonymous
    user_id: int | None = None
    email: str | None = None
    invitation_id: str | None = None
    conference_id: str | None = None  # an author's one conference

    @property
    def actor(self) -> str:
        if self.role in ROLES:
            return f"{self.role}:{self.user_id}"
        if self.role == "author":
            return f"author:{self.invitation_id}"
        return "anonymous"


@dataclass(frozen=True)
class Session:
    id_hash: str
    csrf: str
    who: Who
    pending: dict[str, Any]


new_id = db.new_id


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def aware(when: dt.datetime | None) -> dt.datetime | None:
    """A time read back from the database, in UTC (SQLite gives it without its zone)."""
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


class Hosted:
    """The service over one database, with its settings, its clock and its mail."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or engine_for(settings.database, settings.database_pool)
        self.clock = clock or db.now
        self.mailer = mailer or mailer_for(settings)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone(_LONDON).date()

    # --- the audit log -------------------------------------------------------------------

    def audit(
        self,
        c: Connection,
        who: Who,
        action: str,
        conference_id: str | None = None,
        detail: str = "",
    ) -> None:
        c.execute(
            insert(db.audit).values(
                at=self.now(),
                actor=who.actor,
                action=action,
                conference_id=conference_id,
                detail=detail[:200],
            )
        )

    def audit_csv(self, who: Who) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "actor", "action", "conference", "detail"])
        with self.begin() as c:
            rows = c.execute(select(db.audit).order_by(db.audit.c.id)).all()
            self.audit(c, who, "export audit log")
        for row in rows:
            at = aware(row.at)
            writer.writerow(
                [
                    row.id,
                    at.isoformat(timespec="seconds") if at else "",
                    row.actor,
                    row.action,
                    row.conference_id or "",
                    _csv_safe(row.detail),
                ]
            )
        return out.getvalue()

    # --- staff -----------------------------------------------------------------------------

    def add_user(self, email: str, role: str) -> tuple[int, bool]:
        """The account for `email` with `role`, made or changed; (its id, whether it is new)."""
        email = normal_email(email)
        if role not in ROLES:
            raise HostedError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.begin() as c:
            row = c.execute(select(db.users).where(db.users.c.email == email)).first()
            if row is not None:
                c.execute(update(db.users).where(db.users.c.id == row.id).values(role=role))
                self.audit(c, Who("system"), "change staff role", detail=f"user {row.id}: {role}")
                return row.id, False
            result = c.execute(
                insert(db.users).values(email=email, role=role, created_at=self.now())
            )
            key = result.inserted_primary_key
            assert key is not None
            user_id = int(key[0])
            self.audit(c, Who("system"), "add staff", detail=f"user {user_id}: {role}")
            return user_id, True

    def staff_by_email(self, c: Connection, email: str) -> Row[Any] | None:
        return c.execute(select(db.users).where(db.users.c.email == normal_email(email))).first()

    # --- sessions --------------------------------------------------------------------------

    def new_session(self, c: Connection, who: Who | None = None, pending: Any = None) -> str:
        """A new session; the cookie's value (kept only as its hash here)."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        who = who or Who("anonymous")
        c.execute(
            insert(db.sessions).values(
                id_hash=digest(token),
                csrf=secrets.token_urlsafe(32),
                user_id=who.user_id,
                invitation_id=who.invitation_id,
                pending=json.dumps(pending or {}),
                created_at=now,
                seen_at=now,
            )
        )
        return token

    def session(self, c: Connection, token: str | None) -> Session | None:
        """The live session of the cookie's `token`, touched; None when there is none, or it
        has been idle too long (then it is deleted), or its account is gone."""
        if not token or len(token) > 100:
            return None
        row = c.execute(select(db.sessions).where(db.sessions.c.id_hash == digest(token))).first()
        if row is None:
            return None
        who = self._who(c, row)
        now = self.now()
        seen = aware(row.seen_at) or now
        if who is None or now - seen > dt.timedelta(minutes=self._idle_minutes(who)):
            c.execute(delete(db.sessions).where(db.sessions.c.id_hash == row.id_hash))
            return None
        if now - seen > dt.timedelta(seconds=30):  # not a write for every request
            c.execute(
                update(db.sessions).where(db.sessions.c.id_hash == row.id_hash).values(seen_at=now)
            )
        return Session(row.id_hash, row.csrf, who, json.loads(row.pending or "{}"))

    def _idle_minutes(self, who: Who) -> int:
        if who.role == "author":
            return self.settings.author_idle_minutes
        if who.role in ROLES:
            return self.settings.staff_idle_minutes
        return ANONYMOUS_MINUTES

    def _who(self, c: Connection, row: Row[Any]) -> Who | None:
        if row.user_id is not None:
            user = c.execute(select(db.users).where(db.users.c.id == row.user_id)).first()
            if user is None or user.role not in ROLES:
                return None
            return Who(user.role, user_id=user.id, email=user.email)
        if row.invitation_id is not None:
            invitation = self.invitation(c, row.invitation_id)
            if invitation is None or invitation.withdrawn_at is not None:
                return None
            return Who(
                "author",
                email=invitation.email,
                invitation_id=invitation.id,
                conference_id=invitation.conference_id,
            )
        return Who("anonymous")

    def set_pending(self, c: Connection, session: Session, pending: dict[str, Any]) -> None:
        c.execute(
            update(db.sessions)
            .where(db.sessions.c.id_hash == session.id_hash)
            .values(pending=json.dumps(pending))
        )

    def sign_in(self, c: Connection, session: Session | None, who: Who) -> str:
        """A new session for `who`, the old one ended: a session id is never carried across
        a sign-in (no fixation)."""
        if session is not None:
            c.execute(delete(db.sessions).where(db.sessions.c.id_hash == session.id_hash))
        token = self.new_session(c, who)
        self.audit(c, who, "sign in", who.conference_id)
        return token

    def sign_out(self, c: Connection, session: Session) -> None:
        c.execute(delete(db.sessions).where(db.sessions.c.id_hash == session.id_hash))
        self.audit(c, session.who, "sign out", session.who.conference_id)

    # --- codes -----------------------------------------------------------------------------

    def throttled(self, c: Connection, key: str, limit: int, minutes: int = 60) -> bool:
        """Whether `key` has been counted `limit` times in the last `minutes`; counts it
        when not."""
        since = self.now() - dt.timedelta(minutes=minutes)
        count = c.execute(
            select(func.count())
            .select_from(db.throttle)
            .where(and_(db.throttle.c.key == key, db.throttle.c.at > since))
        ).scalar_one()
        if count >= limit:
            return True
        c.execute(insert(db.throttle).values(key=key, at=self.now()))
        return False

    def new_code(self, c: Connection, subject: str, address: str, client: str) -> str | None:
        """A six-digit code for `subject`, earlier ones ended; None when the address or the
        client has asked too often."""
        if self.throttled(
            c, "address:" + digest(normal_email(address))[:40], self.settings.codes_per_address
        ):
            return None
        if self.throttled(c, "client:" + digest(client)[:40], self.settings.codes_per_client):
            return None
        now = self.now()
        c.execute(
            update(db.codes)
            .where(and_(db.codes.c.subject == subject, db.codes.c.used_at.is_(None)))
            .values(used_at=now)
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        c.execute(
            insert(db.codes).values(
                subject=subject,
                code_hash=digest(f"{subject}:{code}"),
                expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
                attempts=0,
            )
        )
        return code

    def take_code(self, c: Connection, subject: str, offered: str) -> bool:
        """True once, for the last code of `subject`, unexpired and tried fewer than
        CODE_ATTEMPTS times; every try counts."""
        row = c.execute(
            select(db.codes)
            .where(and_(db.codes.c.subject == subject, db.codes.c.used_at.is_(None)))
            .order_by(db.codes.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return False
        now = self.now()
        expires = aware(row.expires_at)
        if (expires is not None and now > expires) or row.attempts >= CODE_ATTEMPTS:
            c.execute(update(db.codes).where(db.codes.c.id == row.id).values(used_at=now))
            return False
        offered = "".join(offered.split())
        good = hmac.compare_digest(row.code_hash, digest(f"{subject}:{offered}"))
        c.execute(
            update(db.codes)
            .where(db.codes.c.id == row.id)
            .values(attempts=row.attempts + 1, used_at=now if good else None)
        )
        return good

    # --- conferences -----------------------------------------------------------------------

    def create_conference(
        self, who: Who, details: dict[str, Any], chair_email: str, source: dict[str, Any] | None
    ) -> str:
        """A conference from its `details` (the `conference`, `children` and `household` of
        an input); `source` is the earlier input or record its reports carry forward from."""
        conference = details.get("conference") or {}
        day = _date(conference.get("date"))
        if day is None:
            raise HostedError("give the conference's date")
        conference_id = new_id()
        stored = {**details}
        if source is not None:
            stored["source"] = source
        with self.begin() as c:
            c.execute(
                insert(db.conferences).values(
                    id=conference_id,
                    type=str(conference.get("type") or ""),
                    date=day,
                    last_date=day,
                    chair_email=normal_email(chair_email),
                    details=json.dumps(stored, default=_plain),
                    created_by=who.user_id,
                    created_at=self.now(),
                )
            )
            self.audit(c, who, "create conference", conference_id)
        return conference_id

    def conference(self, c: Connection, conference_id: str) -> Row[Any] | None:
        if not _plain_id(conference_id):
            return None
        return c.execute(select(db.conferences).where(db.conferences.c.id == conference_id)).first()

    def conferences(self, c: Connection, who: Who) -> list[Row[Any]]:
        query = select(db.conferences).order_by(db.conferences.c.date, db.conferences.c.id)
        if who.role == "chair":
            query = query.where(db.conferences.c.chair_email == who.email)
        elif who.role != "admin":
            return []
        return list(c.execute(query).all())

    def may_see_conference(self, who: Who, conference: Row[Any] | None) -> bool:
        if conference is None:
            return False
        if who.role == "admin":
            return True
        return who.role == "chair" and conference.chair_email == who.email

    # --- invitations -----------------------------------------------------------------------

    def invitation(self, c: Connection, invitation_id: str) -> Row[Any] | None:
        if not _plain_id(invitation_id):
            return None
        return c.execute(select(db.invitations).where(db.invitations.c.id == invitation_id)).first()

    def invitation_by_token(self, c: Connection, token: str) -> Row[Any] | None:
        if not token or len(token) > 100:
            return None
        return c.execute(
            select(db.invitations).where(db.invitations.c.token_hash == digest(token))
        ).first()

    def invitations(self, c: Connection, conference_id: str) -> list[Row[Any]]:
        return list(
            c.execute(
                select(db.invitations)
                .where(db.invitations.c.conference_id == conference_id)
                .order_by(db.invitations.c.created_at, db.invitations.c.agency, db.invitations.c.id)
            ).all()
        )

    def invite(
        self,
        who: Who,
        conference_id: str,
        email: str,
        agency: str,
        kind: str,
        due: dt.date | None,
    ) -> str:
        """An invitation for one agency's report, its draft pre-filled, and its mail sent;
        the invitation's id."""
        from sos_reports.hosted.store import initial_tree, write_draft

        email = normal_email(email)
        if kind not in REPORT_KINDS:
            raise HostedError("select the kind of report")
        agency = " ".join(agency.split())
        if not agency:
            raise HostedError("give the agency")
        token = secrets.token_urlsafe(32)
        with self.begin() as c:
            conference = self.conference(c, conference_id)
            if conference is None:
                raise HostedError("there is no such conference")
            details = json.loads(conference.details)
            due = due or self.due_date(conference)
            tree = initial_tree(details, kind, agency, email)
            draft_id = write_draft(self, c, conference_id, kind, tree, None)
            invitation_id = new_id()
            c.execute(
                insert(db.invitations).values(
                    id=invitation_id,
                    conference_id=conference_id,
                    email=email,
                    agency=agency,
                    kind=kind,
                    due=due,
                    token_hash=digest(token),
                    draft_id=draft_id,
                    created_at=self.now(),
                )
            )
            self.audit(
                c, who, "invite author", conference_id, f"invitation {invitation_id}: {kind}"
            )
        self.mailer.send(
            email,
            "A report is requested for a child protection conference",
            invitation_text(self.settings.base_url, token, due),
        )
        return invitation_id

    def due_date(self, conference: Row[Any]) -> dt.date:
        from sos_reports.support.deadlines import DueDays

        due_days = DueDays.parse(self.settings.due_days) if self.settings.due_days else DueDays()
        return due_days.due(conference.type or "initial", conference.date)[1]

    def remind(self, who: Who, conference_id: str, invitation_id: str) -> None:
        token = secrets.token_urlsafe(32)
        with self.begin() as c:
            invitation = self._own_invitation(c, conference_id, invitation_id)
            if invitation.sent_at is not None or invitation.withdrawn_at is not None:
                raise HostedError("only a report not yet sent can be reminded")
            # A reminder carries a new link; the old one stops working.
            c.execute(
                update(db.invitations)
                .where(db.invitations.c.id == invitation.id)
                .values(token_hash=digest(token), reminded_at=self.now())
            )
            self.audit(c, who, "remind author", conference_id, f"invitation {invitation.id}")
        self.mailer.send(
            invitation.email,
            "Reminder: a report is requested for a child protection conference",
            invitation_text(self.settings.base_url, token, invitation.due, reminder=True),
        )

    def withdraw(self, who: Who, conference_id: str, invitation_id: str) -> None:
        with self.begin() as c:
            invitation = self._own_invitation(c, conference_id, invitation_id)
            c.execute(
                update(db.invitations)
                .where(db.invitations.c.id == invitation.id)
                .values(withdrawn_at=self.now(), token_hash=digest(secrets.token_urlsafe(32)))
            )
            c.execute(delete(db.sessions).where(db.sessions.c.invitation_id == invitation.id))
            self.audit(c, who, "withdraw invitation", conference_id, f"invitation {invitation.id}")

    def reopen(self, who: Who, conference_id: str, invitation_id: str) -> None:
        with self.begin() as c:
            invitation = self._own_invitation(c, conference_id, invitation_id)
            if invitation.sent_at is None:
                raise HostedError("only a sent report can be reopened")
            c.execute(
                update(db.invitations)
                .where(db.invitations.c.id == invitation.id)
                .values(sent_at=None)
            )
            c.execute(delete(db.documents).where(db.documents.c.invitation_id == invitation.id))
            self.audit(c, who, "reopen report", conference_id, f"invitation {invitation.id}")

    def _own_invitation(self, c: Connection, conference_id: str, invitation_id: str) -> Row[Any]:
        invitation = self.invitation(c, invitation_id)
        if invitation is None or invitation.conference_id != conference_id:
            raise HostedError("there is no such invitation")
        return invitation

    def status(self, invitation: Row[Any]) -> str:
        """Where a report stands, for the administrator's table."""
        if invitation.withdrawn_at is not None:
            return "Withdrawn"
        if invitation.sent_at is not None:
            sent = aware(invitation.sent_at)
            late = sent is not None and sent.astimezone(_LONDON).date() > invitation.due
            shared = {True: ", shared with the family", False: ", not shared with the family"}
            return ("Sent late" if late else "Sent") + shared.get(invitation.shared_with_family, "")
        started = "In progress" if invitation.started_at is not None else "Not started"
        if self.today() > invitation.due:
            return f"Late ({started.lower()})"
        return started

    # --- sending, and the chair's documents ------------------------------------------------

    def send(self, who: Who, invitation_id: str) -> None:
        """The author's report sent to the chair: its documents made and kept, the annex
        encrypted or not kept; the author can no longer open it."""
        from sos_reports.commands.reports import documents
        from sos_reports.hosted.store import read_draft

        with self.begin() as c:
            invitation = self.invitation(c, invitation_id)
            if invitation is None or invitation.sent_at is not None:
                raise HostedError("this report has been sent already")
            draft = read_draft(self, c, invitation.draft_id)
            model = draft.checked.valid_model()
            report, annex = documents(model)
            now = self.now()
            c.execute(
                insert(db.documents).values(
                    invitation_id=invitation.id,
                    what="report",
                    data=report,
                    encrypted=False,
                    created_at=now,
                )
            )
            if annex is not None and not self.settings.no_annex_storage:
                data, encrypted = self.seal(annex)
                c.execute(
                    insert(db.documents).values(
                        invitation_id=invitation.id,
                        what="annex",
                        data=data,
                        encrypted=encrypted,
                        created_at=now,
                    )
                )
            sharing = getattr(model, "sharing", None)
            c.execute(
                update(db.invitations)
                .where(db.invitations.c.id == invitation.id)
                .values(sent_at=now, shared_with_family=getattr(sharing, "shared", None))
            )
            conference = self.conference(c, invitation.conference_id)
            self.audit(
                c, who, "send report", invitation.conference_id, f"invitation {invitation.id}"
            )
        if conference is not None:
            self.mailer.send(
                conference.chair_email,
                "A conference report has been sent to you",
                "An agency has sent its report for a child protection conference you chair. "
                f"Sign in to read it: {self.settings.base_url}/chair\n",
            )

    def seal(self, data: bytes) -> tuple[bytes, bool]:
        if not self.settings.annex_key:
            return data, False
        from cryptography.fernet import Fernet

        return Fernet(self.settings.annex_key.encode()).encrypt(data), True

    def unseal(self, data: bytes, encrypted: bool) -> bytes:
        if not encrypted:
            return data
        from cryptography.fernet import Fernet, InvalidToken

        if not self.settings.annex_key:
            raise HostedError("the annex is encrypted and the service has no key to open it")
        try:
            return Fernet(self.settings.annex_key.encode()).decrypt(data)
        except InvalidToken:
            raise HostedError("the annex cannot be opened with the service's key") from None

    def document(self, c: Connection, invitation_id: str, what: str) -> bytes | None:
        row = c.execute(
            select(db.documents).where(
                and_(db.documents.c.invitation_id == invitation_id, db.documents.c.what == what)
            )
        ).first()
        if row is None:
            return None
        return self.unseal(row.data, row.encrypted)

    def sent_texts(self, c: Connection, conference_id: str) -> list[tuple[Row[Any], str]]:
        """The sent reports' inputs, as the YAML `fill` and `merge` read."""
        from sos_reports.hosted.store import draft_text

        sent = [
            i
            for i in self.invitations(c, conference_id)
            if i.sent_at is not None and i.withdrawn_at is None
        ]
        # In the order they reached the chair, as the map lists them.
        sent.sort(key=lambda i: (aware(i.sent_at), i.agency.casefold()))
        return [(i, draft_text(self, c, i.draft_id)) for i in sent]

    @contextmanager
    def sent_folder(self, c: Connection, conference_id: str) -> Iterator[list[Path]]:
        """The sent reports as input files in a private folder that is deleted after use:
        `merge` and `new record --from` read them as they read any input."""
        with tempfile.TemporaryDirectory(prefix="sos-reports-host-") as folder:
            paths = []
            for number, (invitation, text) in enumerate(self.sent_texts(c, conference_id), 1):
                path = Path(folder) / f"{number:03d}-{invitation.kind}.yaml"
                path.write_text(text, "utf-8")
                paths.append(path)
            yield paths

    def conference_map(self, who: Who, conference_id: str) -> bytes:
        from sos_reports.commands.merge import merge

        with self.begin() as c, self.sent_folder(c, conference_id) as paths:
            if not paths:
                raise HostedError("no agency has sent its report yet")
            out = paths[0].parent / "map.docx"
            merge(paths, out)
            data = out.read_bytes()
            self.audit(c, who, "download map", conference_id)
        return data

    def start_record(self, who: Who, conference_id: str) -> str:
        """The conference record's draft, started from the sent reports (once); its id."""
        from sos_reports.commands.record import record_from
        from sos_reports.hosted.store import write_draft

        with self.begin() as c:
            row = c.execute(
                select(db.records).where(db.records.c.conference_id == conference_id)
            ).first()
            if row is not None:
                return str(row.draft_id)
            with self.sent_folder(c, conference_id) as paths:
                if not paths:
                    raise HostedError("no agency has sent its report yet")
                tree = record_from(paths)
            draft_id = write_draft(self, c, conference_id, "record", tree, None)
            c.execute(insert(db.records).values(conference_id=conference_id, draft_id=draft_id))
            self.audit(c, who, "start record", conference_id)
            return draft_id

    def record_of(self, c: Connection, conference_id: str) -> str | None:
        row = c.execute(
            select(db.records).where(db.records.c.conference_id == conference_id)
        ).first()
        return str(row.draft_id) if row is not None else None

    # --- retention -------------------------------------------------------------------------

    def purge(
        self, older_than_days: int, *, dry_run: bool = False
    ) -> list[tuple[str, dt.date, int]]:
        """The conferences whose last date is more than `older_than_days` days ago, deleted
        with their drafts, invitations, documents and sessions (unless `dry_run`): (id, last
        date, number of reports) of each."""
        cutoff = self.today() - dt.timedelta(days=older_than_days)
        found = []
        with self.begin() as c:
            old = c.execute(select(db.conferences).where(db.conferences.c.last_date < cutoff)).all()
            for conference in old:
                invitations = self.invitations(c, conference.id)
                found.append((conference.id, conference.last_date, len(invitations)))
                if dry_run:
                    continue
                ids = [i.id for i in invitations]
                if ids:
                    c.execute(delete(db.sessions).where(db.sessions.c.invitation_id.in_(ids)))
                    c.execute(delete(db.documents).where(db.documents.c.invitation_id.in_(ids)))
                    c.execute(delete(db.invitations).where(db.invitations.c.id.in_(ids)))
                c.execute(delete(db.records).where(db.records.c.conference_id == conference.id))
                c.execute(delete(db.drafts).where(db.drafts.c.conference_id == conference.id))
                c.execute(delete(db.conferences).where(db.conferences.c.id == conference.id))
                self.audit(
                    c,
                    Who("system"),
                    "purge conference",
                    conference.id,
                    f"last date {conference.last_date.isoformat()}, {len(ids)} reports",
                )
            # Ended sessions, used codes and old throttle rows go too: they hold no case data.
            if not dry_run:
                c.execute(delete(db.codes).where(db.codes.c.expires_at < self.now()))
                c.execute(
                    delete(db.throttle).where(db.throttle.c.at < self.now() - dt.timedelta(days=1))
                )
        return found


def invitation_text(base_url: str, token: str, due: dt.date, *, reminder: bool = False) -> str:
    """The invitation's words: that a report is requested, and by when; nothing about the
    family, the conference or the children."""
    from sos_reports.support.formatting import long_date

    first = (
        "This is a reminder that a report is requested from you"
        if reminder
        else "A report is requested from you"
    )
    return (
        f"{first} for a child protection conference.\n\n"
        f"Please send it by {long_date(due)}.\n\n"
        f"Open this link to write it: {base_url}/invite/{token}\n\n"
        "You will be sent a code to this address to sign in. If you were not expecting this, "
        "you can ignore this e-mail.\n"
    )


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        raise HostedError(f"{email or 'an empty address'} is not an e-mail address")
    return email


def _plain_id(value: str) -> bool:
    return len(value) == db.ID and all(ch in "0123456789abcdef" for ch in value)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _csv_safe(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


try:
    from zoneinfo import ZoneInfo

    _LONDON: dt.tzinfo = ZoneInfo("Europe/London")
except Exception:  # no time-zone data on the machine
    _LONDON = dt.UTC
