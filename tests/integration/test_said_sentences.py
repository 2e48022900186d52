"""SnapshotStore.said_sentences: which sentence hashes a source's stored items have said
(SQLite and PostgreSQL), looked up through the sentence-hash index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from watcher.analysis import analyse
from watcher.storage import CheckWrite, Database, ItemWrite

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
STORED = {
    "A": {"/a1": "Mokom was released. The Assembly met.", "/a2": "Khan visited Bangui."},
    "B": {"/b1": "Judges heard the defence."},
}


def _write(key: str, body: str) -> ItemWrite:
    analysis = analyse(body)
    return ItemWrite(
        key=key,
        url=f"https://example.org{key}",
        title="",
        text=body,
        content_hash=analysis.content_hash,
        sentence_keys=analysis.keys,
        sentence_hashes=analysis.hashes,
    )


def _hashes(*sentences: str) -> set[str]:
    return {digest for sentence in sentences for digest in analyse(sentence).hashes}


@pytest.mark.parametrize(
    ("source", "asked", "said"),
    [
        ("A", ["Mokom was released."], ["Mokom was released."]),
        ("A", ["Mokom was released.", "Khan visited Bangui."],
         ["Mokom was released.", "Khan visited Bangui."]),
        ("A", ["Mokom was released.", "Mokom asked for compensation."], ["Mokom was released."]),
        ("A", ["Judges heard the defence."], []),  # said by another source only
        ("B", ["Judges heard the defence.", "The Assembly met."], ["Judges heard the defence."]),
        ("C", ["Mokom was released."], []),
        ("A", [], []),
    ],
)  # fmt: skip
async def test_only_the_sources_own_sentences_count(
    database: Database, source: str, asked: list[str], said: list[str]
) -> None:
    for name, bodies in STORED.items():
        written = tuple(_write(key, body) for key, body in bodies.items())
        await database.snapshots.commit_check(CheckWrite(name, NOW, None, None, None, written))

    found = await database.snapshots.said_sentences(source, _hashes(*asked))

    assert found == _hashes(*said)


async def test_many_hashes_are_asked_in_chunks(database: Database) -> None:
    sentences = [f"Sentence number {n} about Mokom." for n in range(1000)]
    body = " ".join(sentences[::2])
    await database.snapshots.commit_check(
        CheckWrite("A", NOW, None, None, None, (_write("/long", body),))
    )
    found = await database.snapshots.said_sentences("A", _hashes(*sentences))
    assert found == _hashes(*sentences[::2])


async def test_sentence_hashes_are_indexed(database: Database) -> None:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'item_sentences'"
        if database.dialect == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'item_sentences' "
        "AND schemaname = current_schema()"
    )
    async with database.engine.connect() as conn:
        names = set((await conn.scalars(text(query))).all())
    assert "ix_item_sentences_key_hash" in names
