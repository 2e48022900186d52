"""`watcher run`: every source on its interval, deliveries and retention in between, reload on
SIGHUP, a clean stop on SIGTERM/SIGINT, and several processes sharing one PostgreSQL database."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections.abc import Awaitable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from watcher import metrics
from watcher.app import close_notifiers, fetcher_for, notifiers_for
from watcher.endpoints import endpoints
from watcher.fetch import Fetcher
from watcher.http_server import start_http
from watcher.instance_lock import InstanceLock
from watcher.leases import CheckLeases
from watcher.models import Config, Source
from watcher.notifiers import Notifier
from watcher.outbox import Outbox
from watcher.pipeline import Pipeline, utc_now
from watcher.reload import compare, reread
from watcher.scheduler import Scheduler
from watcher.storage import Database, SourceState, open_database

log = logging.getLogger(__name__)

DELIVERY_EVERY = 15.0  # seconds between outbox rounds, so retries come on time
RETENTION_EVERY = 3600.0  # seconds between retention rounds
STOP_GRACE = 30.0  # seconds that in-flight checks get to finish on SIGTERM


def first_run(
    source: Source, state: SourceState | None, position: int, count: int, now: datetime
) -> datetime:
    """When a source is first checked after start: when it is due, or, if it is overdue or
    was never checked, at its place in a spread over its first interval.

    The spread keeps a restart after a long pause from firing every check at once.
    """
    if state is not None and state.last_check_at is not None:
        due = state.last_check_at + timedelta(seconds=source.interval)
        if due > now:
            return due
    return now + timedelta(seconds=source.interval * position / max(count, 1))


def jitter_of(source: Source, config: Config) -> float:
    """The most a check of `source` starts late: a tenth of its interval, capped by config."""
    return min(source.interval * 0.1, config.settings.jitter)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What one version of the config runs with; a reload swaps it whole."""

    config: Config
    pipeline: Pipeline
    outbox: Outbox
    notifiers: dict[str, Notifier]

    def source(self, name: str) -> Source | None:
        """The configured source called `name`."""
        return next((s for s in self.config.sources if s.name == name), None)


class Daemon:
    """The long-running process around the shared pipeline."""

    def __init__(self, config: Config, database: Database, fetcher: Fetcher) -> None:
        self._database = database
        self._fetcher = fetcher
        self._commit_lock = asyncio.Lock()  # one across reloads: dedupe stays serialised
        self._deliver_lock = asyncio.Lock()
        self._runtime = self._build(config)
        self._scheduler = Scheduler()
        self.leases = CheckLeases(database.leases, lease=config.settings.lease, clock=utc_now)
        self._inflight: set[asyncio.Future[None]] = set()
        self._background: set[asyncio.Future[object]] = set()
        self.stopping = asyncio.Event()

    @property
    def config(self) -> Config:
        """The config in effect."""
        return self._runtime.config

    @property
    def scheduling(self) -> bool:
        """Whether checks are being scheduled (false before start and once stopping)."""
        return self._scheduler.running and not self.stopping.is_set()

    def _build(self, config: Config) -> Runtime:
        notifiers = notifiers_for(config)
        pipeline = Pipeline(config, self._database, self._fetcher, commit_lock=self._commit_lock)
        outbox = Outbox(
            self._database.deliveries,
            notifiers,
            give_up_after=config.settings.give_up_after,
            clock=utc_now,
        )
        return Runtime(config, pipeline, outbox, notifiers)

    async def start(self) -> None:
        """Schedule every source, the delivery round and the retention round."""
        await self._schedule_sources(self.config.sources)
        now = utc_now()
        self._scheduler.every(
            "deliver", DELIVERY_EVERY, self._deliver, first_run=now + timedelta(seconds=1)
        )
        self._scheduler.every(
            "retain", RETENTION_EVERY, self._retain, first_run=now + timedelta(seconds=60)
        )
        self._scheduler.start()
        log.info(
            "watcher running",
            extra={"sources": len(self.config.sources), "owner": self.leases.owner},
        )

    async def _schedule_sources(self, sources: tuple[Source, ...]) -> None:
        states = await self._database.snapshots.source_states()
        now = utc_now()
        for position, source in enumerate(sources):
            self._scheduler.every(
                _job(source.name),
                source.interval,
                self._check,
                source.name,
                first_run=first_run(source, states.get(source.name), position, len(sources), now),
                jitter=jitter_of(source, self.config),
            )

    async def _check(self, name: str) -> None:
        runtime = self._runtime
        source = runtime.source(name)
        if source is None or self.stopping.is_set():
            return
        await self._tracked(self._claim_and_check(runtime, source))

    async def _claim_and_check(self, runtime: Runtime, source: Source) -> None:
        try:
            claim = await self.leases.claim(source)
            if not claim.won:
                # Another process checked it or is checking it: come back when it is due.
                metrics.claim_lost()
                if claim.retry_at is not None:
                    late = random.uniform(0.0, jitter_of(source, runtime.config))
                    self._scheduler.postpone(
                        _job(source.name), claim.retry_at + timedelta(seconds=late)
                    )
                return
            async with self.leases.held(source):
                report = await runtime.pipeline.check(source)
            if report.alerts or report.notice is not None:
                await self._deliver()
        except Exception:
            # A job must never kill the scheduler; the next interval tries again.
            log.exception("check crashed", extra={"source": source.name})

    async def _tracked(self, work: Awaitable[None]) -> None:
        """Run `work` as an in-flight task that a stop waits for."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        try:
            await asyncio.shield(task)  # a stop that cancels the job still lets this finish
        finally:
            if task.done():
                self._inflight.discard(task)
            else:
                task.add_done_callback(self._inflight.discard)

    async def _deliver(self) -> None:
        async with self._deliver_lock:
            try:
                await self._runtime.outbox.deliver_due()
            except Exception:
                log.exception("delivery round crashed")

    async def _retain(self) -> None:
        settings = self.config.settings
        # Stories must outlive the dedupe window, or one story could alert twice.
        keep = max(settings.keep, settings.dedupe_window)
        names = [source.name for source in self.config.sources]
        try:
            pruned = await self._database.retention.prune(
                utc_now() - timedelta(seconds=keep), names
            )
        except Exception:
            log.exception("retention round crashed")
            return
        if pruned.total:
            log.info(
                "old records pruned",
                extra={
                    "items": pruned.items,
                    "sentences": pruned.sentences,
                    "alerts": pruned.alerts,
                    "deliveries": pruned.deliveries,
                    "notices": pruned.notices,
                },
            )

    def request_reload(self) -> None:
        """Reload the config soon (a signal handler must not block)."""
        self._spawn(self.reload())

    def _spawn(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def reload(self) -> bool:
        """Apply the config file as it is now; keep the running one if it is invalid."""
        old = self._runtime
        new_config = reread(old.config.path)
        if new_config is None or self.stopping.is_set():
            return False
        changes = compare(old.config, new_config)
        if changes.restart_only:
            log.warning(
                "changed [watcher] settings take effect after a restart: %s",
                ", ".join(changes.restart_only),
            )
        async with self._deliver_lock:  # no delivery round uses the old notifiers any more
            self._runtime = self._build(new_config)
        await close_notifiers(old.notifiers)
        for name in changes.removed:
            self._scheduler.remove(_job(name))
        touched = set(changes.added) | set(changes.changed)
        await self._schedule_sources(tuple(s for s in new_config.sources if s.name in touched))
        log.info(
            "config reloaded",
            extra={
                "added": len(changes.added),
                "removed": len(changes.removed),
                "changed": len(changes.changed),
                "notifiers": len(new_config.notifiers),
            },
        )
        return True

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop scheduling, let in-flight checks finish (and commit) within `grace` seconds."""
        self.stopping.set()
        self._scheduler.shutdown()
        if self._inflight:
            done, pending = await asyncio.wait(set(self._inflight), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5.0)
            log.info(
                "in-flight checks settled", extra={"finished": len(done), "cancelled": len(pending)}
            )
        for background in set(self._background):
            background.cancel()
        await close_notifiers(self._runtime.notifiers)


def _job(source_name: str) -> str:
    return f"check:{source_name}"


def _single_instance(database: Database) -> AbstractContextManager[object]:
    """On SQLite, refuse a second daemon on the same file; PostgreSQL splits the work."""
    path = database.leases.sqlite_file()
    return nullcontext() if path is None else InstanceLock(path)


async def _drop_stale_leases(database: Database) -> None:
    """The sole daemon of a SQLite file owns every lease: those left by a killed
    predecessor would otherwise hold its sources back for up to `lease`."""
    if database.leases.sqlite_file() is not None:
        dropped = await database.leases.release_all()
        if dropped:
            log.info("stale check leases released", extra={"leases": dropped})


async def run_daemon(config: Config) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly; SIGHUP reloads the config."""
    database = await open_database(config.settings.database)
    try:
        with _single_instance(database):
            await _drop_stale_leases(database)
            async with fetcher_for(config) as fetcher:
                daemon = Daemon(config, database, fetcher)
                await _serve(daemon, database)
    finally:
        await database.close()
    log.info("stopped")


async def _serve(daemon: Daemon, database: Database) -> None:
    loop = asyncio.get_running_loop()
    signals = {signal.SIGTERM: daemon.stopping.set, signal.SIGINT: daemon.stopping.set}
    signals[signal.SIGHUP] = daemon.request_reload
    for signum, handler in signals.items():
        loop.add_signal_handler(signum, handler)
    address = daemon.config.settings.http
    server = await start_http(address, endpoints(daemon, database)) if address else None
    try:
        await daemon.start()
        await daemon.stopping.wait()
        log.info("stopping")
    finally:
        await daemon.stop()
        if server is not None:
            await server.close()
        for signum in signals:
            loop.remove_signal_handler(signum)
