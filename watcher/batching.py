"""Group requests that arrive while a batch is being written, and write them as one batch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")


class Batcher(Generic[Request, Result]):
    """`await submit(r)` returns r's own result once r was flushed; requests submitted while
    a flush runs wait and go into the next flush together (group commit), at most `limit`
    at a time. `flush` returns one result per request, in order.

    A flush that raises fails every request in its batch with the same exception.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[Request]], Awaitable[Sequence[Result]]],
        *,
        limit: int = 500,
    ) -> None:
        self._flush = flush
        self._limit = limit
        self._pending: list[tuple[Request, asyncio.Future[Result]]] = []
        self._lock = asyncio.Lock()

    async def submit(self, request: Request) -> Result:
        """Queue `request`; return its result when flushed (or raise its batch's error)."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((request, done))
        async with self._lock:
            while not done.done():
                await self._flush_next()
        return done.result()

    async def _flush_next(self) -> None:
        # The lock holder flushes the oldest pending requests, its own among them (FIFO).
        batch, self._pending = self._pending[: self._limit], self._pending[self._limit :]
        try:
            results = await self._flush([request for request, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"flush gave {len(results)} results for {len(batch)}")
        except asyncio.CancelledError:
            # The flusher was cancelled, not the others: their requests go to the next one.
            self._pending[:0] = [(r, done) for r, done in batch if not done.cancelled()]
            raise
        except Exception as exc:
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for (_, done), result in zip(batch, results, strict=True):
            if not done.done():
                done.set_result(result)


class Coalescer(Batcher[Request, None]):
    """A Batcher whose flush only writes: `submit` returns once its request is written."""

    def __init__(
        self, flush: Callable[[Sequence[Request]], Awaitable[None]], *, limit: int = 500
    ) -> None:
        async def written(batch: Sequence[Request]) -> list[None]:
            await flush(batch)
            return [None] * len(batch)

        super().__init__(written, limit=limit)
