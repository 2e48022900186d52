"""Prometheus metrics: the only module that imports prometheus_client.

Counters are bumped where things happen (pipeline, outbox, fetch); the gauges that describe
the shared database (outbox depth, last success per source) are refreshed at scrape time,
so every replica reports the same, current values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from watcher.errors import FetchError, WatcherError

CONTENT_TYPE = CONTENT_TYPE_LATEST

# One registry for watcher, not the library's global one: nothing else leaks into /metrics.
REGISTRY = CollectorRegistry()

CHECKS = Counter(
    "watcher_checks", "Source checks, by outcome", ["source", "outcome"], registry=REGISTRY
)
CHECK_FAILURES = Counter(
    "watcher_check_failures", "Failed source checks, by kind of error", ["kind"], registry=REGISTRY
)
FETCH_SECONDS = Histogram(
    "watcher_fetch_seconds",
    "Time to fetch one URL, retries and redirects included",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
FETCHES = Counter(
    "watcher_fetches", "Completed fetches, by HTTP status class", ["status"], registry=REGISTRY
)
NOT_MODIFIED_RATIO = Gauge(
    "watcher_not_modified_ratio",
    "Share of completed fetches answered 304 Not Modified since the process started",
    registry=REGISTRY,
)
ALERTS = Counter(
    "watcher_alerts_created", "Alerts created (stored in the outbox)", registry=REGISTRY
)
DELIVERIES = Counter(
    "watcher_deliveries",
    "Delivery attempts, by notifier and outcome (sent, retry, failed)",
    ["notifier", "outcome"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "watcher_outbox_depth", "Deliveries waiting to be sent (whole database)", registry=REGISTRY
)
LAST_SUCCESS = Gauge(
    "watcher_last_success_timestamp_seconds",
    "Unix time of each source's last successful check (whole database)",
    ["source"],
    registry=REGISTRY,
)
LEASES_LOST = Counter(
    "watcher_check_claims_lost",
    "Due checks another process claimed first (several replicas)",
    registry=REGISTRY,
)

_fetch_totals = {"all": 0, "not_modified": 0}


def check_succeeded(source: str, alerts: int) -> None:
    """Count one successful source check and the alerts it stored."""
    CHECKS.labels(source=source, outcome="ok").inc()
    if alerts:
        ALERTS.inc(alerts)


def check_failed(source: str, error: WatcherError) -> None:
    """Count one failed source check by the kind of its error."""
    CHECKS.labels(source=source, outcome="failed").inc()
    CHECK_FAILURES.labels(kind=failure_kind(error)).inc()


def failure_kind(error: WatcherError) -> str:
    """A small, fixed vocabulary of failures: http_4xx, http_5xx, fetch, extract, storage..."""
    if isinstance(error, FetchError):
        return f"http_{error.status // 100}xx" if error.status else "fetch"
    return type(error).__name__.removesuffix("Error").lower() or "other"


def fetched(status: int, seconds: float) -> None:
    """Count one completed fetch and its latency."""
    FETCH_SECONDS.observe(seconds)
    FETCHES.labels(status=f"{status // 100}xx" if status != 304 else "304").inc()
    _fetch_totals["all"] += 1
    if status == 304:
        _fetch_totals["not_modified"] += 1
    NOT_MODIFIED_RATIO.set(_fetch_totals["not_modified"] / _fetch_totals["all"])


def delivery(notifier: str, outcome: str, count: int = 1) -> None:
    """Count delivery attempts: "sent", "retry" or "failed" (a digest sends several at once)."""
    DELIVERIES.labels(notifier=notifier, outcome=outcome).inc(count)


def claim_lost() -> None:
    """Count a due check that another process took."""
    LEASES_LOST.inc()


def refresh(outbox_depth: int, last_success: Mapping[str, datetime | None]) -> None:
    """Set the database-wide gauges just before a scrape."""
    OUTBOX_DEPTH.set(outbox_depth)
    for source, at in last_success.items():
        if at is not None:
            LAST_SUCCESS.labels(source=source).set(at.timestamp())


def exposition() -> bytes:
    """The Prometheus text format of every watcher metric."""
    return generate_latest(REGISTRY)
