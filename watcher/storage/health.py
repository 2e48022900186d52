"""Source health transitions: told-failing once, told-recovered once (atomic flips)."""

from __future__ import annotations

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import translate_errors
from watcher.storage.tables import source_state


class HealthStore:
    """Flips `failing_notified`, so each transition is announced by one process, once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def mark_failing(self, source: str, failing_after: int) -> bool:
        """True if `source` has just reached `failing_after` failures and was not announced."""
        statement = (
            update(source_state)
            .where(
                and_(
                    source_state.c.name == source,
                    source_state.c.failure_streak >= failing_after,
                    source_state.c.failing_notified.is_(False),
                )
            )
            .values(failing_notified=True)
        )
        return await self._flip(statement)

    async def mark_recovered(self, source: str) -> bool:
        """True if `source` was announced as failing (and is now marked recovered)."""
        statement = (
            update(source_state)
            .where(and_(source_state.c.name == source, source_state.c.failing_notified.is_(True)))
            .values(failing_notified=False)
        )
        return await self._flip(statement)

    async def _flip(self, statement: object) -> bool:
        async with translate_errors("recording source health"), self._engine.begin() as conn:
            result = await conn.execute(statement)  # type: ignore[call-overload]
        return bool(result.rowcount)
