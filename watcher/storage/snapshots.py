"""Queries for sources and items: what was seen, and one transaction per successful check."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, and_, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from watcher.analysis import sentence_hash
from watcher.storage.database import insert_for, translate_errors
from watcher.storage.records import (
    AlertWrite,
    CheckWrite,
    ItemWrite,
    SightingWrite,
    SourceState,
    StoredDocument,
    StoredItem,
    StoredStory,
)
from watcher.storage.tables import (
    alerts,
    baseline_documents,
    deliveries,
    item_sentences,
    items,
    source_state,
)

# The advisory lock that serialises deduplicating commits across processes (PostgreSQL).
STORY_LOCK = 0x77617463  # "watc"
_CHUNK = 400  # bound on IN (...) lists: SQLite allows 32k variables, but plans stay simple


def key_hash(key: str) -> str:
    """The fixed-width index key of an item identity (URLs can be longer than an index row)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _state(row: Any) -> SourceState:
    return SourceState(
        name=row.name,
        etag=row.etag,
        last_modified=row.last_modified,
        content_hash=row.content_hash,
        baselined=bool(row.baselined),
        last_check_at=row.last_check_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        failure_streak=row.failure_streak,
        deferred=bool(row.deferred),
    )


def _states() -> Select[Any]:
    """Source state rows, each with whether its baseline is a deferred document."""
    has_document = baseline_documents.c.source.is_not(None).label("deferred")
    joined = source_state.outerjoin(
        baseline_documents, baseline_documents.c.source == source_state.c.name
    )
    return select(source_state, has_document).select_from(joined)


class SnapshotStore:
    """Source state, item snapshots and the check transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def source_states(self) -> dict[str, SourceState]:
        """Every source's stored state, by name."""
        async with translate_errors("reading source state"), self._engine.connect() as conn:
            rows = (await conn.execute(_states())).all()
        return {row.name: _state(row) for row in rows}

    async def source_state(self, name: str) -> SourceState | None:
        """One source's stored state, or None before its first check."""
        query = _states().where(source_state.c.name == name)
        async with translate_errors("reading source state"), self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _state(row) if row is not None else None

    async def baseline_document(self, source: str) -> StoredDocument | None:
        """The document a deferred baseline kept for `source`, if any."""
        query = select(baseline_documents).where(baseline_documents.c.source == source)
        async with translate_errors("reading a baseline document"), self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return StoredDocument(
            content_type=row.content_type,
            coding=row.coding,
            body=bytes(row.body),
            fetched_at=row.fetched_at,
        )

    async def load_items(self, source: str, keys: Collection[str]) -> dict[str, StoredItem]:
        """The stored snapshots of those of `keys` that the source has seen."""
        hashes = sorted({key_hash(key) for key in keys})
        async with translate_errors("reading items"), self._engine.connect() as conn:
            rows: list[Any] = []
            for chunk in _chunks(hashes):
                query = select(items).where(
                    and_(items.c.source == source, items.c.key_hash.in_(chunk))
                )
                rows.extend((await conn.execute(query)).all())
            seen = await self._sentences(conn, [row.id for row in rows])
        return {row.key: _stored_item(row, seen.get(row.id, frozenset())) for row in rows}

    async def load_items_many(
        self, wanted: Sequence[tuple[str, Collection[str]]]
    ) -> list[dict[str, StoredItem]]:
        """load_items() for several (source, keys) at once, in one round of queries."""
        requests = [(source, {key_hash(key) for key in keys}) for source, keys in wanted]
        pairs = {(source, digest) for source, digests in requests for digest in digests}
        sources = sorted({source for source, _ in requests})
        hashes = sorted({digest for _, digest in pairs})
        async with translate_errors("reading items"), self._engine.connect() as conn:
            rows: list[Any] = []
            for chunk in _chunks(hashes):
                query = select(items).where(
                    and_(items.c.source.in_(sources), items.c.key_hash.in_(chunk))
                )
                found = (await conn.execute(query)).all()
                rows.extend(row for row in found if (row.source, row.key_hash) in pairs)
            seen = await self._sentences(conn, [row.id for row in rows])
        stored = {
            (row.source, row.key_hash): _stored_item(row, seen.get(row.id, frozenset()))
            for row in rows
        }
        return [
            {item.key: item for digest in digests if (item := stored.get((source, digest)))}
            for source, digests in requests
        ]

    async def said_sentences(self, source: str, hashes: Collection[str]) -> frozenset[str]:
        """Those of the sentence `hashes` that some stored item of `source` has said.

        Looked up by hash (ix_item_sentences_key_hash), so the cost follows the few new
        items asked about, not the number of sentences the source has ever said.
        """
        wanted = sorted(set(hashes))
        found: set[str] = set()
        async with translate_errors("reading sentences"), self._engine.connect() as conn:
            for chunk in _chunks(wanted):
                query = (
                    select(item_sentences.c.key_hash)
                    .distinct()
                    .join(items, items.c.id == item_sentences.c.item_id)
                    .where(and_(items.c.source == source, item_sentences.c.key_hash.in_(chunk)))
                )
                found.update((await conn.scalars(query)).all())
        return frozenset(found)

    async def recent_item_keys(self, source: str, since: datetime) -> list[tuple[str, str]]:
        """(key, url) of the source's items first seen at or after `since`, oldest first."""
        query = (
            select(items.c.key, items.c.url)
            .where(and_(items.c.source == source, items.c.first_seen_at >= since))
            .order_by(items.c.first_seen_at)
        )
        async with translate_errors("reading items"), self._engine.connect() as conn:
            return [(row.key, row.url) for row in (await conn.execute(query)).all()]

    async def recent_stories(self, since: datetime) -> list[StoredStory]:
        """Alerts created since `since`, for one story, one alert."""
        async with translate_errors("reading recent alerts"), self._engine.connect() as conn:
            return await self._recent_stories(conn, since)

    @staticmethod
    async def _recent_stories(conn: AsyncConnection, since: datetime) -> list[StoredStory]:
        query = select(
            alerts.c.id,
            alerts.c.source,
            alerts.c.url,
            alerts.c.kind,
            alerts.c.topics,
            alerts.c.story,
        ).where(alerts.c.created_at >= since)
        rows = (await conn.execute(query)).all()
        return [
            StoredStory(
                alert_id=row.id,
                source=row.source,
                url=row.url,
                kind=row.kind,
                topics=tuple(row.topics),
                story=tuple(row.story),
            )
            for row in rows
        ]

    async def commit_check(self, write: CheckWrite) -> None:
        """Record a successful check: snapshots, alerts, deliveries and sightings, atomically."""
        async with translate_errors("recording a check"), self._engine.begin() as conn:
            await self._write_check(conn, write)

    async def commit_deduplicated(
        self, since: datetime, build: Callable[[list[StoredStory]], CheckWrite]
    ) -> None:
        """Commit the check that `build` makes from the stories alerted since `since`.

        The stories are read inside the transaction; on PostgreSQL an advisory lock held
        until commit serialises this read-decide-write across processes, so one story found
        by two processes at once still gives one alert.
        """
        async with translate_errors("recording a check"), self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(select(func.pg_advisory_xact_lock(STORY_LOCK)))
            stories = await self._recent_stories(conn, since)
            await self._write_check(conn, build(stories))

    @classmethod
    async def _write_check(cls, conn: AsyncConnection, write: CheckWrite) -> None:
        await cls._write_checks(conn, [write])

    @classmethod
    async def _write_checks(cls, conn: AsyncConnection, writes: Sequence[CheckWrite]) -> None:
        """Write many checks with a few executemany statements, not a few per item."""
        if not writes:
            return
        await ensure_sources(conn, [write.source for write in writes])
        await _write_items(conn, writes)
        settled = [write.source for write in writes if write.settles_deferred]
        for chunk in _chunks(settled):
            await conn.execute(
                delete(baseline_documents).where(baseline_documents.c.source.in_(chunk))
            )
        for write in writes:
            for alert in write.alerts:
                await cls._write_alert(conn, alert)
            for sighting in write.sightings:
                await cls._add_sighting(conn, sighting)
        await mark_succeeded(conn, writes)

    @staticmethod
    async def _sentences(conn: AsyncConnection, item_ids: list[int]) -> dict[int, frozenset[str]]:
        found: dict[int, set[str]] = {}
        for start in range(0, len(item_ids), _CHUNK):
            chunk = item_ids[start : start + _CHUNK]
            query = select(item_sentences.c.item_id, item_sentences.c.sentence_key).where(
                item_sentences.c.item_id.in_(chunk)
            )
            for row in (await conn.execute(query)).all():
                found.setdefault(row.item_id, set()).add(row.sentence_key)
        return {item_id: frozenset(keys) for item_id, keys in found.items()}

    @staticmethod
    async def _write_alert(conn: AsyncConnection, write: AlertWrite) -> None:
        alert = write.alert
        row = insert_for(conn, alerts).values(
            id=alert.id,
            created_at=alert.detected_at,
            source=alert.source,
            item_key=write.item_key,
            url=alert.url,
            title=alert.title,
            kind=alert.kind,
            topics=list(alert.topics),
            excerpt=alert.excerpt,
            highlights=[list(span) for span in alert.highlights],
            also_seen=[{"source": s.source, "url": s.url} for s in alert.also_seen],
            story=list(write.story),
        )
        # The id is a hash of the development: after a crash the same alert is not stored twice.
        once = row.on_conflict_do_nothing(index_elements=["id"]).returning(alerts.c.id)
        inserted = (await conn.execute(once)).first()
        if inserted is None or not write.notifiers:
            return
        await conn.execute(
            insert_for(conn, deliveries).on_conflict_do_nothing(
                index_elements=["alert_id", "notifier"]
            ),
            [
                {
                    "alert_id": alert.id,
                    "notifier": name,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": alert.detected_at,
                    "next_attempt_at": alert.detected_at,
                }
                for name in write.notifiers
            ],
        )

    @staticmethod
    async def _add_sighting(conn: AsyncConnection, write: SightingWrite) -> None:
        query = select(alerts.c.also_seen).where(alerts.c.id == write.alert_id)
        current = (await conn.execute(query)).scalar_one_or_none()
        if current is None:
            return
        entry = {"source": write.sighting.source, "url": write.sighting.url}
        if entry in current:
            return
        await conn.execute(
            update(alerts).where(alerts.c.id == write.alert_id).values(also_seen=[*current, entry])
        )


def _stored_item(row: Any, seen: frozenset[str]) -> StoredItem:
    return StoredItem(
        key=row.key,
        url=row.url,
        title=row.title,
        text=row.text,
        content_hash=row.content_hash,
        etag=row.etag,
        last_modified=row.last_modified,
        pending=bool(row.pending),
        first_seen_at=row.first_seen_at,
        seen_sentences=seen,
    )


_ITEM_FIELDS = ("url", "title", "text", "content_hash", "etag", "last_modified", "pending")


async def _write_items(conn: AsyncConnection, writes: Sequence[CheckWrite]) -> None:
    """Upsert every item of `writes` and record their sentences: two statements in all."""
    # One row per item identity: PostgreSQL refuses to upsert the same row twice in a statement
    # (a feed can repeat a guid); the last snapshot wins, as it would one statement at a time.
    latest: dict[tuple[str, str], tuple[dict[str, Any], ItemWrite]] = {}
    for write in writes:
        for item in write.items:
            digest = key_hash(item.key)
            row = {
                "source": write.source,
                "key": item.key,
                "key_hash": digest,
                "first_seen_at": write.checked_at,
                "last_seen_at": write.checked_at,
                **{field: getattr(item, field) for field in _ITEM_FIELDS},
            }
            latest[(write.source, digest)] = (row, item)
    if not latest:
        return
    rows = [row for row, _item in latest.values()]
    upsert = insert_for(conn, items)
    upsert = upsert.on_conflict_do_update(
        index_elements=["source", "key_hash"],
        set_={field: getattr(upsert.excluded, field) for field in (*_ITEM_FIELDS, "last_seen_at")},
    )
    result = await conn.execute(upsert.returning(items.c.id, sort_by_parameter_order=True), rows)
    item_ids = [row.id for row in result.all()]
    await _write_sentences(conn, item_ids, list(latest.values()))


async def _write_sentences(
    conn: AsyncConnection,
    item_ids: Sequence[int],
    written: Sequence[tuple[dict[str, Any], ItemWrite]],
) -> None:
    """Record (or refresh) the sentences of the items just written, one driver executemany.

    A cold cycle writes ~125 rows per document. Through SQLAlchemy each row costs parameter
    construction and two datetime conversions in Python; here the statement is compiled once,
    each check's timestamp converted once, and plain tuples go to the driver.
    """
    record = insert_for(conn, item_sentences)
    record = record.on_conflict_do_update(
        index_elements=["item_id", "key_hash"],
        set_={"last_seen_at": record.excluded.last_seen_at},
    )
    compiled = record.compile(dialect=conn.dialect)
    # The driver's own parameter style: positional (SQLite's "?") or named (psycopg's).
    order = compiled.positiontup
    stamp = _stamper(conn)
    rows: list[Any] = []
    for item_id, (row, item) in zip(item_ids, written, strict=True):
        at = stamp(row["last_seen_at"])
        for key, digest in _distinct_sentences(item).items():
            values = {
                "item_id": item_id,
                "key_hash": digest,
                "sentence_key": key,
                "first_seen_at": at,
                "last_seen_at": at,
            }
            rows.append(values if order is None else tuple(values[name] for name in order))
    if rows:
        await conn.exec_driver_sql(str(compiled), rows)


def _stamper(conn: AsyncConnection) -> Callable[[datetime], Any]:
    """A timestamp as the driver takes it for item_sentences' columns (what SQLAlchemy sends)."""
    column_type = item_sentences.c.last_seen_at.type
    process = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process if process is not None else (lambda value: value)


def _distinct_sentences(item: ItemWrite) -> dict[str, str]:
    """The item's sentence keys, each once, with their hashes (computed by the worker if given)."""
    if len(item.sentence_hashes) == len(item.sentence_keys):
        return dict(zip(item.sentence_keys, item.sentence_hashes, strict=True))
    return {key: sentence_hash(key) for key in item.sentence_keys}


class SuccessfulCheck(Protocol):
    """What a successful check leaves on its source's state row."""

    @property
    def source(self) -> str: ...
    @property
    def checked_at(self) -> datetime: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def content_hash(self) -> str | None: ...


async def ensure_sources(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Create the state rows of sources never seen before (one statement; names may repeat)."""
    await conn.execute(
        insert_for(conn, source_state).on_conflict_do_nothing(index_elements=["name"]),
        [
            {"name": name, "baselined": False, "failure_streak": 0, "failing_notified": False}
            for name in dict.fromkeys(names)
        ],
    )


async def mark_succeeded(conn: AsyncConnection, checks: Sequence[SuccessfulCheck]) -> None:
    """Record successful checks on their state rows (one executemany): validators, times,
    baseline done, failure streak cleared."""
    await conn.execute(
        update(source_state)
        .where(source_state.c.name == bindparam("b_name"))
        .values(
            etag=bindparam("b_etag"),
            last_modified=bindparam("b_last_modified"),
            content_hash=bindparam("b_content_hash"),
            baselined=True,
            last_check_at=bindparam("b_at"),
            last_success_at=bindparam("b_at"),
            last_error=None,
            failure_streak=0,
        ),
        [
            {
                "b_name": check.source,
                "b_etag": check.etag,
                "b_last_modified": check.last_modified,
                "b_content_hash": check.content_hash,
                "b_at": check.checked_at,
            }
            for check in checks
        ],
    )
