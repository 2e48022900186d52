"""The only module that imports APScheduler: periodic jobs on the running asyncio loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
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
        """Run `func(*args)` every `seconds` from `first_run`, up to `jitter` seconds late.

        Adding a job under an existing id replaces it (a source changed by a reload).
        """
        self._scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds, start_date=first_run, jitter=jitter or None),
            args=args,
            id=job_id,
            next_run_time=first_run,
            max_instances=1,  # never two checks of one source at once
            coalesce=True,  # a late process runs a missed check once, not once per miss
            misfire_grace_time=None,
            replace_existing=True,
        )

    def postpone(self, job_id: str, when: datetime) -> None:
        """Move the job's next run to `when`; the interval then counts from there."""
        try:
            self._scheduler.modify_job(job_id, next_run_time=when)
        except JobLookupError:
            return  # removed by a reload meanwhile

    def remove(self, job_id: str) -> None:
        """Stop running the job (a source removed by a reload); unknown ids are ignored."""
        try:
            self._scheduler.remove_job(job_id)
        except JobLookupError:
            return

    def next_run(self, job_id: str) -> datetime | None:
        """When the job runs next, or None if there is no such job."""
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    def start(self) -> None:
        """Start firing jobs on the running event loop."""
        self._scheduler.start()

    @property
    def running(self) -> bool:
        """Whether jobs are being fired."""
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        """Stop firing jobs; running ones are left to finish."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
