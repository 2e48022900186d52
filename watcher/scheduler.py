"""The only module that imports APScheduler: periodic jobs on the running asyncio loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger


class Scheduler:
    """Interval jobs that never overlap themselves and coalesce missed runs."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def every(
        self,
        job_id: str,
        seconds: float,
        func: Callable[..., Awaitable[Any]],
        *args: Any,
        first_run: datetime,
        jitter: float = 0.0,
    ) -> None:
        """Run `func(*args)` every `seconds` from `first_run`, up to `jitter` seconds late."""
        self._scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds, start_date=first_run, jitter=int(jitter) or None),
            args=args,
            id=job_id,
            next_run_time=first_run,
            max_instances=1,  # never two checks of one source at once
            coalesce=True,  # a late process runs a missed check once, not once per miss
            misfire_grace_time=None,
            replace_existing=True,
        )

    def start(self) -> None:
        """Start firing jobs on the running event loop."""
        self._scheduler.start()

    @property
    def running(self) -> bool:
        """Whether jobs are being fired."""
        return bool(self._scheduler.running)

    def pause(self) -> None:
        """Stop firing new jobs; running ones go on."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        """Stop the scheduler; APScheduler's asyncio executor cancels jobs still running."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
