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

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import insert_for, translate_errors
from watcher.storage.records import CheckWrite, DeferredWrite, StoredStory
from watcher.storage.snapshots import STORY_LOCK, SnapshotStore, ensure_sources, mark_succeeded
from watcher.storage.tables import baseline_documents

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
        async with translate_errors("recording checks"), self._engine.begin() as conn:
            await mark_succeeded(conn, writes)

    async def record_deferred(self, writes: Sequence[DeferredWrite]) -> None:
        """Record many deferred baselines: each source's state and its kept document."""
        if not writes:
            return
        async with translate_errors("recording baselines"), self._engine.begin() as conn:
            await ensure_sources(conn, [write.source for write in writes])
            keep = insert_for(conn, baseline_documents)
            keep = keep.on_conflict_do_update(
                index_elements=["source"],
                set_={
                    name: getattr(keep.excluded, name)
                    for name in ("content_type", "coding", "body", "fetched_at")
                },
            )
            rows = {
                write.source: {
                    "source": write.source,
                    "content_type": write.document.content_type,
                    "coding": write.document.coding,
                    "body": write.document.body,
                    "fetched_at": write.document.fetched_at,
                }
                for write in writes
            }
            await conn.execute(keep, list(rows.values()))
            await mark_succeeded(conn, writes)

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
