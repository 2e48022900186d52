"""Where a development goes: a new alert with its notifiers, or a sighting of a story that
was already alerted (pure; the pipeline stores the result in the check's transaction)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from watcher.detect import ItemChange
from watcher.models import Alert, Config, Sighting
from watcher.storage import AlertWrite, SightingWrite, StoredStory
from watcher.stories import Story, find_same_story, from_stored, signature, stored_form


def route(config: Config, topics: Sequence[str]) -> tuple[str, ...]:
    """Names of the notifiers that take an alert about `topics`."""
    wanted = set(topics)
    return tuple(
        n.name for n in config.notifiers if n.topics is None or wanted.intersection(n.topics)
    )


def alert_id(source: str, item_key: str, kind: str, focus_keys: Sequence[str]) -> str:
    """A stable id: the same development found again (after a crash) gets the same id."""
    material = "\x1f".join([source, item_key, kind, *sorted(focus_keys)])
    return hashlib.blake2b(material.encode("utf-8"), digest_size=16).hexdigest()


def story_of(stored: StoredStory) -> tuple[str, Story]:
    """A stored alert's story, with its id, as deduplication compares stories."""
    whole, focus = from_stored(stored.story)
    return stored.alert_id, Story(
        source=stored.source,
        url=stored.url,
        kind=stored.kind,
        topics=stored.topics,
        signature=whole,
        focus=focus,
    )


def place(
    config: Config,
    source: str,
    change: ItemChange,
    now: datetime,
    known: list[tuple[str, Story]],
) -> AlertWrite | SightingWrite | None:
    """The change's development as a new alert (its story appended to `known`), as a
    sighting of a known story, or None when the change has no development."""
    development = change.development
    if development is None:
        return None
    item = change.write
    story = Story(
        source=source,
        url=item.url,
        kind=development.kind,
        topics=development.topics,
        signature=signature(development.story_text or development.focus_text),
        focus=signature(development.focus_text),
    )
    existing = find_same_story(story, known)
    if existing is not None:
        return SightingWrite(existing, Sighting(source, item.url))
    alert = Alert(
        id=alert_id(source, item.key, development.kind, development.focus_keys),
        topics=development.topics,
        source=source,
        url=item.url,
        title=item.title,
        kind=development.kind,
        excerpt=development.excerpt,
        detected_at=now,
        highlights=development.highlights,
    )
    known.append((alert.id, story))
    return AlertWrite(
        alert=alert,
        item_key=item.key,
        story=stored_form(story),
        notifiers=route(config, alert.topics),
    )
