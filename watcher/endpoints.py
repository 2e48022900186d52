"""The daemon's HTTP endpoints: /healthz, /metrics and /alerts.atom."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Protocol

from watcher import metrics
from watcher.atom import CONTENT_TYPE as ATOM_TYPE
from watcher.atom import alert_feed
from watcher.errors import StorageError
from watcher.http_server import Endpoint, Response
from watcher.models import Config
from watcher.pipeline import utc_now
from watcher.storage import Database

log = logging.getLogger(__name__)

PING_TIMEOUT = 5.0  # seconds: a database slower than this is not ready
FEED_SIZE = 50  # alerts in /alerts.atom


class Scheduled(Protocol):
    """What the endpoints need from the daemon."""

    @property
    def config(self) -> Config: ...

    @property
    def scheduling(self) -> bool: ...


def endpoints(daemon: Scheduled, database: Database) -> dict[str, Endpoint]:
    """Path → endpoint."""

    async def healthz() -> Response:
        return await health(daemon, database)

    async def metrics_page() -> Response:
        return await metrics_of(daemon, database)

    async def feed() -> Response:
        alerts = await database.status.recent_alerts(FEED_SIZE)
        return Response(200, ATOM_TYPE, alert_feed(alerts, now=utc_now()))

    return {"/healthz": healthz, "/metrics": metrics_page, "/alerts.atom": feed}


async def health(daemon: Scheduled, database: Database) -> Response:
    """Ready (200) only when the database answers and the scheduler runs; else 503."""
    try:
        async with asyncio.timeout(PING_TIMEOUT):
            await database.ping()
        database_ok = True
    except (StorageError, TimeoutError) as exc:
        log.warning("health check: database not answering: %s", exc)
        database_ok = False
    ready = database_ok and daemon.scheduling
    body = {
        "status": "ok" if ready else "unavailable",
        "database": "ok" if database_ok else "unreachable",
        "scheduler": "running" if daemon.scheduling else "stopped",
    }
    return Response(200 if ready else 503, "application/json", json.dumps(body).encode())


async def metrics_of(daemon: Scheduled, database: Database) -> Response:
    """The Prometheus exposition, with the database-wide gauges refreshed first."""
    try:
        depth = await database.status.outbox_depth()
        states = await database.snapshots.source_states()
    except StorageError as exc:
        log.warning("metrics: database not answering: %s", exc)
    else:
        configured = {source.name for source in daemon.config.sources}
        metrics.refresh(
            depth, {name: s.last_success_at for name, s in states.items() if name in configured}
        )
    return Response(200, metrics.CONTENT_TYPE, metrics.exposition())
