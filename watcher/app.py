"""Wiring shared by `watcher check` and `watcher run`: the fetcher and notifiers of a config."""

from __future__ import annotations

from watcher.fetch import Fetcher
from watcher.models import Config
from watcher.notifiers import Notifier, build_notifier


def fetcher_for(config: Config) -> Fetcher:
    """The polite HTTP client that [watcher] describes."""
    settings = config.settings
    return Fetcher(
        user_agent=settings.user_agent,
        host_concurrency=settings.host_concurrency,
        host_delay=settings.host_delay,
        timeout=settings.timeout,
        max_bytes=settings.max_bytes,
    )


def notifiers_for(config: Config) -> dict[str, Notifier]:
    """Every configured notifier, by name."""
    agent = config.settings.user_agent
    return {s.name: build_notifier(s, user_agent=agent) for s in config.notifiers}


async def close_notifiers(notifiers: dict[str, Notifier]) -> None:
    """Release the notifiers' clients."""
    for notifier in notifiers.values():
        await notifier.aclose()
