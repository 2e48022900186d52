"""Storage: the database behind snapshots and the alert outbox; every query lives here."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from watcher.storage.cycles import CycleStore
from watcher.storage.database import create_engine, mask_url, migrate, translate_errors
from watcher.storage.deliveries import DeliveryCounts, DeliveryStore
from watcher.storage.health import HealthStore
from watcher.storage.history import DeliveryHistory
from watcher.storage.leases import Claim, LeaseStore
from watcher.storage.records import (
    AlertWrite,
    CheckWrite,
    DeferredWrite,
    DueDelivery,
    DueNotice,
    ItemWrite,
    SightingWrite,
    SourceState,
    StoredDocument,
    StoredItem,
    StoredStory,
)
from watcher.storage.retention import Pruned, RetentionStore
from watcher.storage.snapshots import SnapshotStore
from watcher.storage.status import StatusStore

__all__ = [
    "AlertWrite",
    "CheckWrite",
    "Claim",
    "Database",
    "DeferredWrite",
    "DeliveryCounts",
    "DueDelivery",
    "DueNotice",
    "ItemWrite",
    "Pruned",
    "SightingWrite",
    "SourceState",
    "StoredDocument",
    "StoredItem",
    "StoredStory",
    "mask_url",
    "open_database",
]


class Database:
    """An open, migrated database: snapshots and deliveries over one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.snapshots = SnapshotStore(engine)
        self.cycles = CycleStore(engine)
        self.health = HealthStore(engine)
        self.deliveries = DeliveryStore(engine)
        self.history = DeliveryHistory(engine)
        self.leases = LeaseStore(engine)
        self.retention = RetentionStore(engine)
        self.status = StatusStore(engine)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    async def ping(self) -> None:
        """Raise StorageError unless the database answers."""
        async with translate_errors("pinging the database"), self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()


async def open_database(url: str) -> Database:
    """Connect to `url` and apply any pending migration."""
    engine = create_engine(url)
    try:
        await migrate(engine)
    except BaseException:
        await engine.dispose()
        raise
    return Database(engine)
