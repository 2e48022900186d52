"""Fixtures shared by every tier: databases (SQLite and PostgreSQL), a local site, receivers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.storage import Database, open_database

POSTGRES_SERVER = os.environ.get("WATCHER_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_SERVER, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server the suite runs against (CI always has it)."""
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_SERVER}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_SERVER} (set WATCHER_TEST_POSTGRES)")
    return POSTGRES_SERVER


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, private schema on the test PostgreSQL; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = postgres_server.replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}?options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'watcher.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """An open, migrated database of either kind."""
    db = await open_database(database_url)
    yield db
    await db.close()


@pytest.fixture
def site() -> Iterator[Site]:
    """A real HTTP server on 127.0.0.1 whose pages a test rewrites between checks."""
    with Site() as server:
        yield server


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP server on 127.0.0.1 that records the webhooks it receives."""
    with WebhookReceiver() as receiver:
        yield receiver
