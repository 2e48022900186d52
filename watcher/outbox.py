"""Delivery: claim due alerts and health notices from the outbox, send them, record success
or back off."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from watcher import metrics
from watcher.digests import HOUR, next_boundary, next_digest
from watcher.errors import NotifierError
from watcher.notifiers import Notifier
from watcher.process_identity import owner_gone, owner_host, process_owner
from watcher.storage import DueDelivery, DueNotice
from watcher.storage.deliveries import DeliveryStore

log = logging.getLogger(__name__)

FIRST_RETRY = 10.0  # seconds: the first retries come within a minute
MAX_RETRY = 3600.0
CLAIM_LEASE = timedelta(minutes=5)

Due = TypeVar("Due", DueDelivery, DueNotice)
Claim = Callable[[datetime, str, timedelta, int], Awaitable[list[Due]]]
Run = Callable[[str, Sequence[Due], "DeliveryReport"], Awaitable[None]]


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
    deferred: int = 0  # waiting for a digest (digest notifier or rate limit)


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
            await self._release_stale_claims()
            # Health notices first: they tell whether the alerts that follow can be complete.
            await self._rounds(self._deliveries.claim_due_notices, self._run_notices, batch, report)
            await self._rounds(self._deliveries.claim_due, self._run, batch, report)
        return report

    async def _rounds(
        self, claim: Claim[Due], run: Run[Due], batch: int, report: DeliveryReport
    ) -> None:
        """Claim and send batch after batch until nothing of this kind is due."""
        while True:
            due = await claim(self._clock(), self._owner, CLAIM_LEASE, batch)
            if not due:
                return
            by_notifier: dict[str, list[Due]] = {}
            for delivery in due:
                by_notifier.setdefault(delivery.notifier, []).append(delivery)
            # One failing notifier never holds back another: each runs on its own.
            await asyncio.gather(*(run(name, queue, report) for name, queue in by_notifier.items()))
            if len(due) < batch:
                return

    async def _release_stale_claims(self) -> None:
        """Free claims of killed processes on this host at once, instead of after the lease.

        Under the lock this process holds no claim, so one in its own name is a leftover of
        an earlier process that had the same host and pid (a restarted container).
        """
        host = owner_host(self._owner)
        for owner in await self._deliveries.claim_owners(self._clock()):
            if owner == self._owner or owner_gone(owner, host):
                released = await self._deliveries.release_claims(owner)
                log.info(
                    "released claims of a dead process", extra={"owner": owner, "count": released}
                )

    async def _run(self, name: str, queue: Sequence[DueDelivery], report: DeliveryReport) -> None:
        notifier = self._notifiers.get(name)
        if notifier is None:
            await self._unconfigured(name, queue, report)
            return
        singles, members = await self._plan(notifier, queue, report)
        if members and not await self._send_digest(notifier, members, report):
            # The channel is down: what was due with the digest waits for a retry too.
            later = self._clock() + timedelta(seconds=FIRST_RETRY)
            for delivery in singles:
                await self._deliveries.postpone(delivery.id, later)
            return
        await self._send_each(notifier, singles, report)

    async def _run_notices(
        self, name: str, queue: Sequence[DueNotice], report: DeliveryReport
    ) -> None:
        # Notices go out on their own at once: no digest, no hourly limit, as an alert would.
        notifier = self._notifiers.get(name)
        if notifier is None:
            await self._unconfigured(name, queue, report)
            return
        await self._send_each(notifier, queue, report)

    async def _unconfigured(
        self, name: str, queue: Sequence[DueDelivery | DueNotice], report: DeliveryReport
    ) -> None:
        for delivery in queue:
            await self._deliveries.mark_failed(delivery.id, "notifier is no longer configured")
            report.failed += 1
            metrics.delivery(name, "failed")

    async def _plan(
        self, notifier: Notifier, queue: Sequence[DueDelivery], report: DeliveryReport
    ) -> tuple[list[DueDelivery], list[DueDelivery]]:
        """Split the queue into single sends and digest members; defer what must wait."""
        members = [delivery for delivery in queue if delivery.digest]
        fresh = [delivery for delivery in queue if not delivery.digest]
        now = self._clock()
        if notifier.digest is not None:
            await self._defer(notifier, fresh, next_digest(notifier.digest, now), report)
            return [], members
        if notifier.max_per_hour is None or not fresh:
            return fresh, members
        used = await self._deliveries.sent_since(notifier.name, now - timedelta(seconds=HOUR))
        room = max(notifier.max_per_hour - used, 0)
        # Over the limit: never dropped, the rest goes out as one digest on the next hour.
        await self._defer(notifier, fresh[room:], next_boundary(HOUR, now), report)
        return fresh[:room], members

    async def _defer(
        self,
        notifier: Notifier,
        waiting: Sequence[DueDelivery],
        at: datetime,
        report: DeliveryReport,
    ) -> None:
        if not waiting:
            return
        await self._deliveries.defer_to_digest([delivery.id for delivery in waiting], at)
        report.deferred += len(waiting)
        log.info(
            "alerts wait for a digest",
            extra={"notifier": notifier.name, "count": len(waiting), "at": at.isoformat()},
        )

    async def _send_digest(
        self, notifier: Notifier, members: Sequence[DueDelivery], report: DeliveryReport
    ) -> bool:
        """Send the members as one message; False if the channel failed retryably."""
        try:
            await notifier.send_digest([member.alert for member in members])
        except NotifierError as exc:
            report.errors.append(f"{notifier.name}: digest of {len(members)} alert(s): {exc}")
            # One retry time for all members, so the retry is again one message.
            first = max(members, key=lambda member: member.attempts)
            retry_at = self._retry_time(notifier, first, exc)
            for member in members:
                await self._record(notifier, member, exc, retry_at, report)
            return not exc.retryable
        await self._deliveries.mark_sent_many([member.id for member in members], self._clock())
        report.sent += len(members)
        metrics.delivery(notifier.name, "sent", len(members))
        log.info("digest delivered", extra={"notifier": notifier.name, "alerts": len(members)})
        return True

    async def _send_each(
        self,
        notifier: Notifier,
        queue: Sequence[DueDelivery | DueNotice],
        report: DeliveryReport,
    ) -> None:
        for position, delivery in enumerate(queue):
            try:
                await _send(notifier, delivery)
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
            metrics.delivery(notifier.name, "sent")
            log.info("%s delivered", _what(delivery), extra=_about(delivery, notifier))

    async def _failed(
        self,
        notifier: Notifier,
        delivery: DueDelivery | DueNotice,
        exc: NotifierError,
        report: DeliveryReport,
    ) -> datetime | None:
        """Record the failure; returns when it is retried, None when it is given up."""
        report.errors.append(f"{notifier.name}: {exc}")
        retry_at = self._retry_time(notifier, delivery, exc)
        await self._record(notifier, delivery, exc, retry_at, report)
        return retry_at

    def _retry_time(
        self, notifier: Notifier, delivery: DueDelivery | DueNotice, exc: NotifierError
    ) -> datetime | None:
        """When to try again: back-off (or Retry-After) within the give-up window; None: never."""
        now = self._clock()
        deadline = delivery.created_at + timedelta(seconds=self._give_up(notifier))
        if not exc.retryable or now >= deadline:
            return None
        wait = max(backoff(delivery.attempts + 1, self._rng), exc.retry_after or 0.0)
        return min(now + timedelta(seconds=wait), deadline)

    def _give_up(self, notifier: Notifier) -> float:
        return notifier.give_up_after or self._give_up_after

    async def _record(
        self,
        notifier: Notifier,
        delivery: DueDelivery | DueNotice,
        exc: NotifierError,
        retry_at: datetime | None,
        report: DeliveryReport,
    ) -> None:
        message = f"{notifier.name}: {exc}"
        if retry_at is None:
            give_up = self._give_up(notifier)
            reason = str(exc) if not exc.retryable else f"gave up after {give_up:.0f}s: {exc}"
            await self._deliveries.mark_failed(delivery.id, reason)
            report.failed += 1
            metrics.delivery(notifier.name, "failed")
            log.error("delivery failed for good: %s", message, extra=_about(delivery, notifier))
            return
        await self._deliveries.mark_retry(delivery.id, str(exc), retry_at)
        report.retrying += 1
        metrics.delivery(notifier.name, "retry")
        log.warning("delivery will be retried: %s", message, extra=_about(delivery, notifier))


async def _send(notifier: Notifier, delivery: DueDelivery | DueNotice) -> None:
    if isinstance(delivery, DueNotice):
        await notifier.send_notice(delivery.notice)
    else:
        await notifier.send(delivery.alert)


def _what(delivery: DueDelivery | DueNotice) -> str:
    return "notice" if isinstance(delivery, DueNotice) else "alert"


def _about(delivery: DueDelivery | DueNotice, notifier: Notifier) -> dict[str, str]:
    """Log fields that say what was (or was not) delivered, and where."""
    if isinstance(delivery, DueNotice):
        notice = delivery.notice
        return {"notice": notice.kind, "source": notice.source, "notifier": notifier.name}
    return {"alert": delivery.alert.id, "notifier": notifier.name}
