"""Per-host politeness: a few requests at once per host, spaced starts, one global cap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field

from watcher.slots import waiting

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(slots=True)
class _HostState:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    # Raised above the configured delay by a robots.txt Crawl-delay.
    min_delay: float = 0.0


class HostGate:
    """Admits request starts: `concurrency` in flight per host, `delay` seconds between
    two starts to one host, and at most `max_connections` in flight overall."""

    def __init__(
        self,
        *,
        concurrency: int,
        delay: float,
        max_connections: int,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        if concurrency < 1 or max_connections < 1:
            raise ValueError("concurrency and max_connections must be at least 1")
        self._concurrency = concurrency
        self._delay = max(0.0, delay)
        self._global = asyncio.Semaphore(max_connections)
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(semaphore=asyncio.Semaphore(self._concurrency))
            self._hosts[host] = state
        return state

    def raise_delay(self, host: str, delay: float) -> None:
        """Space starts to `host` by at least `delay` seconds from now on (never lowers it)."""
        state = self._state(host)
        state.min_delay = max(state.min_delay, delay)

    def delay_for(self, host: str) -> float:
        """The current least time between two request starts to `host`."""
        return max(self._delay, self._state(host).min_delay)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for `host` for the duration of the block."""
        state = self._state(host)
        # Queuing for a busy host is no work: the check gives its cycle slot to other hosts
        # meanwhile (watcher/slots.py) and takes it back after admission, outside the host
        # lock, so no check ever waits for a cycle slot while holding what others queue on.
        queue = waiting() if self._must_queue(state) else nullcontext()
        admitted = False
        try:
            async with queue:
                await self._admit(host, state)
                admitted = True
            yield
        finally:
            if admitted:
                self._global.release()
                state.semaphore.release()

    def _must_queue(self, state: _HostState) -> bool:
        return (
            state.semaphore.locked()
            or state.lock.locked()
            or self._global.locked()
            or state.next_start > self._clock()
        )

    async def _admit(self, host: str, state: _HostState) -> None:
        """Take a host slot and a global one, the start spaced from the host's last start."""
        await state.semaphore.acquire()
        try:
            # The host lock serialises starts, so the spacing is measured between
            # real starts, after the global cap has admitted the request too.
            async with state.lock:
                wait = state.next_start - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                await self._global.acquire()
                state.next_start = self._clock() + self.delay_for(host)
        except BaseException:
            state.semaphore.release()
            raise
