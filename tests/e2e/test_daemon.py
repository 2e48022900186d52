"""`watcher run` as a process: checks on its interval, delivers, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_run_checks_on_interval_delivers_and_stops_on_sigterm(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    site.put("/case", news.article("Mokom case", ["The trial chamber sat today."]))
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("case", site.url("/case"), "page", interval="1s"),
        notifiers=webhook("hook", webhook_receiver.url),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "watcher", "run", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert wait_for(lambda: site.hits("/case") >= 1), "the daemon never checked the source"
        time.sleep(0.5)  # let the baseline commit
        site.put(
            "/case",
            news.article(
                "Mokom case",
                ["The trial chamber sat today.", "Judges ordered the release of Maxime Mokom."],
            ),
        )
        assert wait_for(lambda: len(webhook_receiver.payloads()) >= 1), "no alert was delivered"
        hits_before = site.hits("/case")
        assert wait_for(lambda: site.hits("/case") > hits_before), "the source is not re-checked"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    payloads = webhook_receiver.payloads()
    assert len(payloads) == 1
    assert payloads[0]["topics"] == ["Mokom"]
    assert payloads[0]["kind"] == "updated_item"
