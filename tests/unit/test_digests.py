"""Digest schedules and the delivery keys of a notifier table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from watcher.config import load_config
from watcher.digests import digest_id, next_digest
from watcher.errors import ConfigError
from watcher.models import DEFAULT_MAX_PER_HOUR, AppriseSettings, DigestSchedule


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (DigestSchedule(every=3600), "2026-11-29T12:00:00", "2026-11-29T13:00:00"),
        (DigestSchedule(every=3600), "2026-11-29T12:59:59", "2026-11-29T13:00:00"),
        (DigestSchedule(every=900), "2026-11-29T12:20:00", "2026-11-29T12:30:00"),
        (DigestSchedule(at=(8, 0)), "2026-11-29T07:00:00", "2026-11-29T08:00:00"),
        (DigestSchedule(at=(8, 0)), "2026-11-29T08:00:00", "2026-11-30T08:00:00"),
        # 08:00 in Paris is 07:00 UTC in winter and 06:00 UTC in summer.
        (
            DigestSchedule(at=(8, 0), zone="Europe/Paris"),
            "2026-11-29T12:00:00",
            "2026-11-30T07:00:00",
        ),
        (
            DigestSchedule(at=(8, 0), zone="Europe/Paris"),
            "2026-07-01T05:00:00",
            "2026-07-01T06:00:00",
        ),
        # Across the spring change (29 March 2026) the digest stays at 08:00 local time.
        (
            DigestSchedule(at=(8, 0), zone="Europe/Paris"),
            "2026-03-28T09:00:00",
            "2026-03-29T06:00:00",
        ),
    ],
)
def test_next_digest(schedule: DigestSchedule, now: str, expected: str) -> None:
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert next_digest(schedule, moment) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_digest_id_is_stable_and_order_free() -> None:
    assert digest_id(["b", "a"]) == digest_id(["a", "b"]) != digest_id(["a"])


BASE = """
[watcher]
database = "sqlite:///w.db"
[[topics]]
name = "Mokom"
terms = ["Mokom"]
[[sources]]
name = "s"
url = "https://example.org/"
kind = "page"
[[notifiers]]
name = "chat"
type = "apprise"
urls = ["json://127.0.0.1:8080/hook", "ntfy://127.0.0.1:8081/topic"]
"""


def load(tmp_path: Path, extra: str) -> AppriseSettings:
    path = tmp_path / "sources.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    (notifier,) = load_config(path, environ={}).notifiers
    assert isinstance(notifier, AppriseSettings)
    return notifier


def test_apprise_notifier_with_digest_and_limit(tmp_path: Path) -> None:
    chat = load(tmp_path, 'digest = "08:30 Europe/Paris"\nmax_per_hour = 5\n')
    assert chat.urls[0].reveal() == "json://127.0.0.1:8080/hook"
    assert "127.0.0.1" not in repr(chat)  # apprise URLs carry tokens
    assert chat.digest == DigestSchedule(at=(8, 30), zone="Europe/Paris")
    assert chat.max_per_hour == 5


def test_defaults(tmp_path: Path) -> None:
    chat = load(tmp_path, "")
    assert chat.digest is None and chat.max_per_hour == DEFAULT_MAX_PER_HOUR
    assert load(tmp_path, 'digest = "1h"\n').digest == DigestSchedule(every=3600)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ('digest = "25:00"\n', "no such time of day"),
        ('digest = "08:00 Mars/Olympus"\n', "unknown time zone"),
        ('digest = "soon"\n', "daily time"),
        ('digest = "1s"\n', "at least 10s"),
        ("max_per_hour = 0\n", "at least 1"),
    ],
)
def test_bad_delivery_keys_are_located_errors(tmp_path: Path, extra: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, extra)
    assert reason in str(caught.value)
    assert caught.value.key in ("digest", "max_per_hour")


def test_a_bad_apprise_url_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(BASE.replace("ntfy://", "nosuchservice://"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "URL #2" in str(caught.value) and caught.value.key == "urls"
