"""Read-only queries for operators: recent alerts (the Atom feed) and outbox depth."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.models import Alert
from watcher.storage.database import translate_errors
from watcher.storage.deliveries import alert_from_row
from watcher.storage.tables import alerts, deliveries

_PENDING = "pending"


class StatusStore:
    """What `watcher status`, /metrics and /alerts.atom show."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def recent_alerts(self, limit: int = 50) -> list[Alert]:
        """The newest alerts, newest first."""
        query = select(alerts).order_by(alerts.c.created_at.desc(), alerts.c.id).limit(limit)
        async with translate_errors("reading recent alerts"), self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [alert_from_row(row) for row in rows]

    async def outbox_depth(self) -> int:
        """Deliveries still waiting to be sent (pending, including those being retried)."""
        query = select(func.count()).select_from(deliveries).where(deliveries.c.status == _PENDING)
        async with translate_errors("counting the outbox"), self._engine.connect() as conn:
            return int((await conn.scalar(query)) or 0)
