"""Check leases: which process may check a source now, claimed with one conditional UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.database import translate_errors
from watcher.storage.snapshots import ensure_sources
from watcher.storage.tables import source_state

# A source counts as due a little before its interval has passed, so that a process whose
# timer fires slightly early still checks it; the same slack keeps a second check out.
DUE_FRACTION = 0.9


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of a claim: won, or when the source may next be claimable."""

    won: bool
    retry_at: datetime | None = None


class LeaseStore:
    """Claims, renews and releases the per-source check lease in `source_state`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def sqlite_file(self) -> Path | None:
        """The SQLite database file, or None on PostgreSQL or an in-memory database."""
        url = self._engine.url
        if self._engine.dialect.name != "sqlite" or not url.database:
            return None
        if url.database.startswith(":memory:") or url.database.startswith("file:"):
            return None
        return Path(url.database)

    async def claim(
        self, source: str, owner: str, now: datetime, interval: float, lease: float
    ) -> Claim:
        """Take the source's lease if it is due and no live process holds it.

        One conditional UPDATE decides: on PostgreSQL the row lock makes concurrent claims
        wait and re-check the condition, so exactly one process wins each due check.
        """
        free = or_(
            source_state.c.lease_until.is_(None),
            source_state.c.lease_until < now,
            source_state.c.lease_owner == owner,
        )
        due = or_(
            source_state.c.last_check_at.is_(None),
            source_state.c.last_check_at <= now - timedelta(seconds=interval * DUE_FRACTION),
        )
        stmt = (
            update(source_state)
            .where(and_(source_state.c.name == source, free, due))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease))
        )
        async with translate_errors("claiming a check"), self._engine.begin() as conn:
            await ensure_sources(conn, [source])
            if (await conn.execute(stmt)).rowcount == 1:
                return Claim(won=True)
            row = (
                await conn.execute(
                    select(source_state.c.last_check_at, source_state.c.lease_until).where(
                        source_state.c.name == source
                    )
                )
            ).one()
        return Claim(won=False, retry_at=_retry_at(row.last_check_at, row.lease_until, interval))

    async def renew(self, source: str, owner: str, until: datetime) -> bool:
        """Extend a held lease; False if another process has taken it over."""
        stmt = (
            update(source_state)
            .where(and_(source_state.c.name == source, source_state.c.lease_owner == owner))
            .values(lease_until=until)
        )
        async with translate_errors("renewing a lease"), self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def release_all(self) -> int:
        """Drop every lease; only for a process known to be the database's sole daemon."""
        stmt = (
            update(source_state)
            .where(source_state.c.lease_owner.is_not(None))
            .values(lease_owner=None, lease_until=None)
        )
        async with translate_errors("releasing stale leases"), self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def release(self, source: str, owner: str) -> None:
        """Give the lease back (only if still held by `owner`)."""
        stmt = (
            update(source_state)
            .where(and_(source_state.c.name == source, source_state.c.lease_owner == owner))
            .values(lease_owner=None, lease_until=None)
        )
        async with translate_errors("releasing a lease"), self._engine.begin() as conn:
            await conn.execute(stmt)


def _retry_at(
    last_check_at: datetime | None, lease_until: datetime | None, interval: float
) -> datetime | None:
    """When a lost claim is worth trying again: after the holder's lease and the interval."""
    candidates = [t for t in (lease_until,) if t is not None]
    if last_check_at is not None:
        candidates.append(last_check_at + timedelta(seconds=interval))
    return max(candidates) if candidates else None
