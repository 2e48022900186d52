"""Writes batched across the sources of a cycle: one transaction for many checks.

A check cycle of thousands of sources must not pay a transaction (and a thread hop per
statement on SQLite) for every source. Unchanged sources only touch their state row, many
in one executemany; changed ones are committed in groups, deduplicated against the stories
stored so far and against each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import translate_errors
from watcher.storage.records import CheckWrite, StoredStory
from watcher.storage.snapshots import STORY_LOCK, SnapshotStore
from watcher.storage.tables import source_state

Build = Callable[[list[StoredStory]], CheckWrite]


@dataclass(frozen=True, slots=True)
class UnchangedWrite:
    """A successful check that found nothing new: only its state row changes."""

    source: str
    checked_at: datetime
    etag: str | None
    last_modified: str | None
    content_hash: str | None


class CycleStore:
    """Batched writes of a check cycle."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record_unchanged(self, writes: Sequence[UnchangedWrite]) -> None:
        """Record many unchanged checks (of baselined sources) in one statement."""
        if not writes:
            return
        statement = (
            update(source_state)
            .where(source_state.c.name == bindparam("b_source"))
            .values(
                etag=bindparam("b_etag"),
                last_modified=bindparam("b_last_modified"),
                content_hash=bindparam("b_content_hash"),
                last_check_at=bindparam("b_at"),
                last_success_at=bindparam("b_at"),
                last_error=None,
                failure_streak=0,
            )
        )
        rows = [
            {
                "b_source": w.source,
                "b_etag": w.etag,
                "b_last_modified": w.last_modified,
                "b_content_hash": w.content_hash,
                "b_at": w.checked_at,
            }
            for w in writes
        ]
        async with translate_errors("recording checks"), self._engine.begin() as conn:
            await conn.execute(statement, rows)

    async def commit_group(self, since: datetime, builds: Sequence[Build]) -> None:
        """Commit several checks in one transaction, each deduplicated against the stories
        alerted since `since` and those the checks before it in the group alerted."""
        if not builds:
            return
        async with translate_errors("recording checks"), self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Serialises read-decide-write with other processes, as commit_deduplicated.
                await conn.execute(select(func.pg_advisory_xact_lock(STORY_LOCK)))
            stories = await SnapshotStore._recent_stories(conn, since)
            writes: list[CheckWrite] = []
            for build in builds:
                write = build(list(stories))
                writes.append(write)
                stories.extend(_stories_of(write))
            await SnapshotStore._write_checks(conn, writes)


def _stories_of(write: CheckWrite) -> list[StoredStory]:
    return [
        StoredStory(
            alert_id=a.alert.id,
            source=a.alert.source,
            url=a.alert.url,
            kind=a.alert.kind,
            topics=tuple(a.alert.topics),
            story=tuple(a.story),
        )
        for a in write.alerts
    ]
