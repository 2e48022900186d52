"""`watcher run`: every source on its interval, deliveries in between, a clean stop on signals."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta

from watcher.app import close_notifiers, fetcher_for, notifiers_for
from watcher.models import Config, Source
from watcher.outbox import Outbox
from watcher.pipeline import Pipeline, utc_now
from watcher.scheduler import Scheduler
from watcher.storage import Database, SourceState, open_database

log = logging.getLogger(__name__)

DELIVERY_EVERY = 15.0  # seconds between outbox rounds, so retries come on time
STOP_GRACE = 30.0  # seconds that in-flight checks get to finish on SIGTERM
FIRST_SPREAD = 30.0  # seconds over which never-checked sources start


def first_run(
    source: Source, state: SourceState | None, index: int, count: int, now: datetime
) -> datetime:
    """When a source is first checked after start: soon if never checked, else when it is due.

    Spreading the starts keeps a restart from firing every check at once.
    """
    offset = FIRST_SPREAD * index / max(count, 1)
    if state is None or state.last_check_at is None:
        return now + timedelta(seconds=offset)
    due = state.last_check_at + timedelta(seconds=source.interval)
    return max(due, now + timedelta(seconds=offset))


class Daemon:
    """The long-running process around the shared pipeline."""

    def __init__(
        self, config: Config, database: Database, pipeline: Pipeline, outbox: Outbox
    ) -> None:
        self._config = config
        self._database = database
        self._pipeline = pipeline
        self._outbox = outbox
        self._scheduler = Scheduler()
        self._inflight: set[asyncio.Task[object]] = set()
        self.stopping = asyncio.Event()

    async def start(self) -> None:
        """Schedule every source and the delivery round."""
        states = await self._database.snapshots.source_states()
        now = utc_now()
        sources = self._config.sources
        for index, source in enumerate(sources):
            self._scheduler.every(
                f"check:{source.name}",
                source.interval,
                self._check,
                source,
                first_run=first_run(source, states.get(source.name), index, len(sources), now),
                jitter=min(source.interval * 0.1, 60.0),
            )
        self._scheduler.every(
            "deliver", DELIVERY_EVERY, self._deliver, first_run=now + timedelta(seconds=1)
        )
        self._scheduler.start()
        log.info("watcher running", extra={"sources": len(sources)})

    async def _check(self, source: Source) -> None:
        if self.stopping.is_set():
            return
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            report = await self._pipeline.check(source)
            if report.alerts:
                await self._deliver()
        except Exception:
            # A job must never kill the scheduler; the next interval tries again.
            log.exception("check crashed", extra={"source": source.name})
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _deliver(self) -> None:
        try:
            await self._outbox.deliver_due()
        except Exception:
            log.exception("delivery round crashed")

    async def stop(self) -> None:
        """Stop scheduling, let in-flight checks finish within the grace period."""
        self.stopping.set()
        # Pause first: shutting APScheduler down cancels the jobs it is still running.
        self._scheduler.pause()
        if self._inflight:
            done, pending = await asyncio.wait(set(self._inflight), timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            log.info(
                "in-flight checks settled", extra={"finished": len(done), "cancelled": len(pending)}
            )
        self._scheduler.shutdown()


async def run_daemon(config: Config) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    database = await open_database(config.settings.database)
    notifiers = notifiers_for(config)
    try:
        async with fetcher_for(config) as fetcher:
            pipeline = Pipeline(config, database, fetcher)
            outbox = Outbox(
                database.deliveries,
                notifiers,
                give_up_after=config.settings.give_up_after,
                clock=utc_now,
            )
            daemon = Daemon(config, database, pipeline, outbox)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, daemon.stopping.set)
            await daemon.start()
            await daemon.stopping.wait()
            log.info("stopping")
            await daemon.stop()
    finally:
        await close_notifiers(notifiers)
        await database.close()
    log.info("stopped")
