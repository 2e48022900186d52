"""Deferred baselines: a first check that keeps the document instead of taking it apart.

A baseline alerts nothing; it only has to remember what a source said. For a page watched
whole (no `select`) and a feed whose entries are the items, the fetched document alone
determines everything a baseline would store. So the first check keeps that document as it
was fetched (still compressed) and extraction waits until the source first changes, when
there is something to compare it with. A source that never changes is never parsed, and a
cold cycle of thousands of sources costs a fetch and one row each.

What a user would otherwise learn from the first check is still checked at once: an empty
document, or a feed URL that serves no feed.
"""

from __future__ import annotations

from datetime import datetime

from watcher.analysis import Analysed
from watcher.content import Body
from watcher.errors import ExtractError
from watcher.extract import feed_items, looks_like_feed
from watcher.fetch import FetchResult
from watcher.models import Source
from watcher.storage import StoredDocument, StoredItem

# Enough decoded bytes to see a feed's root element past its XML prolog.
_SNIFF_BYTES = 4096


def defers_baseline(source: Source) -> bool:
    """Whether this source's baseline can be kept as its document (its items need no fetch)."""
    if source.kind == "page":
        # A `select` that matches nothing must be reported on the first check.
        return source.select is None
    return source.kind == "feed" and source.follow is not True


def check_deferrable(source: Source, result: FetchResult) -> None:
    """Raise ExtractError for a document a full baseline would have refused."""
    payload = result.payload
    head = payload.head(_SNIFF_BYTES)
    if not head.strip():
        raise ExtractError(f"empty document at {source.url}")
    if source.kind != "feed" or looks_like_feed(head, result.content_type):
        return
    # A JSON Feed is only known whole, and an XML prolog can outgrow the sniffed head:
    # parse it all before calling it no feed (feed_items raises ExtractError then).
    feed_items(source.url, payload.decoded(), result.content_type)


def kept_document(result: FetchResult, now: datetime) -> StoredDocument:
    """The fetched document as a deferred baseline keeps it."""
    return StoredDocument(
        content_type=result.content_type,
        coding=result.payload.coding,
        body=result.payload.raw,
        fetched_at=now,
    )


def kept_body(document: StoredDocument, url: str, limit: int) -> Body:
    """A kept document's body, to extract like a fresh fetch (same size cap)."""
    return Body(document.body, document.coding, url, limit)


def remembered(analysed: Analysed, now: datetime) -> StoredItem:
    """An item of a kept document as the store returns it once the baseline is settled."""
    item, analysis = analysed.item, analysed.analysis
    return StoredItem(
        key=item.key,
        url=item.url,
        title=item.title,
        text=item.text,
        content_hash=analysis.content_hash,
        etag=None,
        last_modified=None,
        pending=False,
        first_seen_at=now,
        seen_sentences=frozenset(analysis.keys),
    )
