"""Queries for the outbox: claim due deliveries, record each attempt's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from watcher.models import Alert, Sighting
from watcher.notices import Notice
from watcher.storage.database import translate_errors
from watcher.storage.records import DueDelivery, DueNotice
from watcher.storage.tables import alerts, deliveries, notices

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """How many deliveries are in each state."""

    pending: int
    sent: int
    failed: int


def alert_from_row(row: Any) -> Alert:
    """An Alert from an `alerts` row."""
    return Alert(
        id=row.id,
        topics=tuple(row.topics),
        source=row.source,
        url=row.url,
        title=row.title,
        kind=row.kind,
        excerpt=row.excerpt,
        detected_at=row.created_at,
        also_seen=tuple(Sighting(source=s["source"], url=s["url"]) for s in row.also_seen),
        highlights=tuple((int(span[0]), int(span[1])) for span in row.highlights),
    )


class DeliveryStore:
    """The delivery side of the outbox."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim_due(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 100
    ) -> list[DueDelivery]:
        """Claim up to `limit` due alert deliveries that no live owner has claimed.

        A claim expires after `lease`, so a process killed mid-send leaves its deliveries to be
        retried: a crash can repeat a send, never drop one.
        """
        async with translate_errors("claiming deliveries"), self._engine.begin() as conn:
            ids = await _claim(conn, deliveries.c.alert_id, now, owner, lease, limit)
            if not ids:
                return []
            query = (
                select(deliveries, alerts)
                .join(alerts, alerts.c.id == deliveries.c.alert_id)
                .where(and_(deliveries.c.id.in_(ids), deliveries.c.claimed_by == owner))
                .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            )
            rows = (await conn.execute(query)).all()
        return [_due(row) for row in rows]

    async def claim_due_notices(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 100
    ) -> list[DueNotice]:
        """claim_due() for the deliveries of source health notices."""
        async with translate_errors("claiming notices"), self._engine.begin() as conn:
            ids = await _claim(conn, deliveries.c.notice_id, now, owner, lease, limit)
            if not ids:
                return []
            query = (
                select(
                    deliveries.c.id,
                    deliveries.c.notifier,
                    deliveries.c.attempts,
                    deliveries.c.created_at,
                    notices.c.kind,
                    notices.c.source,
                    notices.c.url,
                    notices.c.failures,
                    notices.c.error,
                    notices.c.created_at.label("at"),
                )
                .join(notices, notices.c.id == deliveries.c.notice_id)
                .where(and_(deliveries.c.id.in_(ids), deliveries.c.claimed_by == owner))
                .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            )
            rows = (await conn.execute(query)).all()
        return [_due_notice(row) for row in rows]

    async def mark_sent(self, delivery_id: int, at: datetime) -> None:
        """Record a successful send."""
        await self._finish(delivery_id, status=SENT, sent_at=at, last_error=None)

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Record that the delivery is given up."""
        await self._finish(delivery_id, status=FAILED, last_error=error[:2000])

    async def mark_retry(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        """Record a failed attempt and when to try again."""
        await self._finish(
            delivery_id, status=PENDING, last_error=error[:2000], next_attempt_at=next_attempt_at
        )

    async def mark_sent_many(self, delivery_ids: Sequence[int], at: datetime) -> None:
        """Record that one message (a digest) delivered all of these, in one transaction."""
        await self._finish_many(delivery_ids, status=SENT, sent_at=at, last_error=None)

    async def defer_to_digest(self, delivery_ids: Sequence[int], at: datetime) -> None:
        """Make claimed deliveries wait for the digest sent at `at`.

        Their give-up window (`created_at`) starts at `at`: a daily digest must not use up
        a day of retries while it waits.
        """
        stmt = (
            update(deliveries)
            .where(deliveries.c.id.in_(list(delivery_ids)))
            .values(
                digest=True, next_attempt_at=at, created_at=at, claimed_until=None, claimed_by=None
            )
        )
        async with translate_errors("deferring deliveries"), self._engine.begin() as conn:
            await conn.execute(stmt)

    async def sent_since(self, notifier: str, since: datetime) -> int:
        """How many single (not digest) messages `notifier` sent since `since`."""
        query = select(func.count()).where(
            deliveries.c.notifier == notifier,
            deliveries.c.status == SENT,
            deliveries.c.digest.is_(False),
            deliveries.c.alert_id.is_not(None),  # health notices are not rate-limited
            deliveries.c.sent_at >= since,
        )
        async with translate_errors("counting sent deliveries"), self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def claim_owners(self, now: datetime) -> list[str]:
        """Who holds live claims now."""
        query = (
            select(deliveries.c.claimed_by)
            .where(deliveries.c.claimed_until >= now, deliveries.c.claimed_by.is_not(None))
            .distinct()
        )
        async with translate_errors("reading claims"), self._engine.connect() as conn:
            return [str(owner) for owner in (await conn.execute(query)).scalars()]

    async def release_claims(self, owner: str) -> int:
        """Free the claims of an owner known to be gone (a killed process); returns how many."""
        stmt = (
            update(deliveries)
            .where(deliveries.c.claimed_by == owner, deliveries.c.status == PENDING)
            .values(claimed_until=None, claimed_by=None)
        )
        async with translate_errors("releasing claims"), self._engine.begin() as conn:
            return int((await conn.execute(stmt)).rowcount)

    async def postpone(self, delivery_id: int, next_attempt_at: datetime) -> None:
        """Give a claimed delivery back untried, due again at `next_attempt_at`."""
        stmt = (
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(claimed_until=None, claimed_by=None, next_attempt_at=next_attempt_at)
        )
        async with translate_errors("releasing a delivery"), self._engine.begin() as conn:
            await conn.execute(stmt)

    async def counts(self) -> DeliveryCounts:
        """Deliveries by state."""
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        async with translate_errors("counting deliveries"), self._engine.connect() as conn:
            by_status = {row[0]: int(row[1]) for row in (await conn.execute(query)).all()}
        return DeliveryCounts(
            pending=by_status.get(PENDING, 0),
            sent=by_status.get(SENT, 0),
            failed=by_status.get(FAILED, 0),
        )

    async def statuses(self, alert_ids: Sequence[str]) -> dict[tuple[str, str], str]:
        """(alert id, notifier) → status, for the given alerts."""
        query = select(deliveries.c.alert_id, deliveries.c.notifier, deliveries.c.status).where(
            deliveries.c.alert_id.in_(list(alert_ids))
        )
        async with translate_errors("reading deliveries"), self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(row.alert_id, row.notifier): row.status for row in rows}

    async def _finish(self, delivery_id: int, **values: Any) -> None:
        await self._finish_many([delivery_id], **values)

    async def _finish_many(self, delivery_ids: Sequence[int], **values: Any) -> None:
        stmt = (
            update(deliveries)
            .where(deliveries.c.id.in_(list(delivery_ids)))
            .values(
                attempts=deliveries.c.attempts + 1, claimed_until=None, claimed_by=None, **values
            )
        )
        async with translate_errors("recording a delivery"), self._engine.begin() as conn:
            await conn.execute(stmt)


async def _claim(
    conn: AsyncConnection,
    subject: Column[str],
    now: datetime,
    owner: str,
    lease: timedelta,
    limit: int,
) -> list[int]:
    """Claim up to `limit` due deliveries whose `subject` (alert_id or notice_id) is set."""
    due = and_(
        deliveries.c.status == PENDING,
        deliveries.c.next_attempt_at <= now,
        or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
    )
    pick = (
        select(deliveries.c.id)
        .where(and_(due, subject.is_not(None)))
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await conn.execute(pick)).scalars())
    if ids:
        await conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id.in_(ids), due))
            .values(claimed_until=now + lease, claimed_by=owner)
        )
    return ids


def _due_notice(row: Any) -> DueNotice:
    return DueNotice(
        id=row.id,
        notifier=row.notifier,
        attempts=row.attempts,
        created_at=row.created_at,
        notice=Notice(row.kind, row.source, row.url, row.failures, row.error, row.at),
    )


def _due(row: Any) -> DueDelivery:
    mapping = row._mapping
    alert_row = _AlertRow(mapping)
    return DueDelivery(
        id=mapping[deliveries.c.id],
        notifier=mapping[deliveries.c.notifier],
        attempts=mapping[deliveries.c.attempts],
        created_at=mapping[deliveries.c.created_at],
        alert=alert_from_row(alert_row),
        digest=bool(mapping[deliveries.c.digest]),
    )


class _AlertRow:
    """Attribute access to the alert columns of a joined row (both tables have `id`)."""

    def __init__(self, mapping: Any) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        return self._mapping[alerts.c[name]]
