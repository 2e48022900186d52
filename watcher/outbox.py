"""Delivery: claim due alerts from the outbox, send them, record success or back off."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watcher.errors import NotifierError
from watcher.notifiers import Notifier
from watcher.storage import DueDelivery
from watcher.storage.deliveries import DeliveryStore

log = logging.getLogger(__name__)

FIRST_RETRY = 10.0  # seconds: the first retries come within a minute
MAX_RETRY = 3600.0
CLAIM_LEASE = timedelta(minutes=5)


def process_owner() -> str:
    """Who holds a claim: host and pid, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int, rng: random.Random) -> float:
    """Seconds before attempt `attempts + 1`: exponential with ±20% jitter, capped."""
    base = min(FIRST_RETRY * 2.0 ** max(attempts - 1, 0), MAX_RETRY)
    return base * rng.uniform(0.8, 1.2)


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Outbox:
    """Sends pending deliveries through the configured notifiers."""

    def __init__(
        self,
        deliveries: DeliveryStore,
        notifiers: Mapping[str, Notifier],
        *,
        give_up_after: float,
        clock: Callable[[], datetime],
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._deliveries = deliveries
        self._notifiers = notifiers
        self._give_up_after = give_up_after
        self._clock = clock
        self._owner = owner or process_owner()
        self._rng = rng or random.Random()
        self._lock = asyncio.Lock()

    async def deliver_due(self, batch: int = 100) -> DeliveryReport:
        """Send every delivery that is due now, batch by batch, until none is left."""
        report = DeliveryReport()
        async with self._lock:
            while True:
                due = await self._deliveries.claim_due(
                    self._clock(), self._owner, CLAIM_LEASE, batch
                )
                if not due:
                    return report
                by_notifier: dict[str, list[DueDelivery]] = {}
                for delivery in due:
                    by_notifier.setdefault(delivery.notifier, []).append(delivery)
                # One failing notifier never holds back another: each runs on its own.
                await asyncio.gather(
                    *(self._run(name, queue, report) for name, queue in by_notifier.items())
                )
                if len(due) < batch:
                    return report

    async def _run(self, name: str, queue: Sequence[DueDelivery], report: DeliveryReport) -> None:
        notifier = self._notifiers.get(name)
        if notifier is None:
            for delivery in queue:
                await self._deliveries.mark_failed(delivery.id, "notifier is no longer configured")
                report.failed += 1
            return
        for position, delivery in enumerate(queue):
            try:
                await notifier.send(delivery.alert)
            except NotifierError as exc:
                retry_at = await self._failed(notifier, delivery, exc, report)
                if exc.retryable:
                    # The channel is down: the rest of its queue waits for the same retry.
                    later = retry_at or self._clock() + timedelta(seconds=FIRST_RETRY)
                    for waiting in queue[position + 1 :]:
                        await self._deliveries.postpone(waiting.id, later)
                    return
                continue
            await self._deliveries.mark_sent(delivery.id, self._clock())
            report.sent += 1
            log.info(
                "alert delivered",
                extra={"alert": delivery.alert.id, "notifier": name},
            )

    async def _failed(
        self, notifier: Notifier, delivery: DueDelivery, exc: NotifierError, report: DeliveryReport
    ) -> datetime | None:
        """Record the failure; returns when it is retried, None when it is given up."""
        now = self._clock()
        message = f"{notifier.name}: {exc}"
        report.errors.append(message)
        give_up = notifier.give_up_after or self._give_up_after
        deadline = delivery.created_at + timedelta(seconds=give_up)
        if not exc.retryable or now >= deadline:
            reason = str(exc) if not exc.retryable else f"gave up after {give_up:.0f}s: {exc}"
            await self._deliveries.mark_failed(delivery.id, reason)
            report.failed += 1
            log.error("delivery failed for good: %s", message, extra={"alert": delivery.alert.id})
            return None
        wait = max(backoff(delivery.attempts + 1, self._rng), exc.retry_after or 0.0)
        next_at = min(now + timedelta(seconds=wait), deadline)
        await self._deliveries.mark_retry(delivery.id, str(exc), next_at)
        report.retrying += 1
        log.warning("delivery will be retried: %s", message, extra={"alert": delivery.alert.id})
        return next_at
