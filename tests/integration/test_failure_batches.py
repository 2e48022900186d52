"""Failed checks are recorded in batches: a network outage of many sources costs a few
transactions, yet every failure counts once and every source is announced failing once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.storage import Database, open_database
from watcher.storage.health import ERROR_LIMIT, FailureOutcome, FailureWrite, HealthStore
from watcher.storage.tables import deliveries

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SOURCES = 40


class CountingHealth(HealthStore):
    """The real store, remembering the size of each failure batch it was given."""

    batches: list[int]

    async def record_failures(
        self, writes: Sequence[FailureWrite], failing_after: int, notifiers: Sequence[str]
    ) -> list[FailureOutcome]:
        self.batches.append(len(writes))
        return await super().record_failures(writes, failing_after, notifiers)


async def _notice_deliveries(database: Database) -> int:
    query = select(func.count()).where(deliveries.c.notice_id.is_not(None))
    async with database.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def test_a_cycle_of_failing_sources_counts_each_once_and_announces_each_once(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    names = [f"outlet {number}" for number in range(SOURCES)]
    for number in range(SOURCES):
        site.fail(f"/s{number}", 404)
    config = load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources="".join(
                source(name, site.url(f"/s{number}"), "page") for number, name in enumerate(names)
            ),
            notifiers=webhook("hook", webhook_receiver.url),
            extra_settings="failing_after = 2\nhost_concurrency = 64",
        )
    )
    health = CountingHealth(database.engine)
    health.batches = []
    database.health = health

    for cycle in (1, 2, 3):
        result = await run_cycle(config, database, config.sources)
        assert [r.ok for r in result.reports] == [False] * SOURCES
        states = await database.snapshots.source_states()
        # Never-seen sources get their row; each failure adds exactly one to the streak.
        assert {name: states[name].failure_streak for name in names} == dict.fromkeys(names, cycle)
        assert all("404" in (states[name].last_error or "") for name in names)
        notices = [r.notice for r in result.reports if r.notice is not None]
        assert len(notices) == (SOURCES if cycle == 2 else 0)

    payloads = webhook_receiver.payloads()
    assert Counter(p["source"] for p in payloads) == dict.fromkeys(names, 1)
    assert {(p["type"], p["failures"]) for p in payloads} == {("source_failing", 2)}
    assert await _notice_deliveries(database) == SOURCES  # one per source and notifier
    assert sum(health.batches) == 3 * SOURCES, "every failure was recorded"


async def test_a_batch_gives_each_failure_its_own_streak_and_announces_once(
    database: Database,
) -> None:
    writes = [
        FailureWrite(f"outlet {n}", f"https://example.org/{n}", "HTTP 503", START)
        for n in range(30)
    ]
    # The same source twice in one batch counts twice, in order.
    twice = FailureWrite("outlet 0", "https://example.org/0", "x" * 5000, START)
    outcomes = await database.health.record_failures([*writes, twice], 2, ("hook", "desk"))
    assert [o.streak for o in outcomes] == [1] * 30 + [2]
    (notice,) = [o.notice for o in outcomes if o.notice is not None]
    assert outcomes[-1].notice is notice
    assert (notice.kind, notice.source, notice.failures) == ("source_failing", "outlet 0", 2)
    assert notice.error == "x" * 5000  # the notice says the whole error; the row keeps less
    state = await database.snapshots.source_state("outlet 0")
    assert state is not None and state.last_error == "x" * ERROR_LIMIT
    assert state.last_check_at == START and not state.baselined

    later = START + timedelta(minutes=10)
    again = await database.health.record_failures(
        [FailureWrite(w.source, w.url, w.error, later) for w in writes], 2, ("hook", "desk")
    )
    assert [o.streak for o in again] == [3] + [2] * 29
    assert [o.notice.source for o in again if o.notice] == [w.source for w in writes[1:]]
    assert await _notice_deliveries(database) == 30 * 2  # each source, each notifier, once


async def test_processes_failing_the_same_sources_at_once_lose_no_failure(
    database: Database, database_url: str
) -> None:
    """Two processes (two engines) record failures of the same sources concurrently; a
    read-then-write streak would lose increments here."""
    other = await open_database(database_url)
    names = [f"outlet {n}" for n in range(25)]
    rounds = 6

    async def process(store: HealthStore) -> list[list[FailureOutcome]]:
        found = []
        for _ in range(rounds):
            writes = [
                FailureWrite(name, "https://example.org/", "refused", START) for name in names
            ]
            found.append(await store.record_failures(writes, 3, ("hook",)))
            await asyncio.sleep(0)
        return found

    try:
        first, second = await asyncio.gather(process(database.health), process(other.health))
    finally:
        await other.close()
    states = await database.snapshots.source_states()
    assert {name: states[name].failure_streak for name in names} == dict.fromkeys(names, 2 * rounds)
    seen: dict[str, list[int]] = {name: [] for name in names}
    notices: Counter[str] = Counter()
    for batch in [*first, *second]:
        for name, outcome in zip(names, batch, strict=True):
            seen[name].append(outcome.streak)
            if outcome.notice is not None:
                notices[name] += 1
                assert outcome.notice.failures >= 3
    # Every failure saw its own streak: 1 … 12, none twice, none skipped.
    assert all(sorted(streaks) == list(range(1, 2 * rounds + 1)) for streaks in seen.values())
    assert notices == dict.fromkeys(names, 1)
    assert await _notice_deliveries(database) == len(names)
