"""`watcher run` as a process: checks on its interval, delivers, stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.daemons import start_daemon, wait_for
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site


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
    process = start_daemon(path)
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


def test_sighup_applies_a_valid_config_and_keeps_the_old_one_when_broken(
    tmp_path: Path, site: Site
) -> None:
    site.put("/one", news.article("One", ["The trial chamber sat today."]))
    site.put("/two", news.article("Two", ["The registry published a notice."]))
    database = f"sqlite:///{tmp_path / 'w.db'}"
    one = source("one", site.url("/one"), "page", interval="1s")
    path = write_config(tmp_path, database=database, sources=one)
    process = start_daemon(path)
    try:
        assert wait_for(lambda: site.hits("/one") >= 1), "the daemon never checked the source"
        path.write_text(path.read_text() + "\n[[sources]]\nname = 'broken'\nkind = 'nope'\n")
        process.send_signal(signal.SIGHUP)
        hits = site.hits("/one")
        assert wait_for(lambda: site.hits("/one") >= hits + 2), "the old config stopped running"
        assert site.hits("/two") == 0
        write_config(
            tmp_path,
            database=database,
            sources=source("two", site.url("/two"), "page", interval="1s"),
        )
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: site.hits("/two") >= 2), "an added source was not scheduled"
        time.sleep(1.5)  # a check of the removed source already running may still finish
        removed_at = site.hits("/one")
        time.sleep(2.5)
        assert site.hits("/one") == removed_at, "a removed source is still checked"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "config reload rejected, the running config stays in effect" in err
    rejection = err.split("config reload rejected", 1)[1].splitlines()[0]
    assert "sources.toml:" in rejection, "the log line must say where the config is wrong"
    assert "config reloaded" in err


def test_a_second_daemon_on_one_sqlite_file_is_refused(tmp_path: Path, site: Site) -> None:
    site.put("/one", news.article("One", ["The trial chamber sat today."]))
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("one", site.url("/one"), "page", interval="1m"),
    )
    first = start_daemon(path)
    try:
        assert wait_for(lambda: site.hits("/one") >= 1), "the first daemon never started"
        second = start_daemon(path)
        _out, err = second.communicate(timeout=60)
        assert first.poll() is None, "the first daemon must keep running"
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert second.returncode == 1
    assert "another `watcher run`" in err
    assert "SQLite supports one daemon" in err
    assert "PostgreSQL" in err
    assert first.returncode == 0


def test_daemon_tells_notifiers_once_when_a_source_fails_and_once_when_it_recovers(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    site.put("/case", news.article("Mokom case", ["The trial chamber sat today."]))
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("case", site.url("/case"), "page", interval="1s"),
        notifiers=webhook("hook", webhook_receiver.url),
        extra_settings="failing_after = 2",
    )
    process = start_daemon(path)

    def notices() -> list[str]:
        return [str(p.get("type")) for p in webhook_receiver.payloads() if "type" in p]

    try:
        assert wait_for(lambda: site.hits("/case") >= 1), "the daemon never checked the source"
        time.sleep(0.5)
        site.fail("/case", 500)
        assert wait_for(lambda: notices() == ["source_failing"]), notices()
        failing_hits = site.hits("/case")
        assert wait_for(lambda: site.hits("/case") >= failing_hits + 2)
        assert notices() == ["source_failing"], "a failing source must be announced once"
        site.put(
            "/case",
            news.article(
                "Mokom case",
                ["The trial chamber sat today.", "Judges ordered the release of Maxime Mokom."],
            ),
        )
        assert wait_for(lambda: notices() == ["source_failing", "source_recovered"]), notices()
        recovered_hits = site.hits("/case")
        assert wait_for(lambda: site.hits("/case") >= recovered_hits + 2)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert notices() == ["source_failing", "source_recovered"]
    # What changed while the source was failing is recorded silently: no content alert.
    assert [p for p in webhook_receiver.payloads() if "type" not in p] == []
