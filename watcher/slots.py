"""The slot a check holds in a cycle, given back while the check only waits.

A cycle of many sources runs a bounded number of checks at once, which bounds the bodies in
memory and the work queued. A check that is only waiting (for a retry's back-off, for its
turn at a host that wants its requests spaced) does no work, yet while it held its slot
an unreachable network or one busy host stalled every other source of the cycle: 1,000
refused connections took 19 s, nearly all of it back-off sleeps behind 64 slots.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class _Holding:
    gate: asyncio.Semaphore
    held: bool = True


# Set for the task of one check (and copied into the tasks it starts, e.g. article fetches).
_CURRENT: ContextVar[_Holding | None] = ContextVar("watcher_check_slot", default=None)


@asynccontextmanager
async def check_slot(gate: asyncio.Semaphore) -> AsyncIterator[None]:
    """Hold one of `gate`'s slots for a check, for the block (less the waits inside it)."""
    await gate.acquire()
    holding = _Holding(gate)
    token = _CURRENT.set(holding)
    try:
        yield
    finally:
        _CURRENT.reset(token)
        # Not held when cancelled while waiting to get it back: nothing to give back then.
        if holding.held:
            gate.release()


@asynccontextmanager
async def waiting() -> AsyncIterator[None]:
    """Give the current check's slot back for the block (outside a cycle: nothing to do)."""
    holding = _CURRENT.get()
    if holding is None or not holding.held:
        # No slot, or another wait of the same check (an article fetch) gave it back already.
        yield
        return
    holding.held = False
    holding.gate.release()
    try:
        yield
    finally:
        await holding.gate.acquire()
        holding.held = True
