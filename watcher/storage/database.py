"""The engine: URL handling, SQLite pragmas, migrations on open, and error translation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from watcher.errors import StorageError

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x77617464  # the PostgreSQL advisory lock key that serialises migrations
# The newest revision in migrations/versions (a test checks it is Alembic's head). Every
# command opens the database; one that is up to date is not worth importing Alembic for
# (~80 ms of a `watcher check` that takes well under a second on a small config).
HEAD_REVISION = "0002"

# The user writes the ordinary URL; the daemon needs the asyncio driver of the same database.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg2": "postgresql+psycopg",
}


def async_url(url: str) -> str:
    """The asyncio-driver form of a database URL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"not a database URL: {mask_url(url)}") from exc
    driver = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def mask_url(url: str) -> str:
    """The URL with its password hidden, for logs and output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `watcher check` read while the daemon writes; busy_timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _revision(connection: Connection) -> str | None:
    """The schema's Alembic revision, None before the first migration."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def create_engine(url: str, **engine_options: Any) -> AsyncEngine:
    """An async engine for `url` (no I/O yet)."""
    target = async_url(url)
    try:
        engine = create_async_engine(target, **engine_options)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(f"cannot use database {mask_url(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    async with translate_errors("migrating the database"), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together must not race to create the schema: the lock is
            # held until this transaction (DDL included) commits.
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            await connection.execute(lock, {"key": MIGRATION_LOCK})
        if await connection.run_sync(_revision) != HEAD_REVISION:
            await connection.run_sync(_upgrade)


@asynccontextmanager
async def translate_errors(doing: str) -> AsyncIterator[None]:
    """Turn driver errors into StorageError that says what was being done."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(
            f"database error while {doing}: {exc.__class__.__name__}: {exc}"
        ) from exc
    except OSError as exc:
        raise StorageError(f"database unreachable while {doing}: {exc}") from exc


def insert_for(connection: AsyncConnection, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows ON CONFLICT for this connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
