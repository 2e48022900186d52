"""SIGKILL `watcher run` at random moments during checks and deliveries: no alert is lost.

A real daemon process watches a feed on the local site (interval 1s) and delivers to a
real, slightly slow webhook receiver. Each step adds several new developments, then the
process is killed with SIGKILL: sometimes at a random moment, sometimes right as a POST
arrives (between a send and its commit). After the last restart every alert the database
holds must have reached the receiver, and every development must have become an alert;
repeats are allowed only as the same id with the same body.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support import news
from tests.support.configs import source, toml_string, write_config
from tests.support.daemons import run_watcher, start_logged_daemon, wait_for
from tests.support.servers import BackgroundServer, QuietHandler
from tests.support.site import Site

# Slow: ~25 s alone; the drain deadline below is generous for a busy shared machine. The
# daemons log to files: a daemon logging into an unread pipe blocks once 64 KiB are buffered.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

KILLS = 14
PER_STEP = 3
SEED = 20261129
WORDS = [
    "chamber",
    "appeal",
    "registry",
    "witness",
    "hearing",
    "counsel",
    "defence",
    "motion",
    "ruling",
    "detention",
    "warrant",
    "custody",
    "evidence",
    "transcript",
    "judges",
    "bench",
    "filing",
    "deadline",
    "victims",
    "reparations",
    "prosecution",
    "hearing",
    "confirmation",
    "charges",
    "tribunal",
    "mandate",
    "review",
    "plenary",
    "statute",
    "article",
    "session",
    "closing",
    "opening",
    "interim",
    "release",
    "conditions",
    "surety",
    "travel",
    "bail",
    "decision",
    "order",
    "schedule",
    "status",
    "conference",
    "submissions",
    "observations",
    "response",
    "reply",
    "request",
    "leave",
]


class SlowReceiver(BackgroundServer):
    """Records every POST body; answers 200 after a short pause (a window to kill in)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died mid-request: like any HTTP server, accept nothing (it got
                    # no answer, so the alert is still pending and will be sent again).
                    return
                receiver.arrived.set()
                time.sleep(0.05)
                with receiver._lock:
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)

    def ids(self) -> Counter[str]:
        with self._lock:
            return Counter(json.loads(body)["id"] for body in self.bodies)

    def bodies_by_id(self) -> dict[str, set[bytes]]:
        found: dict[str, set[bytes]] = {}
        with self._lock:
            for body in self.bodies:
                found.setdefault(json.loads(body)["id"], set()).add(body)
        return found


def development(rng: random.Random, number: int) -> tuple[str, str, str]:
    words = " ".join(rng.sample(WORDS, 14))
    guid = f"http://example.org/entry/{number}"
    return guid, f"Entry {number}", f"Mokom {words}."


def read_outbox(database: Path) -> tuple[set[str], Counter[str]]:
    with sqlite3.connect(database) as conn:
        alert_ids = {row[0] for row in conn.execute("SELECT id FROM alerts")}
        statuses = Counter(row[0] for row in conn.execute("SELECT status FROM deliveries"))
    return alert_ids, statuses


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_sigkill_at_random_moments_loses_no_alert(tmp_path: Path, site: Site) -> None:
    rng = random.Random(SEED)
    database = tmp_path / "w.db"
    entries = [("http://example.org/entry/0", "Entry 0", "A calendar of hearings.")]
    site.put("/feed.xml", news.rss(entries), "application/rss+xml")
    with SlowReceiver() as receiver:
        notifier = (
            f'[[notifiers]]\nname = "hook"\ntype = "webhook"\n'
            f"url = {toml_string(receiver.base + '/hook')}\nmax_per_hour = 10000\n"
        )
        config = write_config(
            tmp_path,
            database=f"sqlite:///{database}",
            sources=source("feed", site.url("/feed.xml"), "feed", interval="1s"),
            notifiers=notifier,
        )
        # The baseline is recorded first, so every later entry is a development.
        baseline = run_watcher("check", "--config", str(config))
        assert baseline.returncode == 0, baseline.stderr
        kills_mid_post = 0
        for step in range(KILLS):
            for _ in range(PER_STEP):
                entries.append(development(rng, len(entries)))
            site.put("/feed.xml", news.rss(entries), "application/rss+xml")
            receiver.arrived.clear()
            log = tmp_path / f"daemon-{step}.log"
            process = start_logged_daemon(config, log)
            try:
                if step % 2 and receiver.arrived.wait(timeout=15):
                    time.sleep(rng.uniform(0.0, 0.06))  # inside the send-to-commit window
                    kills_mid_post += 1
                else:
                    time.sleep(rng.uniform(0.3, 2.5))  # anywhere: startup, check, commit, send
            finally:
                kill(process)
            assert "Traceback" not in log.read_text(), log.read_text()

        expected = len(entries) - 1
        log = tmp_path / "daemon-last.log"
        process = start_logged_daemon(config, log)
        try:
            delivered = wait_for(
                lambda: (
                    read_outbox(database)[1].get("pending", 0) == 0
                    and len(read_outbox(database)[0]) == expected
                ),
                timeout=150,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        err = log.read_text()
        assert process.returncode == 0, err
        assert delivered, f"outbox not drained: {read_outbox(database)}, {expected} expected; {err}"

        alert_ids, statuses = read_outbox(database)
        received = receiver.ids()
        assert len(alert_ids) == expected  # every development became exactly one alert
        assert set(received) == alert_ids  # nothing missing, nothing unknown
        assert statuses == Counter({"sent": expected})
        # A repeat is the same alert again: same id, same body.
        assert all(len(bodies) == 1 for bodies in receiver.bodies_by_id().values())
        assert kills_mid_post >= KILLS // 4
        repeats = sum(received.values()) - len(received)
        # Only the send in flight when a process dies can be repeated: one per kill at most.
        assert repeats <= KILLS
        print(f"{KILLS} kills ({kills_mid_post} mid-POST), {expected} alerts, {repeats} repeats")
