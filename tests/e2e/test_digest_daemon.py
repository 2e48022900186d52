"""A digest notifier under a real `watcher run`: one signed message per step, kills lose none.

The daemon watches a feed (interval 1s) and delivers to a webhook with `digest = "10s"` (the
shortest the config allows). A step of new developments waits in the outbox for the digest;
the process is killed with SIGKILL while it waits, then restarted: the step arrives as ONE
signed message listing every alert of it. A second step, with the daemon left running, also
arrives as one message.
"""

from __future__ import annotations

import hashlib
import hmac
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.support import news
from tests.support.configs import source, toml_string, write_config
from tests.support.daemons import run_watcher, start_logged_daemon, wait_for
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site

# A digest goes out on a 10s boundary, then the daemon's next delivery round (every 15s).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SECRET = "digest-s3cret"
BASELINE = [("http://example.org/entry/0", "Entry 0", "A calendar of hearings.")]


# Distinct stories: near-identical texts would rightly be merged as one story.
STORIES = [
    "Mokom appeal hearing set for March by the chamber.",
    "Registry files reparations plan naming Mokom victims.",
    "Defence counsel for Mokom asks for interim release on conditions.",
    "Judges order disclosure of witness transcripts in the Mokom case.",
    "Prosecution withdraws two charges against Mokom after review.",
    "Plenary session elects a new registrar; Mokom status conference moved.",
    "Mokom travel ban lifted by the trial bench in a written decision.",
]


def entries_of_step(step: int, stories: list[str]) -> list[tuple[str, str, str]]:
    return [
        (f"http://example.org/entry/{step}-{n}", f"Entry {step}-{n}", story)
        for n, story in enumerate(stories)
    ]


def outbox(database: Path) -> tuple[int, Counter[str]]:
    """Deliveries waiting for a digest, and every delivery's status."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT status, digest FROM deliveries").fetchall()
    waiting = sum(1 for status, digest in rows if status == "pending" and digest)
    return waiting, Counter(status for status, _ in rows)


def alert_titles(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT id, title FROM alerts").fetchall())


def test_digest_is_one_signed_message_per_step_and_survives_sigkill(
    tmp_path: Path, site: Site
) -> None:
    database = tmp_path / "w.db"
    entries = list(BASELINE)
    site.put("/feed.xml", news.rss(entries), "application/rss+xml")
    with WebhookReceiver() as receiver:
        notifier = (
            f'[[notifiers]]\nname = "hook"\ntype = "webhook"\nurl = {toml_string(receiver.url)}\n'
            f'secret = "{SECRET}"\ndigest = "10s"\n'
        )
        config = write_config(
            tmp_path,
            database=f"sqlite:///{database}",
            sources=source("feed", site.url("/feed.xml"), "feed", interval="1s"),
            notifiers=notifier,
        )
        baseline = run_watcher("check", "--config", str(config))
        assert baseline.returncode == 0, baseline.stderr

        # Step 1: four developments wait for the digest; SIGKILL while they wait.
        entries += entries_of_step(1, STORIES[:4])
        site.put("/feed.xml", news.rss(entries), "application/rss+xml")
        log = tmp_path / "daemon.log"
        process = start_logged_daemon(config, log)
        try:
            deferred = wait_for(lambda: outbox(database)[0] == 4, timeout=60)
            posted_before_kill = len(receiver.received)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert deferred, f"no digest waiting: {outbox(database)}; {log.read_text()[-3000:]}"
        assert posted_before_kill == 0  # the kill came while the digest was pending

        # Restart: the waiting digest goes out; then step 2 arrives with the daemon running.
        process = start_logged_daemon(config, log)
        try:
            first = wait_for(lambda: len(receiver.received) >= 1, timeout=60)
            entries += entries_of_step(2, STORIES[4:])
            site.put("/feed.xml", news.rss(entries), "application/rss+xml")
            second = wait_for(lambda: outbox(database)[1] == Counter({"sent": 7}), timeout=90)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        err = log.read_text()
        assert first and second, (
            f"digests not delivered: {outbox(database)}, {site.hits('/feed.xml')} checks; "
            f"{err[-3000:]}"
        )
        assert process.returncode == 0, err

    titles = alert_titles(database)
    steps = [
        {f"Entry 1-{n}" for n in range(4)},
        {f"Entry 2-{n}" for n in range(3)},
    ]
    assert len(receiver.received) == 2  # one message per step, nothing else
    for received, expected_titles in zip(receiver.received, steps, strict=True):
        expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
        assert received.headers["X-Watcher-Signature"] == f"sha256={expected}"
        body = received.json()
        assert body["digest"] is True and body["id"].startswith("digest-")
        assert received.headers["X-Watcher-Digest-Id"] == body["id"]
        ids = [alert["id"] for alert in body["alerts"]]
        assert len(ids) == len(set(ids))
        assert {titles[alert_id] for alert_id in ids} == expected_titles
        assert {alert["title"] for alert in body["alerts"]} == expected_titles
