"""Volume through a real check: a big new source cannot flood a notifier, and loses nothing.

With the default `max_per_hour` (20), a first check of a new feed of 30 developments with
`baseline = false` sends 20 single messages and puts the other 10 into ONE digest on the
next hour; an ordinary check after a baseline is sent at once (tests/integration/
test_check_cycle.py), never deferred.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.models import DEFAULT_MAX_PER_HOUR
from watcher.storage import Database

ITEMS = 30


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def big_feed(site: Site) -> str:
    # Every item its own story: no three-word phrase is shared between two items.
    entries = [
        (site.url(f"/item/{n}"), f"Filing {n}", f"Mokom filing {n}a {n}b {n}c {n}d {n}e.")
        for n in range(ITEMS)
    ]
    return news.rss(entries)


async def test_first_check_of_a_big_source_sends_the_limit_then_one_digest(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    assert DEFAULT_MAX_PER_HOUR == 20  # the README promises this default
    site.put("/feed.xml", big_feed(site), "application/rss+xml")
    config = load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources=source("Big feed", site.url("/feed.xml"), "feed", baseline=False),
            notifiers=webhook("hook", webhook_receiver.url),
        )
    )
    clock = Clock()

    first = await run_cycle(config, database, config.sources, clock=clock)
    alerts = [alert for report in first.reports for alert in report.alerts]
    assert len(alerts) == ITEMS
    singles = webhook_receiver.payloads()
    assert len(singles) == DEFAULT_MAX_PER_HOUR  # not 30 messages at once
    assert all("alerts" not in payload for payload in singles)
    counts = await database.deliveries.counts()
    assert (counts.pending, counts.sent, counts.failed) == (ITEMS - DEFAULT_MAX_PER_HOUR, 20, 0)

    # Before the hour nothing more goes out; on the hour, the rest as one digest.
    clock.now += timedelta(minutes=30)
    await run_cycle(config, database, config.sources, clock=clock)
    assert len(webhook_receiver.payloads()) == DEFAULT_MAX_PER_HOUR
    clock.now = datetime(2026, 11, 29, 15, 0, 1, tzinfo=UTC)
    await run_cycle(config, database, config.sources, clock=clock)
    *_, digest = webhook_receiver.payloads()
    assert len(webhook_receiver.payloads()) == DEFAULT_MAX_PER_HOUR + 1
    assert digest["digest"] is True
    delivered = [p["id"] for p in singles] + [a["id"] for a in digest["alerts"]]
    assert sorted(delivered) == sorted(alert.id for alert in alerts)  # each once, none lost
    counts = await database.deliveries.counts()
    assert (counts.pending, counts.sent, counts.failed) == (0, ITEMS, 0)
