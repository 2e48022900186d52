"""A check gives its cycle slot back while it only waits, and gets it back after."""

from __future__ import annotations

import asyncio

from watcher.slots import check_slot, waiting


async def test_a_waiting_check_lets_another_check_run_and_then_resumes() -> None:
    gate = asyncio.Semaphore(1)
    order: list[str] = []
    resume = asyncio.Event()

    async def waiter() -> None:
        async with check_slot(gate):
            order.append("waiter starts")
            async with waiting():
                await resume.wait()
            order.append("waiter resumes")
            assert gate.locked(), "the slot is held again after the wait"

    async def other() -> None:
        async with check_slot(gate):
            order.append("other runs")
            resume.set()

    await asyncio.gather(waiter(), other())
    assert order == ["waiter starts", "other runs", "waiter resumes"]
    assert not gate.locked()


async def test_without_a_wait_the_slot_is_kept() -> None:
    gate = asyncio.Semaphore(1)
    order: list[str] = []

    async def first() -> None:
        async with check_slot(gate):
            order.append("first starts")
            await asyncio.sleep(0)  # a plain await is work, not a wait: the slot stays
            order.append("first ends")

    async def second() -> None:
        async with check_slot(gate):
            order.append("second")

    await asyncio.gather(first(), second())
    assert order == ["first starts", "first ends", "second"]


async def test_waiting_outside_a_cycle_and_nested_waits_do_nothing_twice() -> None:
    async with waiting():  # no slot: nothing to give back
        pass
    gate = asyncio.Semaphore(1)
    async with check_slot(gate):
        assert gate.locked()
        async with waiting(), waiting():  # the inner wait finds the slot given back already
            assert not gate.locked()
        assert gate.locked()
    await _assert_one_free(gate)


async def _assert_one_free(gate: asyncio.Semaphore) -> None:
    """Exactly one slot is free: one acquire empties the gate (a double release would not)."""
    assert not gate.locked()
    await gate.acquire()
    assert gate.locked()


async def test_a_check_cancelled_while_waiting_leaves_the_count_right() -> None:
    gate = asyncio.Semaphore(1)
    blocker_inside = asyncio.Event()
    release_blocker = asyncio.Event()

    async def waiter() -> None:
        async with check_slot(gate), waiting():
            await asyncio.sleep(3600)

    async def blocker() -> None:
        async with check_slot(gate):
            blocker_inside.set()
            await release_blocker.wait()

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    other = asyncio.create_task(blocker())
    await blocker_inside.wait()
    task.cancel()
    release_blocker.set()
    await asyncio.gather(task, other, return_exceptions=True)
    await _assert_one_free(gate)
