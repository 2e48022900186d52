"""Plain values that go into and come out of the store; callers never see rows or sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watcher.models import Alert, Sighting
from watcher.notices import Notice


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about one source between checks."""

    name: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    baselined: bool
    last_check_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    failure_streak: int
    # The baseline is a stored document not yet extracted (see watcher/deferral.py).
    deferred: bool = False


@dataclass(frozen=True, slots=True)
class StoredItem:
    """The latest snapshot of an item and every sentence it has said."""

    key: str
    url: str
    title: str
    text: str
    content_hash: str
    etag: str | None
    last_modified: str | None
    pending: bool
    first_seen_at: datetime
    seen_sentences: frozenset[str]


@dataclass(frozen=True, slots=True)
class ItemWrite:
    """A snapshot to record; `sentence_keys` are the keys of its current sentences."""

    key: str
    url: str
    title: str
    text: str
    content_hash: str
    sentence_keys: tuple[str, ...]
    etag: str | None = None
    last_modified: str | None = None
    pending: bool = False
    # sentence_hash() of each of `sentence_keys` when already computed (empty: hash on write).
    sentence_hashes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertWrite:
    """A new alert with its story signature and the notifiers that take it."""

    alert: Alert
    item_key: str
    story: tuple[int, ...]
    notifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SightingWrite:
    """Another place where an already stored alert's story was found."""

    alert_id: str
    sighting: Sighting


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A recent alert, as the deduplication step needs it."""

    alert_id: str
    source: str
    url: str
    kind: str
    topics: tuple[str, ...]
    story: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CheckWrite:
    """Everything one successful source check records, committed in one transaction."""

    source: str
    checked_at: datetime
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    items: tuple[ItemWrite, ...] = ()
    alerts: tuple[AlertWrite, ...] = ()
    sightings: tuple[SightingWrite, ...] = ()
    # The source's items are now stored: its deferred baseline document is dropped.
    settles_deferred: bool = False


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document kept as fetched: the body still in its content codings."""

    content_type: str | None
    coding: str
    body: bytes
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class DeferredWrite:
    """A silent first check that keeps the fetched document instead of its items."""

    source: str
    checked_at: datetime
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    document: StoredDocument


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery of one alert to one notifier."""

    id: int
    notifier: str
    attempts: int
    created_at: datetime
    alert: Alert
    # True: the delivery waits for (or is part of) one digest message.
    digest: bool = False


@dataclass(frozen=True, slots=True)
class DueNotice:
    """A claimed delivery of one source health notice to one notifier."""

    id: int
    notifier: str
    attempts: int
    created_at: datetime
    notice: Notice
