"""The outbox against a real database and a real webhook receiver: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.receiver import WebhookReceiver
from tests.support.smtp import MailServer
from watcher.models import (
    DEFAULT_MAX_PER_HOUR,
    Alert,
    DigestSchedule,
    EmailSettings,
    WebhookSettings,
)
from watcher.notifiers import Notifier, build_notifier
from watcher.notifiers.payload import alert_payload
from watcher.outbox import Outbox
from watcher.process_identity import start_ticks
from watcher.storage import AlertWrite, CheckWrite, Database

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def alert(number: int) -> Alert:
    return Alert(
        id=f"alert-{number}",
        topics=("Mokom",),
        source="case page",
        url=f"https://example.org/case/{number}",
        title=f"Development {number}",
        kind="new_item",
        excerpt="The judges ordered Mokom's release.",
        detected_at=START,
    )


async def store(database: Database, *alerts: Alert, notifiers: tuple[str, ...] = ("hook",)) -> None:
    await database.snapshots.commit_check(
        CheckWrite(
            source="case page",
            checked_at=START,
            etag=None,
            last_modified=None,
            content_hash=None,
            alerts=tuple(
                AlertWrite(alert=a, item_key=a.url, story=(number,), notifiers=notifiers)
                for number, a in enumerate(alerts)
            ),
        )
    )


def outbox_for(
    database: Database, receiver: WebhookReceiver, clock: Clock, give_up: float = 3600
) -> Outbox:
    notifier = build_notifier(WebhookSettings(name="hook", url=receiver.url, timeout=5))
    return Outbox(database.deliveries, {"hook": notifier}, give_up_after=give_up, clock=clock)


async def test_failing_receiver_is_retried_until_it_succeeds_and_gets_each_alert_once(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1), alert(2))
    outbox = outbox_for(database, webhook_receiver, clock)

    webhook_receiver.status = 500
    first = await outbox.deliver_due()
    assert (first.sent, first.retrying) == (0, 1)  # the rest of the queue waits with it
    assert webhook_receiver.payloads() == []

    again = await outbox.deliver_due()  # nothing is due yet: no hammering
    assert (again.sent, again.retrying) == (0, 0)

    clock.advance(60)  # the first retry comes within a minute
    webhook_receiver.status = 200
    second = await outbox.deliver_due()
    assert second.sent == 2
    assert sorted(p["id"] for p in webhook_receiver.payloads()) == ["alert-1", "alert-2"]

    clock.advance(3600)
    third = await outbox.deliver_due()
    assert third.sent == 0
    assert len(webhook_receiver.payloads()) == 2
    counts = await database.deliveries.counts()
    assert (counts.pending, counts.sent, counts.failed) == (0, 2, 0)


async def test_permanent_error_stops_at_once(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    webhook_receiver.status = 404
    report = await outbox_for(database, webhook_receiver, clock).deliver_due()
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    assert "404" in report.errors[0]
    counts = await database.deliveries.counts()
    assert counts.failed == 1


async def test_gives_up_after_the_configured_time(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    webhook_receiver.status = 503
    outbox = outbox_for(database, webhook_receiver, clock, give_up=120)
    attempts = 0
    while (await database.deliveries.counts()).pending and attempts < 50:
        await outbox.deliver_due()
        clock.advance(30)
        attempts += 1
    counts = await database.deliveries.counts()
    assert counts.failed == 1 and counts.pending == 0
    assert clock.now - START <= timedelta(seconds=120 + 60)


async def test_a_claim_left_by_a_killed_process_is_taken_over_after_its_lease(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    # A process claims the delivery and dies before sending.
    claimed = await database.deliveries.claim_due(clock(), "dead:1", timedelta(minutes=5))
    assert [d.alert.id for d in claimed] == ["alert-1"]
    outbox = outbox_for(database, webhook_receiver, clock)
    assert (await outbox.deliver_due()).sent == 0  # still leased
    clock.advance(301)
    assert (await outbox.deliver_due()).sent == 1
    assert [p["id"] for p in webhook_receiver.payloads()] == ["alert-1"]


async def test_delivery_to_a_removed_notifier_is_marked_failed(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1), notifiers=("hook", "old channel"))
    report = await outbox_for(database, webhook_receiver, clock).deliver_due()
    assert report.sent == 1 and report.failed == 1


# --- every clause of "nothing lost, nothing twice" ------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a hung receiver."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        host, port = server.getsockname()[:2]
        yield f"http://{host}:{port}/hook"


def hook(name: str, url: str, **options: Any) -> Notifier:
    options.setdefault("timeout", 5)
    return build_notifier(WebhookSettings(name=name, url=url, **options))


def mail(name: str, server: MailServer) -> Notifier:
    settings = EmailSettings(name=name, smtp=server.url, sender="w@example.org", to=("d@x.org",))
    return build_notifier(replace(settings, timeout=5))


async def test_smtp_4xx_is_retried_then_accepted_once(database: Database) -> None:
    clock = Clock()
    await store(database, alert(1), notifiers=("mail",))
    with MailServer() as server:
        outbox = Outbox(
            database.deliveries, {"mail": mail("mail", server)}, give_up_after=3600, clock=clock
        )
        server.refuse("451 4.3.0 try again later")
        first = await outbox.deliver_due()
        assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
        assert "451" in first.errors[0]
        server.refuse(None)
        clock.advance(60)
        second = await outbox.deliver_due()
        assert second.sent == 1
        clock.advance(3600)
        assert (await outbox.deliver_due()).sent == 0
        assert [m["X-Watcher-Alert-Id"] for m in server.messages] == ["alert-1"]


async def test_smtp_5xx_is_given_up_at_once(database: Database) -> None:
    clock = Clock()
    await store(database, alert(1), notifiers=("mail",))
    with MailServer() as server:
        server.refuse("554 5.7.1 message rejected")
        notifiers = {"mail": mail("mail", server)}
        report = await Outbox(
            database.deliveries, notifiers, give_up_after=3600, clock=clock
        ).deliver_due()
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    assert "554" in report.errors[0]


async def test_a_hanging_receiver_times_out_and_is_retried(
    database: Database, silent_server: str, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    hung = {"hook": hook("hook", silent_server, timeout=0.5)}
    report = await Outbox(database.deliveries, hung, give_up_after=3600, clock=clock).deliver_due()
    assert (report.sent, report.retrying) == (0, 1)
    assert "timed out" in report.errors[0]
    # The receiver answers again (same notifier name, now reachable).
    clock.advance(60)
    outbox = outbox_for(database, webhook_receiver, clock)
    assert (await outbox.deliver_due()).sent == 1
    assert [p["id"] for p in webhook_receiver.payloads()] == ["alert-1"]


async def test_one_hanging_notifier_does_not_hold_back_another(
    database: Database, silent_server: str, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1), alert(2), alert(3), notifiers=("hung", "hook"))
    notifiers = {
        "hung": hook("hung", silent_server, timeout=30),
        "hook": hook("hook", webhook_receiver.url),
    }
    outbox = Outbox(database.deliveries, notifiers, give_up_after=3600, clock=clock)
    round_ = asyncio.create_task(outbox.deliver_due())
    for _ in range(500):  # every alert reaches the working receiver while the other hangs
        if len(webhook_receiver.payloads()) == 3:
            break
        await asyncio.sleep(0.02)
    assert sorted(p["id"] for p in webhook_receiver.payloads()) == ["alert-1", "alert-2", "alert-3"]
    for _ in range(500):  # ... and is recorded as sent, all while the other still hangs
        if (await database.deliveries.counts()).sent == 3:
            break
        await asyncio.sleep(0.02)
    assert (await database.deliveries.counts()).sent == 3
    assert not round_.done()
    # Cancelled only now, so no database call of the working notifier is cut off mid-way.
    round_.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await round_
    for notifier in notifiers.values():
        await notifier.aclose()


async def test_webhook_failing_and_mail_relay_down_then_both_back(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    """The issue's "done when": every alert arrives, each once per notifier."""
    clock = Clock()
    alerts = [alert(number) for number in range(1, 6)]
    await store(database, *alerts, notifiers=("hook", "mail"))
    relay = MailServer()  # its port is known, but nothing listens yet: the relay is down
    notifiers = {"hook": hook("hook", webhook_receiver.url), "mail": mail("mail", relay)}
    outbox = Outbox(database.deliveries, notifiers, give_up_after=24 * 3600, clock=clock)
    webhook_receiver.status = 500
    for _ in range(6):  # a while of failures on both channels
        report = await outbox.deliver_due()
        assert report.sent == 0
        clock.advance(120)
    webhook_receiver.status = 200
    with relay:
        for _ in range(30):
            if not (await database.deliveries.counts()).pending:
                break
            await outbox.deliver_due()
            clock.advance(600)
        mailed = sorted(m["X-Watcher-Alert-Id"] for m in relay.messages)
    expected = sorted(a.id for a in alerts)
    assert sorted(p["id"] for p in webhook_receiver.payloads()) == expected
    assert mailed == expected
    counts = await database.deliveries.counts()
    assert (counts.pending, counts.sent, counts.failed) == (0, 10, 0)


async def test_claims_of_a_killed_process_on_this_host_are_released_at_once(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    owner = f"{socket.gethostname()}:{dead.pid}"
    assert await database.deliveries.claim_due(clock(), owner, timedelta(minutes=5))
    outbox = outbox_for(database, webhook_receiver, clock)
    assert (await outbox.deliver_due()).sent == 1  # no five-minute wait for the lease


@pytest.mark.skipif(start_ticks(os.getpid()) is None, reason="needs /proc start times")
async def test_a_reused_pid_does_not_keep_a_dead_process_claims(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1))
    await store(database, alert(2))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        host, started = socket.gethostname(), start_ticks(other.pid)
        assert started is not None
        # Alert 1: claimed by a process that died; its pid now belongs to `other`.
        reused = f"{host}:{other.pid}:{int(started) - 1}"
        (first,) = await database.deliveries.claim_due(clock(), reused, timedelta(minutes=5), 1)
        # Alert 2: claimed by `other` itself, which still runs: its claim stands.
        live = f"{host}:{other.pid}:{started}"
        (second,) = await database.deliveries.claim_due(clock(), live, timedelta(minutes=5), 1)
        outbox = outbox_for(database, webhook_receiver, clock)
        assert (await outbox.deliver_due()).sent == 1
    finally:
        other.kill()
        other.wait()
    assert [p["id"] for p in webhook_receiver.payloads()] == [first.alert.id]
    assert second.alert.id != first.alert.id


# --- digests and rate limits ----------------------------------------------------------------


async def test_a_digest_notifier_sends_one_message_at_the_boundary_even_after_a_restart(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()  # 12:00 exactly
    clock.advance(60)
    await store(database, alert(1), alert(2), alert(3))
    digest = DigestSchedule(every=3600)

    def fresh_outbox() -> Outbox:  # a new process each time: nothing is kept in memory
        notifiers = {"hook": hook("hook", webhook_receiver.url, digest=digest)}
        return Outbox(database.deliveries, notifiers, give_up_after=3600, clock=clock)

    first = await fresh_outbox().deliver_due()
    assert (first.sent, first.deferred) == (0, 3)
    clock.advance(1800)
    assert (await fresh_outbox().deliver_due()).sent == 0
    assert webhook_receiver.payloads() == []
    clock.advance(1800)  # 13:01, past the 13:00 boundary
    assert (await fresh_outbox().deliver_due()).sent == 3
    (body,) = webhook_receiver.payloads()
    assert body["digest"] is True and body["id"].startswith("digest-")
    assert [a["id"] for a in body["alerts"]] == ["alert-1", "alert-2", "alert-3"]
    assert set(body["alerts"][0]) == set(alert_payload(alert(1)))


async def test_a_failed_digest_is_retried_as_one_message(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, alert(1), alert(2))
    notifiers = {"hook": hook("hook", webhook_receiver.url, digest=DigestSchedule(every=600))}
    outbox = Outbox(database.deliveries, notifiers, give_up_after=3600, clock=clock)
    await outbox.deliver_due()
    clock.advance(600)
    webhook_receiver.status = 503
    failed = await outbox.deliver_due()
    assert (failed.sent, failed.retrying) == (0, 2)
    webhook_receiver.status = 200
    clock.advance(120)
    assert (await outbox.deliver_due()).sent == 2
    (body,) = webhook_receiver.payloads()
    assert [a["id"] for a in body["alerts"]] == ["alert-1", "alert-2"]


async def test_rate_limit_overflow_goes_into_the_next_digest_never_dropped(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    alerts = [alert(number) for number in range(1, 8)]
    await store(database, *alerts)
    notifiers = {"hook": hook("hook", webhook_receiver.url, max_per_hour=2)}
    outbox = Outbox(database.deliveries, notifiers, give_up_after=3600, clock=clock)
    first = await outbox.deliver_due()
    assert (first.sent, first.deferred) == (2, 5)
    assert len(webhook_receiver.payloads()) == 2
    clock.advance(3600)
    assert (await outbox.deliver_due()).sent == 5
    single_1, single_2, digest = webhook_receiver.payloads()
    delivered = [single_1["id"], single_2["id"], *(a["id"] for a in digest["alerts"])]
    assert sorted(delivered) == sorted(a.id for a in alerts)


async def test_a_burst_of_alerts_cannot_flood_a_notifier_by_default(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    await store(database, *(alert(number) for number in range(1, 61)))
    outbox = outbox_for(database, webhook_receiver, clock)
    report = await outbox.deliver_due()
    assert report.sent == DEFAULT_MAX_PER_HOUR and report.deferred == 60 - DEFAULT_MAX_PER_HOUR
