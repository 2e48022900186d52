"""Source health: failed checks counted in batches, and the failing/recovered flips that
queue their notice in the same transaction, so a notice is neither lost nor queued twice."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from watcher.notices import Notice
from watcher.storage.database import insert_for, translate_errors
from watcher.storage.deliveries import PENDING
from watcher.storage.snapshots import ensure_sources
from watcher.storage.tables import deliveries, notices, source_state

ERROR_LIMIT = 2000  # characters of the last error kept on the source's row


@dataclass(frozen=True, slots=True)
class FailureWrite:
    """A failed check of a source (its URL goes into a "failing" notice)."""

    source: str
    url: str
    error: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    """The source's failure streak after this failure, and the notice it queued, if any."""

    streak: int
    notice: Notice | None = None


@dataclass(frozen=True, slots=True)
class RecoveryWrite:
    """A successful check of a source that had reached `failing_after` failures."""

    source: str
    url: str
    at: datetime


class HealthStore:
    """Failure streaks and `failing_notified` flips, each flip with its queued notice."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record_failures(
        self, writes: Sequence[FailureWrite], failing_after: int, notifiers: Sequence[str]
    ) -> list[FailureOutcome]:
        """Count many failed checks in one transaction; one outcome per write, in order.

        A source whose streak reaches `failing_after` and was not yet announced is flipped to
        announced and gets a "source failing" notice for each of `notifiers`.
        """
        if not writes:
            return []
        names = sorted({write.source for write in writes})
        async with translate_errors("recording failures"), self._engine.begin() as conn:
            await ensure_sources(conn, names)
            streaks = await _count_failures(conn, writes)
            reached = [name for name in names if streaks[name] >= failing_after]
            flipped = await _flip(conn, reached, failing=True, failing_after=failing_after)
            outcomes = _outcomes(writes, streaks, flipped)
            await queue_notices(conn, [o.notice for o in outcomes if o.notice], notifiers)
        return outcomes

    async def record_recoveries(
        self, writes: Sequence[RecoveryWrite], notifiers: Sequence[str]
    ) -> list[Notice | None]:
        """Flip announced sources back in one transaction, each with a "recovered" notice;
        one result per write: its notice, or None if the source was not announced failing."""
        if not writes:
            return []
        names = sorted({write.source for write in writes})
        async with translate_errors("recording recoveries"), self._engine.begin() as conn:
            flipped = await _flip(conn, names, failing=False)
            last = {write.source: position for position, write in enumerate(writes)}
            found: list[Notice | None] = [
                Notice("source_recovered", w.source, w.url, 0, None, w.at)
                if w.source in flipped and last[w.source] == position
                else None
                for position, w in enumerate(writes)
            ]
            await queue_notices(conn, [notice for notice in found if notice], notifiers)
        return found


async def _count_failures(conn: AsyncConnection, writes: Sequence[FailureWrite]) -> dict[str, int]:
    """Add one to each source's streak (once per write) and read the streaks back.

    `failure_streak + 1` in SQL, so concurrent processes never lose an increment; the rows
    stay locked until commit, so the read-back is this transaction's own result. Rows are
    updated in name order: two processes locking the same sources cannot deadlock.
    """
    ordered = sorted(enumerate(writes), key=lambda pair: (pair[1].source, pair[0]))
    await conn.execute(
        update(source_state)
        .where(source_state.c.name == bindparam("b_name"))
        .values(
            last_check_at=bindparam("b_at"),
            last_error=bindparam("b_error"),
            failure_streak=source_state.c.failure_streak + 1,
        ),
        [
            {"b_name": write.source, "b_at": write.at, "b_error": write.error[:ERROR_LIMIT]}
            for _, write in ordered
        ],
    )
    names = sorted({write.source for write in writes})
    query = select(source_state.c.name, source_state.c.failure_streak).where(
        source_state.c.name.in_(names)
    )
    return {row.name: int(row.failure_streak) for row in (await conn.execute(query)).all()}


async def _flip(
    conn: AsyncConnection, names: Sequence[str], *, failing: bool, failing_after: int = 0
) -> set[str]:
    """Set `failing_notified` to `failing` where it is not yet; returns the sources flipped."""
    if not names:
        return set()
    condition = and_(
        source_state.c.name.in_(names), source_state.c.failing_notified.is_(not failing)
    )
    if failing:
        condition = and_(condition, source_state.c.failure_streak >= failing_after)
    statement = (
        update(source_state)
        .where(condition)
        .values(failing_notified=failing)
        .returning(source_state.c.name)
    )
    return set((await conn.execute(statement)).scalars())


def _outcomes(
    writes: Sequence[FailureWrite], streaks: dict[str, int], flipped: set[str]
) -> list[FailureOutcome]:
    """Each write's own streak (a source twice in a batch counted up in order); the notice
    of a flipped source goes with its last write."""
    remaining: dict[str, int] = {}
    for write in writes:
        remaining[write.source] = remaining.get(write.source, 0) + 1
    outcomes: list[FailureOutcome] = []
    for write in writes:
        remaining[write.source] -= 1
        streak = streaks[write.source] - remaining[write.source]
        notice = None
        if write.source in flipped and remaining[write.source] == 0:
            notice = Notice(
                "source_failing", write.source, write.url, streak, write.error, write.at
            )
        outcomes.append(FailureOutcome(streak, notice))
    return outcomes


async def queue_notices(
    conn: AsyncConnection, queued: Sequence[Notice], notifiers: Sequence[str]
) -> None:
    """Store notices and one pending delivery of each per notifier (every notifier hears
    about the tool's health, whatever its topics)."""
    if not queued or not notifiers:
        return
    ids = [uuid.uuid4().hex for _ in queued]
    await conn.execute(
        insert_for(conn, notices),
        [
            {
                "id": notice_id,
                "created_at": notice.at,
                "kind": notice.kind,
                "source": notice.source,
                "url": notice.url,
                "failures": notice.failures,
                "error": notice.error,
            }
            for notice_id, notice in zip(ids, queued, strict=True)
        ],
    )
    await conn.execute(
        insert_for(conn, deliveries),
        [
            {
                "notice_id": notice_id,
                "notifier": name,
                "status": PENDING,
                "attempts": 0,
                "created_at": notice.at,
                "next_attempt_at": notice.at,
            }
            for notice_id, notice in zip(ids, queued, strict=True)
            for name in notifiers
        ],
    )
