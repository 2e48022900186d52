"""SIGHUP: read the config again, and say what a new config changes for a running daemon."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

from watcher.config import load_config
from watcher.errors import WatcherError
from watcher.models import Config, Settings

log = logging.getLogger(__name__)

# [watcher] keys that the running process cannot change under its feet: the database and
# the HTTP listener are opened once, the fetcher's politeness lives in its connection pool.
RESTART_ONLY = (
    "database",
    "http",
    "user_agent",
    "host_concurrency",
    "host_delay",
    "timeout",
    "max_bytes",
    "lease",
)


@dataclass(frozen=True, slots=True)
class Changes:
    """Which sources a new config adds, removes or changes; which settings need a restart."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    restart_only: tuple[str, ...]


def reread(path: Path) -> Config | None:
    """The config at `path`, or None (logged) if it no longer parses or validates."""
    try:
        return load_config(path)
    except (WatcherError, OSError) as exc:
        log.error(
            "config reload rejected, the running config stays in effect: %s",
            exc,
            extra={"config": str(path)},
        )
        return None


def compare(old: Config, new: Config) -> Changes:
    """What applying `new` over `old` means."""
    before = {source.name: source for source in old.sources}
    after = {source.name: source for source in new.sources}
    return Changes(
        added=tuple(name for name in after if name not in before),
        removed=tuple(name for name in before if name not in after),
        changed=tuple(name for name in after if name in before and before[name] != after[name]),
        restart_only=restart_only(old.settings, new.settings),
    )


def restart_only(old: Settings, new: Settings) -> tuple[str, ...]:
    """The changed [watcher] keys that take effect only after a restart."""
    names = {field.name for field in fields(Settings)}
    return tuple(
        name for name in RESTART_ONLY if name in names and getattr(old, name) != getattr(new, name)
    )
