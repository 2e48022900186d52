"""`watcher alerts`, `watcher alerts retry ID` and `watcher notify-test NAME` as commands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tests.support.configs import source, webhook, write_config
from tests.support.daemons import run_watcher
from tests.support.receiver import WebhookReceiver
from watcher.models import Alert
from watcher.storage import AlertWrite, CheckWrite, open_database


def config_for(tmp_path: Path, receiver: WebhookReceiver) -> Path:
    return write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("case", "http://127.0.0.1:9/case", "page"),
        notifiers=webhook("hook", receiver.url),
    )


async def seed(database_url: str) -> None:
    database = await open_database(database_url)
    alert = Alert(
        id="alert-1",
        topics=("Mokom",),
        source="case",
        url="https://example.org/case",
        title="Mokom released",
        kind="new_item",
        excerpt="Judges ordered Mokom's release.",
        detected_at=datetime.now(UTC),
    )
    write = AlertWrite(alert=alert, item_key=alert.url, story=(1,), notifiers=("hook",))
    now = datetime.now(UTC)
    await database.snapshots.commit_check(
        CheckWrite("case", now, None, None, None, alerts=(write,))
    )
    await database.close()


def test_notify_test_sends_a_sample_alert(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    result = run_watcher(
        "notify-test", "hook", "--config", str(config_for(tmp_path, webhook_receiver))
    )
    assert result.returncode == 0, result.stderr
    (payload,) = webhook_receiver.payloads()
    assert payload["id"].startswith("test-") and payload["title"] == "watcher test alert"


def test_notify_test_says_what_went_wrong(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.status = 404
    config = str(config_for(tmp_path, webhook_receiver))
    result = run_watcher("notify-test", "hook", "--config", config)
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr and "permanent" in result.stderr
    unknown = run_watcher("notify-test", "nope", "--config", config)
    assert unknown.returncode == 2 and "'hook'" in unknown.stderr


def test_alerts_lists_failed_deliveries_and_retry_sends_them(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    config = config_for(tmp_path, webhook_receiver)
    asyncio.run(seed(f"sqlite:///{tmp_path / 'w.db'}"))
    webhook_receiver.status = 404
    retry = run_watcher("alerts", "retry", "alert-1", "--config", str(config))
    assert retry.returncode == 0, retry.stderr
    assert "HTTP 404" in retry.stderr  # tried, failed for good
    listing = run_watcher("alerts", "--config", str(config))
    assert listing.returncode == 0, listing.stderr
    assert "hook: 0 pending, 0 sent, 1 failed" in listing.stdout
    assert "Failed" in listing.stdout and "HTTP 404" in listing.stdout
    assert "alert-1" in listing.stdout

    webhook_receiver.status = 200
    again = run_watcher("alerts", "retry", "alert-1", "--config", str(config))
    assert again.returncode == 0, again.stderr
    assert "delivered 1" in again.stdout
    assert [p["id"] for p in webhook_receiver.payloads()] == ["alert-1"]
    sent = run_watcher("alerts", "--status", "sent", "--config", str(config))
    assert "hook: 0 pending, 1 sent, 0 failed" in sent.stdout and "alert-1" in sent.stdout
    nothing = run_watcher("alerts", "retry", "no-such-alert", "--config", str(config))
    assert nothing.returncode == 2
