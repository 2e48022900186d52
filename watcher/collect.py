"""Fetch and extract one source into items: a page, a listing's articles, a feed's entries."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watcher.analysis import Analysed, Analysis
from watcher.batching import Coalescer
from watcher.deferral import check_deferrable, kept_body, kept_document, remembered
from watcher.errors import StorageError, WatcherError
from watcher.extract import decode_html, listing_links
from watcher.fetch import Fetcher, FetchResult
from watcher.models import Item, Source
from watcher.parsing import INLINE, Document, Extractor
from watcher.storage import SourceState, StoredDocument, StoredItem
from watcher.storage.snapshots import SnapshotStore
from watcher.urls import normalize_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fetched:
    """An item with the HTTP validators of the document it came from."""

    item: Item
    etag: str | None = None
    last_modified: str | None = None
    # analyse(item.text), computed next to the extraction (None: detect() computes it).
    analysis: Analysis | None = None


@dataclass(frozen=True, slots=True)
class Lead:
    """An article known only by its link: its fetch failed or is still to come."""

    key: str
    url: str
    title: str


@dataclass(slots=True)
class Collection:
    """What one fetch of a source produced."""

    etag: str | None
    last_modified: str | None
    content_hash: str | None
    unchanged: bool = False
    # Every commit of a check marks the source baselined, so a source that is not has no
    # stored items: a cold cycle skips reading snapshots that cannot exist.
    has_snapshots: bool = True
    items: list[Fetched] = field(default_factory=list)
    failed: list[Lead] = field(default_factory=list)
    known: dict[str, StoredItem] = field(default_factory=dict)
    # A deferred baseline: the document to keep instead of items.
    document: StoredDocument | None = None
    # The items of the document a deferred baseline kept, now that the source has changed
    # (they are also in `known`); empty when that document could not be read.
    earlier: list[Fetched] = field(default_factory=list)
    # The kept document could not be read: this check's items become the baseline.
    rebaseline: bool = False


@dataclass(slots=True)
class _ItemsRead:
    """One source's request for its stored snapshots, answered in a batch with others."""

    source: str
    keys: list[str]
    found: dict[str, StoredItem] = field(default_factory=dict)


def body_hash(body: bytes) -> str:
    """Identity of a fetched body: the same bytes are not parsed twice."""
    return hashlib.sha256(body).hexdigest()


class Collector:
    """Turns a source into items, fetching only what may have changed."""

    def __init__(self, fetcher: Fetcher, snapshots: SnapshotStore) -> None:
        self._fetcher = fetcher
        self._snapshots = snapshots
        # Swapped for a process-pool extractor for the length of a big cycle.
        self.extractor: Extractor = INLINE
        # Snapshot reads of checks that finish fetching together share one round of queries.
        self._reads: Coalescer[_ItemsRead] = Coalescer(self._read_batch, limit=200)

    async def _read_batch(self, reads: Sequence[_ItemsRead]) -> None:
        answers = await self._snapshots.load_items_many([(r.source, r.keys) for r in reads])
        for read, found in zip(reads, answers, strict=True):
            read.found = found

    async def _load_items(self, source: str, keys: list[str]) -> dict[str, StoredItem]:
        read = _ItemsRead(source, keys)
        await self._reads.submit(read)
        return read.found

    async def collect(
        self, source: Source, state: SourceState | None, now: datetime, *, defer: bool = False
    ) -> Collection:
        """Fetch `source` (conditionally) and extract its items; raises WatcherError on failure.

        With `defer`, a fetched document is kept as the baseline instead (watcher/deferral.py).
        """
        fresh = state is None or not state.baselined
        result = await self._fetcher.get(
            source.url,
            etag=None if fresh or state is None else state.etag,
            last_modified=None if fresh or state is None else state.last_modified,
        )
        digest = None if result.not_modified else body_hash(result.payload.raw)
        collection = Collection(
            etag=result.etag or (state.etag if state and result.not_modified else None),
            last_modified=result.last_modified
            or (state.last_modified if state and result.not_modified else None),
            content_hash=digest or (state.content_hash if state else None),
        )
        collection.has_snapshots = not fresh
        collection.unchanged = result.not_modified or (
            not fresh and state is not None and digest == state.content_hash
        )
        if defer and not result.not_modified:
            check_deferrable(source, result)
            collection.document = kept_document(result, now)
            return collection
        if state is not None and state.deferred and not collection.unchanged:
            # Nothing is stored yet: the kept document is what the source said before.
            collection.has_snapshots = False
            await self._recall(source, result, collection, now)
        if source.kind == "page":
            await self._page(source, result, collection)
        elif source.kind == "feed":
            await self._feed(source, result, collection, now)
        else:
            await self._listing(source, result, collection, now)
        return collection

    async def _recall(
        self, source: Source, result: FetchResult, out: Collection, now: datetime
    ) -> None:
        """Extract the document a deferred baseline kept, as the items to compare with.

        Without it (unreadable, or the source's kind changed since), comparing with nothing
        would alert on all the source says: this check becomes the baseline instead.
        """
        document = await self._snapshots.baseline_document(source.name)
        if document is None or source.kind not in ("page", "feed"):
            out.rebaseline = True
            return
        try:
            body = kept_body(document, source.url, result.payload.limit)
            earlier = await self._analysed(source, body, document.content_type)
        except StorageError:
            raise
        except WatcherError as exc:
            log.warning(
                "kept baseline unreadable (%s): this check is the new baseline",
                exc,
                extra={"source": source.name},
            )
            out.rebaseline = True
            return
        out.earlier = [Fetched(entry.item, analysis=entry.analysis) for entry in earlier]
        out.known = {entry.item.key: remembered(entry, now) for entry in earlier}

    async def _analysed(
        self, source: Source, body: Document, content_type: str | None
    ) -> list[Analysed]:
        """The items of a page or feed document, analysed where the extraction runs."""
        if source.kind == "page":
            page = await self.extractor.analysed_page(source.url, body, content_type, source.select)
            return [page]
        return await self.extractor.analysed_feed(source.url, body, content_type)

    async def _page(self, source: Source, result: FetchResult, out: Collection) -> None:
        if out.unchanged:
            # Nothing to compare: a 304 or the same bytes skip reading the snapshot too.
            return
        if out.has_snapshots:
            out.known = await self._load_items(source.name, [normalize_url(source.url)])
        [page] = await self._analysed(source, result.payload, result.content_type)
        out.items.append(Fetched(page.item, result.etag, result.last_modified, page.analysis))

    async def _feed(
        self, source: Source, result: FetchResult, out: Collection, now: datetime
    ) -> None:
        if source.follow is True:
            await self._followed_feed(source, result, out, now)
            return
        entries = (
            []
            if out.unchanged
            else await self._analysed(source, result.payload, result.content_type)
        )
        if entries and out.has_snapshots:
            keys = [e.item.key for e in entries]
            out.known = await self._load_items(source.name, keys)
        out.items.extend(Fetched(e.item, analysis=e.analysis) for e in entries)

    async def _followed_feed(
        self, source: Source, result: FetchResult, out: Collection, now: datetime
    ) -> None:
        """A feed whose entries only lead to the articles, which are the items."""
        entries = (
            []
            if out.unchanged
            else await self.extractor.feed(source.url, result.payload, result.content_type)
        )
        leads = [Lead(entry.key, entry.url, entry.title) for entry in entries]
        await self._articles(source, leads, out, now)

    async def _listing(
        self, source: Source, result: FetchResult, out: Collection, now: datetime
    ) -> None:
        leads: list[Lead] = []
        if not out.unchanged:
            html = decode_html(result.body, result.content_type)
            follow = source.follow if isinstance(source.follow, str) else None
            links = listing_links(source.url, html, source.select, follow)
            leads = [Lead(link.url, link.url, link.title) for link in links]
        await self._articles(source, leads, out, now)

    async def _articles(
        self, source: Source, leads: Sequence[Lead], out: Collection, now: datetime
    ) -> None:
        """Fetch new articles and recheck recent ones (conditionally); older ones are left."""
        since = now - timedelta(seconds=source.recheck)
        recent = []
        if out.has_snapshots:
            recent = await self._snapshots.recent_item_keys(source.name, since)
        by_key = {lead.key: lead for lead in leads}
        for key, url in recent:
            by_key.setdefault(key, Lead(key, url, ""))
        if out.has_snapshots:
            out.known = await self._load_items(source.name, list(by_key))
        recent_keys = {key for key, _url in recent}
        wanted = [
            lead for lead in by_key.values() if lead.key not in out.known or lead.key in recent_keys
        ]
        results = await asyncio.gather(
            *(self._article(lead, out.known.get(lead.key)) for lead in wanted)
        )
        for lead, fetched in zip(wanted, results, strict=True):
            if isinstance(fetched, Fetched):
                out.items.append(fetched)
            elif fetched is not None and lead.key not in out.known:
                out.failed.append(lead)

    async def _article(self, lead: Lead, known: StoredItem | None) -> Fetched | WatcherError | None:
        """The article's item; None when it has not changed; the error when it failed."""
        try:
            result = await self._fetcher.get(
                lead.url,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
            if result.not_modified:
                return None
            article = await self.extractor.analysed_page(
                lead.url, result.payload, result.content_type
            )
        except WatcherError as exc:
            log.warning("article failed: %s", exc, extra={"url": lead.url})
            return exc
        extracted = article.item
        item = Item(
            key=lead.key, url=lead.url, title=extracted.title or lead.title, text=extracted.text
        )
        return Fetched(item, result.etag, result.last_modified, article.analysis)
