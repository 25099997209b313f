"""The hosted service's first schema: staff, conferences, drafts, invitations, records,
documents, sessions, codes, the throttle and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = 20
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "conferences",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("last_date", sa.Date, nullable=False),
        sa.Column("chair_email", sa.String(320), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column(
            "conference_id",
            sa.String(ID),
            sa.ForeignKey("conferences.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("secret", sa.LargeBinary, nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("marks", sa.Text, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column(
            "conference_id",
            sa.String(ID),
            sa.ForeignKey("conferences.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("draft_id", sa.String(ID), sa.ForeignKey("drafts.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("reminded_at", WHEN, nullable=True),
        sa.Column("withdrawn_at", WHEN, nullable=True),
        sa.Column("shared_with_family", sa.Boolean, nullable=True),
    )
    op.create_table(
        "records",
        sa.Column(
            "conference_id",
            sa.String(ID),
            sa.ForeignKey("conferences.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("draft_id", sa.String(ID), sa.ForeignKey("drafts.id"), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "invitation_id",
            sa.String(ID),
            sa.ForeignKey("invitations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("what", sa.String(10), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("encrypted", sa.Boolean, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "invitation_id",
            sa.String(ID),
            sa.ForeignKey("invitations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("pending", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
    )
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_index("codes_subject", "codes", ["subject"])
    op.create_table(
        "throttle",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("throttle_key_at", "throttle", ["key", "at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("conference_id", sa.String(ID), nullable=True),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The audit log is append-only in the database itself, not only in the code.
        op.execute(
            "CREATE FUNCTION sos_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER sos_audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION sos_audit_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sos_audit_no_{verb.lower()} BEFORE {verb} ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sos_audit_append_only ON audit")
        op.execute("DROP FUNCTION IF EXISTS sos_audit_append_only()")
    for table in (
        "audit",
        "throttle",
        "codes",
        "sessions",
        "documents",
        "records",
        "invitations",
        "drafts",
        "conferences",
        "users",
    ):
        op.drop_table(table)
