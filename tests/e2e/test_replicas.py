"""Three `watcher run` processes on one PostgreSQL database, one killed mid-run.

Every source must be checked in every interval, never twice in one, and every alert must
reach the webhook exactly once, although the processes race for each check.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.daemons import TimedSite, start_daemon, wait_for
from tests.support.receiver import WebhookReceiver

pytestmark = pytest.mark.postgres

INTERVAL = 3.0
LEASE = 2.0
# Slack for process start-up, scheduling and a loaded 2-core machine: generous against
# timing noise, yet far below what a doubled check (a gap near 0) or a missed interval
# (a gap near 2 * INTERVAL) would show.
SLACK = 1.2
PATHS = ("/a", "/b", "/c", "/d")
WIRE = [
    "THE HAGUE (Wire) - Judges at the International Criminal Court ordered the release "
    "of Maxime Mokom on Tuesday after the prosecution withdrew the charges.",
    "Mokom had been held in The Hague since his surrender in March.",
]
MOTION = "Defence lawyers for Mokom filed a motion to dismiss on Friday."
ASSETS = "The registry said the assets of Mokom remain frozen pending appeal."


@pytest.fixture
def timed_site() -> Iterator[TimedSite]:
    with TimedSite() as server:
        yield server


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    return process.returncode, err


def test_three_replicas_split_the_work_and_survive_a_kill(
    tmp_path: Path,
    postgres_url: str,
    timed_site: TimedSite,
    webhook_receiver: WebhookReceiver,
) -> None:
    site = timed_site
    for path in PATHS:
        site.put(path, news.article(f"Page {path}", ["The court sat today."]))
    config = write_config(
        tmp_path,
        database=postgres_url,
        sources="".join(
            source(f"source {path}", site.url(path), "page", interval=f"{INTERVAL:g}s")
            for path in PATHS
        ),
        notifiers=webhook("hook", webhook_receiver.url),
        extra_settings=f'jitter = "0s"\nlease = "{LEASE:g}s"',
    )
    processes = [start_daemon(config) for _ in range(3)]
    try:
        assert wait_for(lambda: all(site.hits(p) >= 2 for p in PATHS), 30), "no baselines"
        site.put("/a", news.article("Page /a", ["The court sat today.", MOTION]))
        site.put("/c", news.article("Release ordered", WIRE))
        site.put("/d", news.article("Mokom freed, court says", [*WIRE, "Reporting by Wire."]))
        assert wait_for(lambda: len(webhook_receiver.payloads()) >= 2, 20), "alerts missing"
        processes[0].kill()  # SIGKILL: no clean-up, its leases must expire
        killed_at = time.monotonic()
        site.put("/b", news.article("Page /b", ["The court sat today.", ASSETS]))
        assert wait_for(lambda: len(webhook_receiver.payloads()) >= 3, 20), "alert after kill"
        time.sleep(max(0.0, killed_at + 3 * INTERVAL - time.monotonic()))
        stopped_at = time.monotonic()
    finally:
        results = [_stop(process) for process in processes]
    for returncode, err in results[1:]:
        assert returncode == 0, err

    ids = Counter(payload["id"] for payload in webhook_receiver.payloads())
    assert all(count == 1 for count in ids.values()), f"an alert was delivered twice: {ids}"
    payloads = webhook_receiver.payloads()
    assert sorted(p["source"] for p in payloads if p["source"] in ("source /a", "source /b")) == [
        "source /a",
        "source /b",
    ]
    story = [p for p in payloads if p["source"] in ("source /c", "source /d")]
    assert len(story) == 1, f"one wire story in two sources must give one alert: {payloads}"
    # The other outlet is recorded on the stored alert (it may have been sent before).
    with psycopg.connect(postgres_url.replace("+psycopg", "", 1)) as conn:
        row = conn.execute(
            "SELECT also_seen FROM alerts WHERE id = %s", [story[0]["id"]]
        ).fetchone()
    assert row is not None
    assert [seen["source"] for seen in row[0]] in (["source /c"], ["source /d"])
    assert len(ids) == 3

    for path in PATHS:
        times = site.hit_times(path)
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert min(gaps) > INTERVAL * 0.9 - SLACK, f"{path} checked twice in an interval: {gaps}"
        for earlier, gap in zip(times, gaps, strict=False):
            # A process killed mid-check holds its lease until it expires.
            allowed = INTERVAL + SLACK + (LEASE if earlier <= killed_at <= earlier + gap else 0)
            assert gap < allowed, f"{path} missed an interval: gaps {gaps}"
        assert stopped_at - times[-1] < INTERVAL + SLACK, f"{path} stopped being checked"
