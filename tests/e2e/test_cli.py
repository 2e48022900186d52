"""`watcher` as a user runs it: a subprocess, a config file, a local site and receiver."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.daemons import run_watcher
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site

ROOT = Path(__file__).resolve().parents[2]


def test_validate_bundled_config_exits_0() -> None:
    result = run_watcher("validate", "--config", str(ROOT / "sources.toml"))
    assert result.returncode == 0, result.stderr
    assert "Karim Khan" in result.stdout


def test_validate_broken_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        '[watcher]\nintervall = "15m"\n'
        '[[topics]]\nname = "Mokom"\nterms = ["Mokom"]\n'
        '[[sources]]\nname = "x"\nurl = "https://example.org/"\n',
        encoding="utf-8",
    )
    result = run_watcher("validate", "--config", str(config))
    assert result.returncode == 2
    assert "intervall" in result.stderr
    assert "interval" in result.stderr.replace("intervall", "")  # the "did you mean"
    assert str(config.name) in result.stderr


def test_validate_masks_secrets(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("x", "https://example.org/", "page"),
        notifiers=webhook("hook", "https://hooks.example.org/w", secret="${HOOK_SECRET}"),
    )
    result = run_watcher("validate", "--config", str(path), env={"HOOK_SECRET": "topsecret-value"})
    assert result.returncode == 0, result.stderr
    assert "topsecret-value" not in result.stdout + result.stderr


def test_check_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("x", "https://example.org/", "page"),
    )
    result = run_watcher("check", "--config", str(path), "--source", "nope")
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_check_is_silent_on_baseline_then_alerts_once(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    site.put("/release", news.article("Press release", ["The Court held a hearing."]))
    path = write_config(
        tmp_path,
        database="sqlite:///watcher.db",  # relative: lands next to the config
        sources=source("ICC release", site.url("/release"), "page"),
        notifiers=webhook("hook", webhook_receiver.url),
    )

    first = run_watcher("check", "--config", str(path))
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "watcher.db").exists()
    assert webhook_receiver.payloads() == []

    site.put(
        "/release",
        news.article(
            "Press release",
            [
                "The Court held a hearing.",
                "ICC Prosecutor Karim A.A. Khan KC requested the warrants on Monday.",
            ],
        ),
    )
    dry = run_watcher("check", "--config", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    printed = [json.loads(line) for line in dry.stdout.splitlines() if line.startswith("{")]
    assert [p["topics"] for p in printed] == [["Karim Khan"]]
    assert webhook_receiver.payloads() == []  # a dry run sends nothing ...

    second = run_watcher("check", "--config", str(path))  # ... and stores nothing
    assert second.returncode == 0, second.stderr
    payloads = webhook_receiver.payloads()
    assert len(payloads) == 1
    assert payloads[0]["kind"] == "updated_item"
    assert payloads[0]["id"] == printed[0]["id"]  # the id is stable

    third = run_watcher("check", "--config", str(path))
    assert third.returncode == 0
    assert len(webhook_receiver.payloads()) == 1


def test_check_with_failed_source_still_exits_0(tmp_path: Path, site: Site) -> None:
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("gone", site.url("/missing"), "page"),
    )
    result = run_watcher("check", "--config", str(path))
    assert result.returncode == 0
    assert "gone" in result.stderr and "404" in result.stderr


def test_check_with_unreachable_database_exits_1(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        database="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        sources=source("x", "https://example.org/", "page"),
    )
    result = run_watcher("check", "--config", str(path))
    assert result.returncode == 1
    assert "database" in result.stderr.lower()
