"""Source health: after `failing_after` failures in a row each notifier hears "source failing"
once, and "recovered" once when it comes back; the recovery itself alerts nothing."""

from __future__ import annotations

from pathlib import Path

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.storage import Database

CASE = ["Maxime Mokom was transferred to the Court in 2022.", "Proceedings continue."]
NEWS = "On Friday the judges ordered Mokom's release after the charges were withdrawn."


async def test_failing_notice_once_then_recovered_once_without_alerts(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    site.put("/case", news.article("The Mokom case", CASE))
    path = write_config(
        tmp_path,
        database=database_url,
        sources=source("Mokom case page", site.url("/case"), "page"),
        notifiers=webhook("hook", webhook_receiver.url),
        extra_settings="failing_after = 2",
    )
    config = load_config(path)
    await run_cycle(config, database, config.sources)  # baseline

    site.fail("/case", 404)
    await run_cycle(config, database, config.sources)
    assert webhook_receiver.payloads() == []  # one failure is not yet "failing"
    for _ in range(2):  # the second failure announces it; the third stays quiet
        await run_cycle(config, database, config.sources)
    notices = webhook_receiver.payloads()
    assert [n["type"] for n in notices] == ["source_failing"]
    assert notices[0]["source"] == "Mokom case page"
    assert notices[0]["failures"] == 2 and "404" in notices[0]["error"]
    state = await database.snapshots.source_state("Mokom case page")
    assert state is not None and state.failure_streak == 3 and state.last_error
    assert state.last_check_at is not None and state.last_success_at is not None
    assert state.last_check_at > state.last_success_at

    # It comes back with a new development in it: recorded silently, announced as recovered.
    site.put("/case", news.article("The Mokom case", [*CASE, NEWS]))
    recovered = await run_cycle(config, database, config.sources)
    assert [a for r in recovered.reports for a in r.alerts] == []
    assert [n["type"] for n in webhook_receiver.payloads()] == [
        "source_failing",
        "source_recovered",
    ]
    state = await database.snapshots.source_state("Mokom case page")
    assert state is not None and state.failure_streak == 0 and state.last_error is None

    again = await run_cycle(config, database, config.sources)
    assert [a for r in again.reports for a in r.alerts] == []
    assert len(webhook_receiver.payloads()) == 2


async def test_short_outage_is_neither_announced_nor_silenced(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    site.put("/case", news.article("The Mokom case", CASE))
    path = write_config(
        tmp_path,
        database=database_url,
        sources=source("Mokom case page", site.url("/case"), "page"),
        notifiers=webhook("hook", webhook_receiver.url),
    )
    config = load_config(path)
    await run_cycle(config, database, config.sources)
    site.fail("/case", 404)
    await run_cycle(config, database, config.sources)
    site.put("/case", news.article("The Mokom case", [*CASE, NEWS]))
    back = await run_cycle(config, database, config.sources)
    # Below failing_after (default 6) a comeback is an ordinary check: the news is alerted.
    assert [a.kind for r in back.reports for a in r.alerts] == ["updated_item"]
    assert all("type" not in p for p in webhook_receiver.payloads())
