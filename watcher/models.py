"""Plain values that travel along the pipeline; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

SourceKind = Literal["page", "listing", "feed"]
AlertKind = Literal["new_item", "updated_item"]

SOURCE_KINDS: tuple[SourceKind, ...] = ("page", "listing", "feed")


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret from the config: it never shows in repr, str, logs or output."""

    value: str = field(repr=False)

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self.value

    def __str__(self) -> str:
        return "***"

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True, slots=True)
class Topic:
    """A followed topic: terms that mention it, context it needs, look-alikes to ignore."""

    name: str
    terms: tuple[str, ...]
    context: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A watched page, listing or feed; durations are in seconds."""

    name: str
    url: str
    kind: SourceKind
    interval: float
    topics: tuple[str, ...]
    select: str | None = None
    # listing: CSS selector of article links (None: every link in the region);
    # feed: True fetches each entry's linked article; page: unused.
    follow: str | bool | None = None
    recheck: float = 48 * 3600.0
    baseline: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    """The [watcher] table; durations in seconds."""

    database: str
    interval: float = 15 * 60.0
    user_agent: str = "watcher (+https://github.com/storywatcher/watcher)"
    host_concurrency: int = 2
    host_delay: float = 1.0
    http: str | None = None
    dedupe_window: float = 72 * 3600.0
    give_up_after: float = 24 * 3600.0
    timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    # Daemon operation: the most a check starts late (spreads checks), how long a process
    # holds a source's check lease, and how long snapshots and sent alerts are kept.
    jitter: float = 60.0
    lease: float = 2 * 60.0
    keep: float = 90 * 86400.0
    # After this many failed checks in a row every notifier hears "source failing" once.
    failing_after: int = 6


# Without a limit a first check of a big source (with `baseline = false`) would send one
# message per item; past this many single alerts an hour the rest wait for one digest.
DEFAULT_MAX_PER_HOUR = 20


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When a digest notifier sends its batch: every `every` seconds, or daily at `at` in `zone`."""

    every: float | None = None
    at: tuple[int, int] | None = None  # (hour, minute)
    zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """An [[notifiers]] table of type "email"."""

    name: str
    smtp: str
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password: Secret | None = None
    allow_insecure_auth: bool = False
    topics: tuple[str, ...] | None = None
    give_up_after: float | None = None
    timeout: float = 30.0
    digest: DigestSchedule | None = None
    max_per_hour: int | None = DEFAULT_MAX_PER_HOUR


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """An [[notifiers]] table of type "webhook"."""

    name: str
    url: str
    secret: Secret | None = None
    topics: tuple[str, ...] | None = None
    give_up_after: float | None = None
    timeout: float = 30.0
    digest: DigestSchedule | None = None
    max_per_hour: int | None = DEFAULT_MAX_PER_HOUR


@dataclass(frozen=True, slots=True)
class AppriseSettings:
    """An [[notifiers]] table of type "apprise": chat and push services by apprise URL."""

    name: str
    urls: tuple[Secret, ...]  # apprise URLs carry tokens: kept secret
    topics: tuple[str, ...] | None = None
    give_up_after: float | None = None
    timeout: float = 30.0
    digest: DigestSchedule | None = None
    max_per_hour: int | None = DEFAULT_MAX_PER_HOUR


NotifierSettings = EmailSettings | WebhookSettings | AppriseSettings


@dataclass(frozen=True, slots=True)
class Config:
    """A whole sources.toml, parsed and checked once."""

    path: Path
    settings: Settings
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    notifiers: tuple[NotifierSettings, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """The unit that is matched and alerted on: a page, an article or a feed entry."""

    key: str
    url: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Sighting:
    """Another place where the same development was found."""

    source: str
    url: str


@dataclass(frozen=True, slots=True)
class Alert:
    """A new development, as stored in the outbox and sent to notifiers."""

    id: str
    topics: tuple[str, ...]
    source: str
    url: str
    title: str
    kind: AlertKind
    excerpt: str
    detected_at: datetime
    also_seen: tuple[Sighting, ...] = ()
    # Character spans of matched terms inside `excerpt`, for highlighting.
    highlights: tuple[tuple[int, int], ...] = ()
