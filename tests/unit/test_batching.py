"""Group commit: requests that arrive during a flush share the next one; each caller gets its
own result; errors reach all."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from watcher.batching import Batcher, Coalescer


async def test_requests_arriving_during_a_flush_share_the_next_one() -> None:
    batches: list[list[int]] = []

    async def flush(batch: Sequence[int]) -> None:
        batches.append(list(batch))
        await asyncio.sleep(0.01)

    coalescer: Coalescer[int] = Coalescer(flush)
    await asyncio.gather(*(coalescer.submit(n) for n in range(10)))
    assert sorted(n for batch in batches for n in batch) == list(range(10))
    assert len(batches) < 10  # grouped, not one flush per request


async def test_limit_bounds_a_batch() -> None:
    batches: list[int] = []

    async def flush(batch: Sequence[int]) -> None:
        batches.append(len(batch))
        await asyncio.sleep(0)

    coalescer: Coalescer[int] = Coalescer(flush, limit=3)
    await asyncio.gather(*(coalescer.submit(n) for n in range(10)))
    assert sum(batches) == 10 and max(batches) <= 3


async def test_a_failed_flush_fails_every_request_in_it() -> None:
    async def flush(batch: Sequence[int]) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("disk full")

    coalescer: Coalescer[int] = Coalescer(flush)
    results = await asyncio.gather(
        *(coalescer.submit(n) for n in range(4)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await coalescer.submit(99)


async def test_each_caller_gets_its_own_result_from_a_shared_flush() -> None:
    batches: list[list[int]] = []

    async def square(batch: Sequence[int]) -> list[int]:
        batches.append(list(batch))
        await asyncio.sleep(0.01)
        return [n * n for n in batch]

    batcher: Batcher[int, int] = Batcher(square)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(10)))
    assert results == [n * n for n in range(10)]
    assert len(batches) < 10  # grouped, yet every caller got its own answer


async def test_a_flush_that_answers_too_few_fails_its_batch() -> None:
    async def short(batch: Sequence[int]) -> list[int]:
        await asyncio.sleep(0)
        return list(batch)[1:]

    batcher: Batcher[int, int] = Batcher(short)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
