"""Makes or brings up to date the hosted service's database, by its Alembic migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from sos_reports.errors import SosError
from sos_reports.hosted.db import engine_for
from sos_reports.hosted.settings import sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(SosError):
    """The database cannot be reached or used; says which and why, never with its password."""


def shown_url(url: str) -> str:
    """The database's address as a message may show it: without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database"


def _config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> tuple[str | None, str]:
    """Run every migration not yet run; (the revision before, the revision now)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    path = sqlite_path(url)
    if path is not None and not path.parent.exists():
        raise DatabaseError(f"{path.parent}: there is no such folder for the database")
    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            config = _config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot use the database {shown_url(url)}: {_reason(exc)}") from None
    finally:
        engine.dispose()
    return before, after or ""


def current(url: str) -> str | None:
    """The database's revision, or None when it was never made."""
    from alembic.runtime.migration import MigrationContext

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot use the database {shown_url(url)}: {_reason(exc)}") from None
    finally:
        engine.dispose()


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head() or ""


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
