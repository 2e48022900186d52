"""Delivery history for `watcher alerts`: what was sent, what waits, what failed, and retry
(alerts and source health notices alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import translate_errors
from watcher.storage.deliveries import FAILED, PENDING, SENT
from watcher.storage.tables import UTCDateTime, alerts, deliveries, notices

STATUSES = (PENDING, SENT, FAILED)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One delivery of one alert (or notice) to one notifier, as `watcher alerts` shows it."""

    id: int
    alert_id: str | None  # None for a notice
    notifier: str
    status: str
    attempts: int
    digest: bool
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    title: str  # an alert's title; empty for a notice
    source: str
    detected_at: datetime
    notice: str | None = None  # a notice's kind: "source_failing" or "source_recovered"


class DeliveryHistory:
    """Read and reset deliveries by hand."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def counts(self) -> dict[str, dict[str, int]]:
        """notifier → status → how many."""
        query = select(deliveries.c.notifier, deliveries.c.status, func.count()).group_by(
            deliveries.c.notifier, deliveries.c.status
        )
        found: dict[str, dict[str, int]] = {}
        async with translate_errors("counting deliveries"), self._engine.connect() as conn:
            for notifier, status, count in (await conn.execute(query)).all():
                found.setdefault(notifier, dict.fromkeys(STATUSES, 0))[status] = int(count)
        return found

    async def recent(
        self, status: str, *, notifier: str | None = None, limit: int = 20
    ) -> list[DeliveryRecord]:
        """The latest deliveries in `status` (of one notifier, if named), newest first."""
        conditions = [deliveries.c.status == status]
        if notifier is not None:
            conditions.append(deliveries.c.notifier == notifier)
        detected_at = func.coalesce(alerts.c.created_at, notices.c.created_at, type_=UTCDateTime())
        query = (
            select(
                deliveries,
                func.coalesce(alerts.c.title, "").label("title"),
                func.coalesce(alerts.c.source, notices.c.source).label("source"),
                detected_at.label("detected_at"),
                notices.c.kind.label("notice"),
            )
            .outerjoin(alerts, alerts.c.id == deliveries.c.alert_id)
            .outerjoin(notices, notices.c.id == deliveries.c.notice_id)
            .where(and_(*conditions))
            .order_by(detected_at.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        async with translate_errors("reading deliveries"), self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_record(row) for row in rows]

    async def retry(self, ident: str, now: datetime) -> int:
        """Make a failed or pending delivery (number) or every one of an alert or notice (id)
        due now.

        The give-up window starts again, so a retried delivery gets its full back-off.
        """
        match = or_(deliveries.c.alert_id == ident, deliveries.c.notice_id == ident)
        if ident.lstrip("#").isdigit():
            match = deliveries.c.id == int(ident.lstrip("#"))
        stmt = (
            update(deliveries)
            .where(and_(match, deliveries.c.status.in_([FAILED, PENDING])))
            .values(
                status=PENDING,
                next_attempt_at=now,
                created_at=now,
                claimed_until=None,
                claimed_by=None,
            )
        )
        async with translate_errors("retrying deliveries"), self._engine.begin() as conn:
            return int((await conn.execute(stmt)).rowcount)


def _record(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        alert_id=row.alert_id,
        notifier=row.notifier,
        status=row.status,
        attempts=row.attempts,
        digest=bool(row.digest),
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
        title=row.title,
        source=row.source,
        detected_at=row.detected_at,
        notice=row.notice,
    )
