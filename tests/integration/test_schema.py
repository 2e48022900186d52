"""The Alembic revision and watcher/storage/tables.py describe the same schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import watcher.storage.database as database_module
from watcher.storage import Database
from watcher.storage.database import HEAD_REVISION
from watcher.storage.tables import metadata


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_database_matches_the_table_definitions(database: Database) -> None:
    async with database.engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


def test_head_revision_is_alembic_head() -> None:
    # database.HEAD_REVISION lets an up-to-date database skip Alembic: it must name the head.
    config = AlembicConfig()
    config.set_main_option(
        "script_location", str(Path(database_module.__file__).parent / "migrations")
    )
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_an_up_to_date_database_opens_without_alembic(database_url: str) -> None:
    program = (
        "import asyncio, sys\n"
        "from watcher.storage import open_database\n"
        "async def main():\n"
        "    db = await open_database(sys.argv[1])\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    run = [sys.executable, "-c", program, database_url]
    first = subprocess.run(run, capture_output=True, text=True, check=True, timeout=60)
    again = subprocess.run(run, capture_output=True, text=True, check=True, timeout=60)
    assert first.stdout.strip() == "True", "a new database is migrated by Alembic"
    assert again.stdout.strip() == "False", "an up-to-date one is only read"
