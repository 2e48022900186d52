"""Source health notices go through the outbox: stored with the failing/recovered flip, one
delivery per notifier, retried while a notifier is down, sent by the next process after a
crash, never twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.support import news
from tests.support.configs import email, source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from tests.support.smtp import MailServer
from watcher.app import close_notifiers, fetcher_for, notifiers_for
from watcher.cli_alerts import describe
from watcher.config import load_config
from watcher.cycle import deliver_now, run_cycle
from watcher.models import Config
from watcher.notices import Notice, notice_payload
from watcher.outbox import Outbox
from watcher.pipeline import CheckReport, Pipeline, utc_now
from watcher.storage import Database, open_database
from watcher.storage.health import FailureWrite

CASE = ["Maxime Mokom was transferred to the Court in 2022.", "Proceedings continue."]
NAME = "Mokom case page"


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def config_for(
    tmp_path: Path, site: Site, database_url: str, notifiers: str, failing_after: int = 1
) -> Config:
    site.put("/case", news.article("The Mokom case", CASE))
    return load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources=source(NAME, site.url("/case"), "page"),
            notifiers=notifiers,
            extra_settings=f"failing_after = {failing_after}",
        )
    )


async def check_only(config: Config, database: Database) -> CheckReport:
    """What a process does before it delivers: check and commit."""
    async with fetcher_for(config) as fetcher:
        (report,) = await Pipeline(config, database, fetcher).check_many(config.sources)
    return report


async def test_a_notice_waits_while_the_notifier_is_down_and_goes_out_when_it_is_back(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    config = config_for(tmp_path, site, database_url, webhook("hook", webhook_receiver.url))
    clock = Clock()
    await run_cycle(config, database, config.sources, clock=clock)  # baseline
    site.fail("/case", 404)
    webhook_receiver.status = 503
    failing_at = clock()
    result = await run_cycle(config, database, config.sources, clock=clock)
    (report,) = result.reports
    assert report.notice is not None and result.delivery is not None
    assert (result.delivery.sent, result.delivery.retrying) == (0, 1)
    assert webhook_receiver.payloads() == []
    # `watcher alerts` shows it waiting.
    (pending,) = await database.history.recent("pending")
    assert pending.notice == "source_failing" and pending.alert_id is None
    assert f"hook: notice source_failing ({NAME})" in describe(pending)

    clock.advance(5)  # still failing, the notifier still down: nothing new is queued
    again = await run_cycle(config, database, config.sources, clock=clock)
    assert again.reports[0].notice is None
    assert webhook_receiver.payloads() == []

    webhook_receiver.status = 200
    clock.advance(60)  # the first retries come within a minute, as for alerts
    delivered = await deliver_now(config, database, clock=clock)
    assert delivered.sent == 1
    assert report.error is not None
    expected = Notice("source_failing", NAME, site.url("/case"), 1, report.error, failing_at)
    assert webhook_receiver.payloads() == [notice_payload(expected)]
    assert webhook_receiver.received[0].headers["X-Watcher-Notice"] == "source_failing"

    clock.advance(3600)
    assert (await deliver_now(config, database, clock=clock)).sent == 0
    assert len(webhook_receiver.payloads()) == 1


async def test_a_notice_committed_by_a_killed_process_is_sent_by_the_next_one(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    with MailServer() as mail:
        notifiers = webhook("hook", webhook_receiver.url) + email("desk", mail.url)
        config = config_for(tmp_path, site, database_url, notifiers)
        await check_only(config, database)  # baseline
        site.fail("/case", 404)
        report = await check_only(config, database)
        assert report.notice is not None
        # The process dies here, between marking the source failing and sending.
        assert webhook_receiver.payloads() == [] and mail.messages == []

        fresh = await open_database(database_url)
        channels = notifiers_for(config)
        try:
            outbox = Outbox(fresh.deliveries, channels, give_up_after=3600, clock=utc_now)
            assert (await outbox.deliver_due()).sent == 2  # one per notifier
            assert (await outbox.deliver_due()).sent == 0
        finally:
            await close_notifiers(channels)
            await fresh.close()
        messages = list(mail.messages)

    assert webhook_receiver.payloads() == [notice_payload(report.notice)]
    (message,) = messages
    assert message["Subject"] == report.notice.subject
    assert message.get_content().splitlines() == report.notice.text().splitlines()


async def test_a_notice_claimed_by_a_dead_process_is_sent_after_its_lease(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    config = config_for(tmp_path, site, database_url, webhook("hook", webhook_receiver.url))
    clock = Clock()
    failure = FailureWrite(NAME, site.url("/case"), "HTTP 404", clock())
    (outcome,) = await database.health.record_failures([failure], 1, ("hook",))
    assert outcome.notice is not None
    # A process claims the notice's delivery and dies before sending.
    claimed = await database.deliveries.claim_due_notices(clock(), "dead:1", timedelta(minutes=5))
    assert [(d.notifier, d.notice.kind) for d in claimed] == [("hook", "source_failing")]
    assert await database.deliveries.claim_due(clock(), "other:2", timedelta(minutes=5)) == []

    assert (await deliver_now(config, database, clock=clock)).sent == 0  # still leased
    clock.advance(301)
    assert (await deliver_now(config, database, clock=clock)).sent == 1
    assert webhook_receiver.payloads() == [notice_payload(outcome.notice)]


async def test_each_notifier_hears_failing_once_and_recovered_once(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    with WebhookReceiver() as second:
        notifiers = webhook("hook", webhook_receiver.url) + webhook("desk", second.url)
        config = config_for(tmp_path, site, database_url, notifiers, failing_after=2)
        await run_cycle(config, database, config.sources)  # baseline
        site.fail("/case", 404)
        for _ in range(4):
            await run_cycle(config, database, config.sources)
        site.put("/case", news.article("The Mokom case", CASE))
        for _ in range(3):
            await run_cycle(config, database, config.sources)
        heard = [[p["type"] for p in r.payloads()] for r in (webhook_receiver, second)]

    assert heard == [["source_failing", "source_recovered"]] * 2
    assert await database.history.counts() == {
        "hook": {"pending": 0, "sent": 2, "failed": 0},
        "desk": {"pending": 0, "sent": 2, "failed": 0},
    }


async def test_a_refused_notice_is_given_up_listed_and_retried_by_hand(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    config = config_for(tmp_path, site, database_url, webhook("hook", webhook_receiver.url))
    await run_cycle(config, database, config.sources)
    site.fail("/case", 404)
    webhook_receiver.status = 410
    result = await run_cycle(config, database, config.sources)
    assert result.delivery is not None and result.delivery.failed == 1
    (failed,) = await database.history.recent("failed")
    assert failed.notice == "source_failing" and failed.last_error and "410" in failed.last_error

    webhook_receiver.status = 200
    assert await database.history.retry(f"#{failed.id}", utc_now()) == 1
    assert (await deliver_now(config, database)).sent == 1
    assert [p["type"] for p in webhook_receiver.payloads()] == ["source_failing"]


async def test_retention_keeps_a_waiting_notice_and_prunes_a_sent_one(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    clock = Clock()
    failure = FailureWrite(NAME, "https://example.org/case", "HTTP 404", clock())
    await database.health.record_failures([failure], 1, ("hook",))
    future = clock() + timedelta(days=1)
    kept = await database.retention.prune(future, [NAME])
    assert (kept.notices, kept.deliveries) == (0, 0)

    (due,) = await database.deliveries.claim_due_notices(future, "test", timedelta(minutes=1))
    await database.deliveries.mark_sent(due.id, future)
    pruned = await database.retention.prune(future, [NAME])
    assert (pruned.notices, pruned.deliveries) == (1, 1)
    assert await database.history.counts() == {}
