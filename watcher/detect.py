"""What is new in one item: the sentences it adds that mention a followed topic (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.diff import added_sentences
from watcher.excerpt import build_excerpt
from watcher.match import Matcher, Mention
from watcher.models import AlertKind, Item
from watcher.storage.records import ItemWrite, StoredItem
from watcher.text import sentence_key, split_sentences

EXCERPT_LIMIT = 600


@dataclass(frozen=True, slots=True)
class Development:
    """New text of an item that mentions topics: the stuff of one alert."""

    kind: AlertKind
    topics: tuple[str, ...]
    excerpt: str
    highlights: tuple[tuple[int, int], ...]
    focus_keys: tuple[str, ...]
    focus_text: str


@dataclass(frozen=True, slots=True)
class ItemChange:
    """The snapshot to store for an item, and its development if there is one."""

    write: ItemWrite
    development: Development | None


def content_hash(text: str) -> str:
    """Identity of an item's text: unchanged text skips diffing entirely."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def detect(
    item: Item,
    previous: StoredItem | None,
    matcher: Matcher,
    topics: Sequence[str],
    *,
    silent: bool,
    etag: str | None = None,
    last_modified: str | None = None,
) -> ItemChange:
    """Compare `item` with its stored snapshot; `silent` records without alerting (baseline)."""
    sentences = split_sentences(item.text)
    digest = content_hash(item.text)
    write = ItemWrite(
        key=item.key,
        url=item.url,
        title=item.title,
        text=item.text,
        content_hash=digest,
        sentence_keys=tuple(sentence_key(s) for s in sentences),
        etag=etag,
        last_modified=last_modified,
    )
    if silent or (previous is not None and (previous.pending or previous.content_hash == digest)):
        return ItemChange(write, None)
    if previous is None:
        kind: AlertKind = "new_item"
        fresh = list(range(len(sentences)))
        context_text = item.text
    else:
        kind = "updated_item"
        fresh = added_sentences(sentences, previous.seen_sentences)
        context_text = previous.text + "\n" + item.text
    if not fresh:
        return ItemChange(write, None)
    return ItemChange(write, _development(kind, sentences, fresh, context_text, matcher, topics))


def _development(
    kind: AlertKind,
    sentences: Sequence[str],
    fresh: Sequence[int],
    context_text: str,
    matcher: Matcher,
    topics: Sequence[str],
) -> Development | None:
    allowed = matcher.topics_in_context(context_text, topics)
    if not allowed:
        return None
    mentions: dict[int, list[Mention]] = {}
    for index in fresh:
        found = matcher.mentions(sentences[index], allowed, within=context_text)
        if found:
            mentions[index] = found
    if not mentions:
        return None
    focus = sorted(mentions)
    mentioned = {mention.topic for found in mentions.values() for mention in found}
    excerpt, highlights = build_excerpt(sentences, focus, mentions, limit=EXCERPT_LIMIT)
    return Development(
        kind=kind,
        topics=tuple(name for name in topics if name in mentioned),
        excerpt=excerpt,
        highlights=highlights,
        focus_keys=tuple(sentence_key(sentences[i]) for i in focus),
        focus_text="\n".join(sentences[i] for i in focus),
    )
