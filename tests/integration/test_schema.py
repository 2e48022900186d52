"""The Alembic revision and watcher/storage/tables.py describe the same schema."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from watcher.storage import Database
from watcher.storage.tables import metadata


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_database_matches_the_table_definitions(database: Database) -> None:
    async with database.engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []
