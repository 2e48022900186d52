"""Retention: prune old history, stale items, finished alerts and notices by `keep`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import translate_errors
from watcher.storage.tables import (
    alerts,
    baseline_documents,
    deliveries,
    item_sentences,
    items,
    notices,
)

_PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Pruned:
    """How many rows one retention round removed."""

    items: int = 0
    sentences: int = 0
    alerts: int = 0
    deliveries: int = 0
    documents: int = 0
    notices: int = 0

    @property
    def total(self) -> int:
        """Every row removed."""
        return (
            self.items
            + self.sentences
            + self.alerts
            + self.deliveries
            + self.documents
            + self.notices
        )


class RetentionStore:
    """Deletes what is older than a cutoff; never an alert that still waits to be delivered."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def prune(self, cutoff: datetime, sources: Collection[str]) -> Pruned:
        """Remove what `cutoff` has made history, keeping all that change detection needs.

        - sentences an item stopped saying before `cutoff` (removed text that returns later
          counts as new again);
        - items of sources no longer in `sources`, unseen since `cutoff` (an unchanged page
          is not rewritten, so a configured source's items stay however old they are), and
          their deferred baseline documents on the same terms;
        - alerts and notices created before `cutoff` whose every delivery is sent or given up.
        """
        gone = select(items.c.id).where(
            and_(items.c.last_seen_at < cutoff, items.c.source.not_in(list(sources)))
        )
        said_before = select(items.c.last_seen_at).where(items.c.id == item_sentences.c.item_id)
        # An alias, so the subquery is never correlated to the DELETE FROM deliveries below.
        waiting = deliveries.alias("waiting")
        unfinished = exists().where(
            and_(waiting.c.alert_id == alerts.c.id, waiting.c.status == _PENDING)
        )
        finished = select(alerts.c.id).where(and_(alerts.c.created_at < cutoff, ~unfinished))
        notice_waits = exists().where(
            and_(waiting.c.notice_id == notices.c.id, waiting.c.status == _PENDING)
        )
        old_notice = and_(notices.c.created_at < cutoff, ~notice_waits)
        async with translate_errors("pruning old records"), self._engine.begin() as conn:
            # Sentences first: SQLite enforces the cascade only with foreign keys on.
            removed = and_(
                item_sentences.c.last_seen_at < cutoff,
                item_sentences.c.last_seen_at < said_before.scalar_subquery(),
            )
            sentences = await conn.execute(
                delete(item_sentences).where(removed | item_sentences.c.item_id.in_(gone))
            )
            dropped_items = await conn.execute(delete(items).where(items.c.id.in_(gone)))
            dropped_documents = await conn.execute(
                delete(baseline_documents).where(
                    and_(
                        baseline_documents.c.fetched_at < cutoff,
                        baseline_documents.c.source.not_in(list(sources)),
                    )
                )
            )
            dropped_deliveries = await conn.execute(
                delete(deliveries).where(deliveries.c.alert_id.in_(finished))
            )
            dropped_alerts = await conn.execute(
                delete(alerts).where(and_(alerts.c.created_at < cutoff, ~unfinished))
            )
            notice_deliveries = await conn.execute(
                delete(deliveries).where(
                    deliveries.c.notice_id.in_(select(notices.c.id).where(old_notice))
                )
            )
            dropped_notices = await conn.execute(delete(notices).where(old_notice))
        return Pruned(
            items=dropped_items.rowcount,
            sentences=sentences.rowcount,
            alerts=dropped_alerts.rowcount,
            deliveries=dropped_deliveries.rowcount + notice_deliveries.rowcount,
            documents=dropped_documents.rowcount,
            notices=dropped_notices.rowcount,
        )
