"""One source check, end to end: collect, detect, deduplicate, store (snapshot and outbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from watcher import metrics
from watcher.analysis import content_hash
from watcher.batching import Batcher, Coalescer
from watcher.collect import Collection, Collector, Fetched, Lead
from watcher.deferral import defers_baseline
from watcher.detect import ItemChange, detect
from watcher.errors import StorageError, WatcherError
from watcher.fetch import Fetcher
from watcher.match import Matcher
from watcher.models import Alert, Config, Source
from watcher.notices import Notice
from watcher.parsing import INLINE, Extractor, workers_for
from watcher.placement import place, story_of
from watcher.slots import check_slot
from watcher.storage import (
    AlertWrite,
    CheckWrite,
    Database,
    DeferredWrite,
    ItemWrite,
    SightingWrite,
    SourceState,
    StoredDocument,
    StoredStory,
)
from watcher.storage.cycles import Build, UnchangedWrite
from watcher.storage.health import FailureOutcome, FailureWrite, RecoveryWrite
from watcher.stories import Story

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class CheckReport:
    """The outcome of one source check, for the command line and metrics."""

    source: str
    ok: bool = True
    error: str | None = None
    baseline: bool = False
    unchanged: bool = False
    items: int = 0
    alerts: list[Alert] = field(default_factory=list)
    duplicates: int = 0
    articles_failed: int = 0
    notice: Notice | None = None  # the source just started failing, or recovered


class Pipeline:
    """Checks sources against the store; `dry_run` computes alerts but stores nothing."""

    def __init__(
        self,
        config: Config,
        database: Database,
        fetcher: Fetcher,
        *,
        dry_run: bool = False,
        clock: Clock = utc_now,
        commit_lock: asyncio.Lock | None = None,
    ) -> None:
        self._config = config
        self._database = database
        self._collector = Collector(fetcher, database.snapshots)
        self._matcher = Matcher(config.topics)
        self._dry_run = dry_run
        self._clock = clock
        # Deduplication reads recent stories and writes new ones: serialised within a process
        # so two sources carrying one story in the same cycle give one alert.
        # (The daemon shares one lock between the pipelines of a config and its reload.)
        self._commit_lock = commit_lock or asyncio.Lock()
        self._unsaved: list[tuple[str, Story]] = []
        self._failing_after = config.settings.failing_after
        # Group commit: checks that finish while a transaction is running share the next one.
        self._groups: Coalescer[Build] = Coalescer(self._commit_group)
        self._unchanged: Coalescer[UnchangedWrite] = Coalescer(database.cycles.record_unchanged)
        self._deferred: Coalescer[DeferredWrite] = Coalescer(database.cycles.record_deferred)
        # Failures come in floods (a network outage): batched too, each with its own streak.
        # Health notices go to every notifier, queued with the flip that causes them.
        notifiers = tuple(n.name for n in config.notifiers)
        self._failures: Batcher[FailureWrite, FailureOutcome] = Batcher(
            lambda writes: database.health.record_failures(writes, self._failing_after, notifiers)
        )
        self._recoveries: Batcher[RecoveryWrite, Notice | None] = Batcher(
            lambda writes: database.health.record_recoveries(writes, notifiers)
        )

    async def check_many(
        self, sources: Sequence[Source], concurrency: int = 64
    ) -> list[CheckReport]:
        """Check several sources at once (politeness is per host, in the fetcher)."""
        gate = asyncio.Semaphore(concurrency)
        # One read of every source's state instead of one round-trip per source.
        states = await self._database.snapshots.source_states()

        async def one(source: Source) -> CheckReport:
            # The slot is given back while the check only waits (watcher/slots.py).
            async with check_slot(gate):
                return await self._check(source, states.get(source.name))

        # A big cycle extracts on the other cores while this process fetches and detects.
        with Extractor(workers_for(len(sources))) as extractor:
            self._collector.extractor = extractor
            try:
                return list(await asyncio.gather(*(one(source) for source in sources)))
            finally:
                self._collector.extractor = INLINE

    async def check(self, source: Source) -> CheckReport:
        """Check one source now; a failure is recorded and reported, never raised."""
        return await self._check(source, await self._database.snapshots.source_state(source.name))

    async def _check(self, source: Source, state: SourceState | None) -> CheckReport:
        report = CheckReport(source=source.name)
        now = self._clock()
        report.baseline = source.baseline and (state is None or not state.baselined)
        # A source back from failing records what changed meanwhile silently (SPEC).
        recovering = state is not None and state.failure_streak >= self._failing_after
        # A dry run stores nothing, so it may as well show what a full baseline finds.
        defer = report.baseline and not self._dry_run and defers_baseline(source)
        try:
            collection = await self._collector.collect(source, state, now, defer=defer)
        except StorageError:
            raise
        except WatcherError as exc:
            await self._fail(source, report, exc, now)
            return report
        report.unchanged = collection.unchanged
        nothing_new = collection.unchanged and not (collection.items or collection.failed)
        if collection.document is not None:
            await self._record_deferred(source, collection, collection.document, now)
            await self._recovered(source, report, recovering, now)
            return report
        if state is not None and nothing_new:
            await self._record_unchanged(source, collection, now)
            await self._recovered(source, report, recovering, now)
            return report
        if collection.earlier and state is not None:
            await self._settle(source, state, collection.earlier, now)
        report.items = len(collection.items)
        report.articles_failed = len(collection.failed)
        silent = report.baseline or recovering or collection.rebaseline
        changes = self._detect(source, collection.items, collection, silent=silent)
        if not silent:
            changes = await self._unrepeated(source, collection, changes)
        await self._commit(source, state, collection, changes, report, now)
        await self._recovered(source, report, recovering, now)
        if not self._dry_run:
            metrics.check_succeeded(source.name, len(report.alerts))
        return report

    def _detect(
        self,
        source: Source,
        fetched: Sequence[Fetched],
        collection: Collection,
        *,
        silent: bool,
        said: frozenset[str] = frozenset(),
    ) -> list[ItemChange]:
        return [
            detect(
                one.item,
                collection.known.get(one.item.key),
                self._matcher,
                source.topics,
                silent=silent,
                etag=one.etag,
                last_modified=one.last_modified,
                analysis=one.analysis,
                said=said,
            )
            for one in fetched
        ]

    async def _unrepeated(
        self, source: Source, collection: Collection, changes: list[ItemChange]
    ) -> list[ItemChange]:
        """The changes, with each alerting one judged against what its source already said:
        a feed entry or article back under a new guid or URL, a paragraph moved from one
        article to another, is no news (SPEC: text that merely moved). Asks the store only
        about the sentences of those few items."""
        fresh = {
            index: change.development.fresh_hashes
            for index, change in enumerate(changes)
            if change.development is not None
        }
        if not fresh:
            return changes
        # Only what the items newly say is asked about: their old sentences are their own.
        hashes = {digest for digests in fresh.values() for digest in digests}
        said = set(await self._database.snapshots.said_sentences(source.name, hashes))
        # A kept baseline document's items are stored by _settle, except in a dry run.
        said.update(
            digest for one in collection.earlier if one.analysis for digest in one.analysis.hashes
        )
        repeated = [index for index, digests in fresh.items() if not said.isdisjoint(digests)]
        if not repeated:
            return changes
        again = self._detect(
            source,
            [collection.items[index] for index in repeated],
            collection,
            silent=False,
            said=frozenset(said),
        )
        updated = list(changes)
        for index, change in zip(repeated, again, strict=True):
            updated[index] = change
        return updated

    async def _settle(
        self, source: Source, state: SourceState, earlier: Sequence[Fetched], now: datetime
    ) -> None:
        """Store the items of a kept baseline document, as the baseline would have.

        Committed on its own, before this check's changes: a crash in between leaves a
        plain baseline with the old validators, and the next check compares again.
        """
        if self._dry_run:
            return
        baseline = Collection(state.etag, state.last_modified, state.content_hash)
        changes = self._detect(source, earlier, baseline, silent=True)
        write = CheckWrite(
            source=source.name,
            checked_at=now,
            etag=state.etag,
            last_modified=state.last_modified,
            content_hash=state.content_hash,
            items=tuple(change.write for change in changes),
            settles_deferred=True,
        )
        await self._groups.submit(lambda _stories: write)

    async def _record_deferred(
        self, source: Source, collection: Collection, document: StoredDocument, now: datetime
    ) -> None:
        await self._deferred.submit(
            DeferredWrite(
                source=source.name,
                checked_at=now,
                etag=collection.etag,
                last_modified=collection.last_modified,
                content_hash=collection.content_hash,
                document=document,
            )
        )
        metrics.check_succeeded(source.name, 0)

    async def _fail(
        self, source: Source, report: CheckReport, exc: WatcherError, now: datetime
    ) -> None:
        report.ok = False
        report.error = str(exc)
        log.warning("check failed: %s", exc, extra={"source": source.name})
        if not self._dry_run:
            metrics.check_failed(source.name, exc)
            failure = FailureWrite(source.name, source.url, str(exc), now)
            report.notice = (await self._failures.submit(failure)).notice

    async def _recovered(
        self, source: Source, report: CheckReport, recovering: bool, now: datetime
    ) -> None:
        if recovering and not self._dry_run:
            recovery = RecoveryWrite(source.name, source.url, now)
            report.notice = await self._recoveries.submit(recovery)

    async def _commit(
        self,
        source: Source,
        state: SourceState | None,
        collection: Collection,
        changes: Sequence[ItemChange],
        report: CheckReport,
        now: datetime,
    ) -> None:
        def build(stored: list[StoredStory]) -> CheckWrite:
            # Called inside the commit's transaction, with the stories other processes stored.
            known = [*(story_of(s) for s in stored), *self._unsaved]
            alerts: list[AlertWrite] = []
            sightings: list[SightingWrite] = []
            for change in changes:
                self._place(source, change, now, known, alerts, sightings, report)
            return CheckWrite(
                source=source.name,
                checked_at=now,
                etag=collection.etag,
                last_modified=collection.last_modified,
                content_hash=collection.content_hash,
                items=(*(c.write for c in changes), *_pending(collection.failed, report.baseline)),
                alerts=tuple(alerts),
                sightings=tuple(sightings),
                settles_deferred=state is not None and state.deferred,
            )

        if self._dry_run:
            since = now - timedelta(seconds=self._config.settings.dedupe_window)
            async with self._commit_lock:
                build(await self._database.snapshots.recent_stories(since))
        else:
            await self._groups.submit(build)

    async def _commit_group(self, builds: Sequence[Build]) -> None:
        since = self._clock() - timedelta(seconds=self._config.settings.dedupe_window)
        async with self._commit_lock:
            await self._database.cycles.commit_group(since, builds)

    async def _record_unchanged(
        self, source: Source, collection: Collection, now: datetime
    ) -> None:
        """A check that found nothing new only touches the source's state (batched)."""
        if self._dry_run:
            return
        write = UnchangedWrite(
            source=source.name,
            checked_at=now,
            etag=collection.etag,
            last_modified=collection.last_modified,
            content_hash=collection.content_hash,
        )
        await self._unchanged.submit(write)
        metrics.check_succeeded(source.name, 0)

    def _place(
        self,
        source: Source,
        change: ItemChange,
        now: datetime,
        known: list[tuple[str, Story]],
        alerts: list[AlertWrite],
        sightings: list[SightingWrite],
        report: CheckReport,
    ) -> None:
        """Make the change's development a new alert, or a sighting of a story already alerted."""
        placed = place(self._config, source.name, change, now, known)
        if isinstance(placed, SightingWrite):
            report.duplicates += 1
            sightings.append(placed)
        elif placed is not None:
            if self._dry_run:
                self._unsaved.append(known[-1])
            report.alerts.append(placed.alert)
            alerts.append(placed)


def _pending(failed: Sequence[Lead], baseline: bool) -> tuple[ItemWrite, ...]:
    """During a baseline, articles that failed are remembered so their text stays silent later."""
    if not baseline:
        return ()
    return tuple(
        ItemWrite(
            key=lead.key,
            url=lead.url,
            title=lead.title,
            text="",
            content_hash=content_hash(""),
            sentence_keys=(),
            pending=True,
        )
        for lead in failed
    )
