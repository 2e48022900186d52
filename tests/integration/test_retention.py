"""Retention prunes history, removed sources' items and finished alerts, nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.pipeline import utc_now
from watcher.storage import Database
from watcher.storage.tables import (
    alerts,
    baseline_documents,
    deliveries,
    item_sentences,
    items,
)


async def _count(database: Database, table: object) -> int:
    async with database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


async def test_prune_keeps_what_detection_and_delivery_need(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    site.put("/kept", news.article("Kept", ["The court sat today."]))
    site.put("/gone", news.article("Gone", ["The registry sat today."]))
    sources = source("kept", site.url("/kept"), "page") + source("gone", site.url("/gone"), "page")
    config = load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources=sources,
            notifiers=webhook("hook", webhook_receiver.url),
        )
    )
    await run_cycle(config, database, config.sources)
    site.put("/kept", news.article("Kept", ["Mokom was released today."]))
    # A change without a topic settles /gone's kept baseline document into its item.
    site.put("/gone", news.article("Gone", ["The registry sat again today."]))
    webhook_receiver.status = 503
    await run_cycle(config, database, config.sources)  # one alert, its delivery pending
    assert await _count(database, alerts) == 1

    future = utc_now() + timedelta(days=1)  # everything is older than this cutoff
    pruned = await database.retention.prune(future, ["kept"])
    assert pruned.items == 1, "the item of the removed source goes"
    assert pruned.alerts == 0, "an alert still waiting for delivery stays"
    kept_sentences = await _count(database, item_sentences)
    assert pruned.sentences >= 1  # "The court sat today." is no longer said by /kept
    assert kept_sentences >= 1  # "Mokom was released today." is what /kept says now
    assert await _count(database, items) == 1

    # The retry succeeds.
    (due,) = await database.deliveries.claim_due(future, "test", timedelta(minutes=1))
    await database.deliveries.mark_sent(due.id, utc_now())
    pruned = await database.retention.prune(future, ["kept"])
    assert pruned.alerts == 1
    assert pruned.deliveries == 1
    assert await _count(database, alerts) == 0
    assert await _count(database, deliveries) == 0
    assert await _count(database, item_sentences) == kept_sentences, "current text is kept"

    # Nothing older than a cutoff in the past: a real policy prunes nothing yet.
    assert (await database.retention.prune(utc_now() - timedelta(days=90), ["kept"])).total == 0


async def test_prune_drops_kept_baseline_documents_of_removed_sources_only(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/kept", news.article("Kept", ["The court sat today."]))
    site.put("/gone", news.article("Gone", ["The registry sat today."]))
    sources = source("kept", site.url("/kept"), "page") + source("gone", site.url("/gone"), "page")
    config = load_config(write_config(tmp_path, database=database_url, sources=sources))
    await run_cycle(config, database, config.sources)  # both baselines kept as documents
    assert await _count(database, baseline_documents) == 2

    recent = await database.retention.prune(utc_now() - timedelta(days=1), ["kept"])
    assert recent.documents == 0, "a removed source's document younger than the cutoff stays"
    pruned = await database.retention.prune(utc_now() + timedelta(days=1), ["kept"])
    assert pruned.documents == 1
    assert (await database.snapshots.source_states())["kept"].deferred
    assert not (await database.snapshots.source_states())["gone"].deferred
