"""Short site histories run through the real pipeline: the harness of the SPEC rule tables.

A case is the sources to watch and the steps of a local site: the pages each step serves,
then the alerts that step must give (path, topics, kind). Every step is a fresh check cycle
against a real database with a real webhook receiver, so what a rule needs to remember must
come from the database, as after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support import news
from tests.support.configs import TOPICS, source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.storage import Database

Pages = dict[str, str | None]  # path -> body; None makes the path fail with HTTP 503
Expected = list[tuple[str, tuple[str, ...], str]]  # (path, topics, kind)
SourceSpec = tuple[str, str, str, dict[str, str | bool]]  # (name, path, kind, options)
# Content types by file ending; anything else is served as HTML.
_CONTENT_TYPES = {".xml": "application/rss+xml", ".atom": "application/atom+xml",
                  ".json": "application/feed+json"}  # fmt: skip


@dataclass
class Case:
    sources: list[SourceSpec]
    steps: list[tuple[Pages, Expected]]
    also_seen: dict[str, int] = field(default_factory=dict)  # path -> places in also_seen
    hours: tuple[float, ...] = ()  # when each step runs, in hours after the first (default 0)
    topics: str = TOPICS  # the [[topics]] tables of the config


def page(*paragraphs: str, most_read: str = "", title: str = "Story") -> str:
    """An article page; `most_read` puts a headline in its most-read box."""
    html = news.article(title, list(paragraphs))
    if most_read:
        html = html.replace("Weather: storms expected", most_read)
    return html


def apply(site: Site, pages: Pages) -> None:
    """Serve the step's pages (None: the path fails with 503)."""
    for path, body in pages.items():
        if body is None:
            site.fail(path, 503)
            continue
        ending = next((e for e in _CONTENT_TYPES if path.endswith(e)), None)
        if ending is None:
            site.put(path, body)
        else:
            site.put(path, body, _CONTENT_TYPES[ending])


def matches(path: str, alert_path: str) -> bool:
    """Whether an alert at `alert_path` is the expected one at `path` ("/a|/b": either)."""
    return alert_path in path.split("|") or (path.endswith("|/") and alert_path != "")


async def run_case(
    case: Case, tmp_path: Path, site: Site, database: Database, receiver: WebhookReceiver
) -> list[list[Any]]:
    """Run every step, assert its alerts, and return each step's payloads."""
    sources = "".join(
        source(title, site.url(path), kind, **options)
        for title, path, kind, options in case.sources
    )
    config = load_config(
        write_config(
            tmp_path,
            database="sqlite:///unused.db",
            sources=sources,
            notifiers=webhook("hook", receiver.url),
            topics=case.topics,
        )
    )
    history: list[list[Any]] = []
    start = datetime.now(UTC)
    for number, (pages, expected) in enumerate(case.steps):
        apply(site, pages)
        moment = start + timedelta(hours=case.hours[number] if case.hours else 0)
        await run_cycle(config, database, config.sources, clock=lambda moment=moment: moment)
        received = receiver.payloads()
        receiver.received.clear()
        _assert_alerts(number, received, expected, case.also_seen)
        history.append(received)
    return history


def _assert_alerts(
    number: int, received: list[Any], expected: Expected, also_seen: dict[str, int]
) -> None:
    got = sorted((urlsplit(p["url"]).path, tuple(sorted(p["topics"])), p["kind"]) for p in received)
    assert len(got) == len(expected), f"step {number}: {got}"
    for (path, topics, kind), (alert_path, alert_topics, alert_kind) in zip(
        sorted(expected), got, strict=True
    ):
        assert matches(path, alert_path), f"step {number}: {got}"
        assert (alert_topics, alert_kind) == (tuple(sorted(topics)), kind), f"step {number}: {got}"
    for payload in received:
        for path, places in also_seen.items():
            if matches(path, urlsplit(payload["url"]).path):
                assert len(payload["also_seen"]) == places, payload
