"""The outbox against a real database and a real webhook receiver: nothing lost, nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.receiver import WebhookReceiver
from watcher.models import Alert, WebhookSettings
from watcher.notifiers import build_notifier
from watcher.outbox import Outbox
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
