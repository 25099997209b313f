"""The hosted service's database: every table, and the engine, through SQLAlchemy.

Nothing is kept in the process: drafts, sessions, codes, invitations, documents and the audit
log are rows here, so that any worker on any machine can answer any request. The schema is
made and changed only by the Alembic migrations beside this file (`host init`); these tables
are what the code reads and writes, and a test holds the two to be the same.

Family details are only in a conference's `details`, a draft's `text` and `secret`, and the
documents: never in an id, an e-mail address's row, a session or the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

# Ids are random, 20 hexadecimal digits: they say nothing, and cannot be guessed.
ID = 20

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(10), nullable=False),  # admin | chair
    Column("created_at", DateTime(timezone=True), nullable=False),
)

conferences = Table(
    "conferences",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("type", String(20), nullable=False),  # the input's conference type
    Column("date", Date, nullable=False),
    # The last date the conference's data is needed for: its date, or a later review's.
    Column("last_date", Date, nullable=False),
    Column("chair_email", String(320), nullable=False),
    # The conference, children and household as an input holds them (JSON).
    Column("details", Text, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column(
        "conference_id",
        String(ID),
        ForeignKey("conferences.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(20), nullable=False),
    # The draft as the YAML input that `validate` and `fill` read, without its
    # confidential part when that is kept encrypted (in `secret`).
    Column("text", Text, nullable=False),
    Column("secret", LargeBinary, nullable=True),
    Column("revision", Integer, nullable=False, default=1),
    # The sections saved from their page, and whether check your answers was opened (JSON).
    Column("marks", Text, nullable=False, default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column(
        "conference_id",
        String(ID),
        ForeignKey("conferences.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("email", String(320), nullable=False),
    Column("agency", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # icpc | rcpc | medical
    Column("due", Date, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("draft_id", String(ID), ForeignKey("drafts.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("reminded_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("shared_with_family", Boolean, nullable=True),
)

# The chair's conference record, one per conference, opened on the board.
records = Table(
    "records",
    metadata,
    Column(
        "conference_id",
        String(ID),
        ForeignKey("conferences.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("draft_id", String(ID), ForeignKey("drafts.id"), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "invitation_id",
        String(ID),
        ForeignKey("invitations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("what", String(10), nullable=False),  # report | annex
    Column("data", LargeBinary, nullable=False),
    Column("encrypted", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    # The SHA-256 of the cookie's value: a copy of the database holds no usable session.
    Column("id_hash", String(64), primary_key=True),
    Column("csrf", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column(
        "invitation_id",
        String(ID),
        ForeignKey("invitations.id", ondelete="CASCADE"),
        nullable=True,
    ),
    # What a sign-in in progress keeps (the OpenID state and nonce, the address a code went
    # to), JSON; emptied as it is used.
    Column("pending", Text, nullable=False, default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Who the code signs in: `invitation:<id>` or, with the development sign-in, `staff:<id>`.
    Column("subject", String(64), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Index("codes_subject", "subject"),
)

# One row per attempt that is rate limited (a code asked for, a code tried), by what it is
# counted against: an address's hash or a client's.
throttle = Table(
    "throttle",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("throttle_key_at", "key", "at"),
)

# Append-only: the code inserts and reads, never updates or deletes (a purge is itself
# recorded); on PostgreSQL the first migration also makes the database refuse both.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),  # `admin:3`, `chair:4`, `author:<id>`, ...
    Column("action", String(40), nullable=False),
    Column("conference_id", String(ID), nullable=True),
    Column("detail", String(200), nullable=False, default=""),
)


def engine_for(url: str, pool: int = 40) -> Engine:
    """The engine for `url`: SQLite keeps foreign keys and waits for a writer, as PostgreSQL
    does by itself. A PostgreSQL engine keeps `pool` connections open, as many as the threads
    a worker answers requests in, so that a busy worker never opens and closes connections
    (each of which PostgreSQL starts a process for): a server needs `pool` times the
    workers, and a few more, in its max_connections."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_size=pool, max_overflow=0, pool_timeout=60, pool_recycle=600)


def new_id() -> str:
    return secrets.token_hex(ID // 2)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
