"""Extraction of fetched documents, in worker processes when a cycle is big enough to pay.

A cycle spends about 40% of its CPU turning bytes into items (lexbor trees, main-text
heuristics, feedparser), all of it pure functions of the fetched bytes. One Python process
is one core, so a big cycle hands that work to worker processes and keeps fetching, change
detection and the database in the main one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TypeVar

from watcher.analysis import Analysed, analysed
from watcher.content import Body
from watcher.errors import ExtractError
from watcher.extract import decode_html, feed_items, page_item
from watcher.models import Item

# A fetched body: still content-coded (decoded where the extraction runs) or plain bytes.
Document = Body | bytes

_T = TypeVar("_T")

# Below this many sources a cycle is over before a worker has even imported its libraries.
MIN_SOURCES_FOR_WORKERS = 100
MAX_WORKERS = 4


def workers_for(sources: int, cpus: int | None = None) -> int:
    """How many extraction workers a cycle of `sources` sources gets (0: extract inline)."""
    spare = (cpus if cpus is not None else os.cpu_count() or 1) - 1
    if sources < MIN_SOURCES_FOR_WORKERS or spare < 1:
        return 0
    return min(spare, MAX_WORKERS)


def _bytes(body: Document) -> bytes:
    return body.decoded() if isinstance(body, Body) else body


def extract_page(url: str, body: Document, content_type: str | None, select: str | None) -> Item:
    """A fetched page as its item (decode, then page_item)."""
    return page_item(url, decode_html(_bytes(body), content_type), select)


def extract_feed(url: str, body: Document, content_type: str | None) -> list[Item]:
    """A fetched feed's entries as items."""
    return feed_items(url, _bytes(body), content_type)


def analyse_page(
    url: str, body: Document, content_type: str | None, select: str | None
) -> Analysed:
    """extract_page() with the analysis of the item's text."""
    return analysed(extract_page(url, body, content_type, select))


def analyse_feed(url: str, body: Document, content_type: str | None) -> list[Analysed]:
    """extract_feed() with the analysis of each entry's text."""
    return [analysed(item) for item in extract_feed(url, body, content_type)]


class Extractor:
    """Runs extract_page / feed_items inline (workers=0) or in a process pool."""

    def __init__(self, workers: int = 0) -> None:
        self._workers = workers
        self._pool: Executor | None = None
        # Retries after a worker died run one at a time (see run()).
        self._alone = asyncio.Lock()

    def _executor(self) -> Executor | None:
        # Started on first use: a cycle of unchanged or deferred sources extracts nothing.
        if self._pool is None and self._workers > 0:
            # forkserver, not fork: the main process has aiosqlite and resolver threads, and
            # forking a threaded process can copy a lock in its held state.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (if any)."""
        self._workers = 0
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def run(self, function: Callable[..., _T], url: str, *args: object) -> _T:
        """`function(url, *args)`, a pure extraction function, where extraction runs.

        A worker that dies (killed, out of memory, a crash in a C parser) fails every job
        it held. Those jobs are retried in a fresh pool, one at a time, so that only the
        document that kills a worker again fails, as an ExtractError of its own source:
        neither the cycle nor the other sources' checks go down with it.
        """
        pool = self._executor()
        if pool is None:
            return function(url, *args)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, function, url, *args)
        except BrokenProcessPool:
            self._discard(pool)
        async with self._alone:
            pool = self._executor()
            if pool is None:  # closed meanwhile: never retry a killer in this process
                raise ExtractError(f"extraction of {url} was cut short by a worker crash")
            try:
                return await loop.run_in_executor(pool, function, url, *args)
            except BrokenProcessPool:
                self._discard(pool)
                raise ExtractError(f"extracting {url} crashed the extraction worker") from None

    def _discard(self, pool: Executor) -> None:
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    async def page(
        self, url: str, body: Document, content_type: str | None, select: str | None = None
    ) -> Item:
        """The page's item; raises ExtractError like page_item()."""
        return await self.run(extract_page, url, body, content_type, select)

    async def feed(self, url: str, body: Document, content_type: str | None) -> list[Item]:
        """The feed's entries as items; raises ExtractError like feed_items()."""
        return await self.run(extract_feed, url, body, content_type)

    async def analysed_page(
        self, url: str, body: Document, content_type: str | None, select: str | None = None
    ) -> Analysed:
        """page() with the analysis of the item's text, computed where the extraction runs."""
        return await self.run(analyse_page, url, body, content_type, select)

    async def analysed_feed(
        self, url: str, body: Document, content_type: str | None
    ) -> list[Analysed]:
        """feed() with the analysis of each entry's text, computed where the extraction runs."""
        return await self.run(analyse_feed, url, body, content_type)


INLINE = Extractor()
