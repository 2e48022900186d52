"""detect() given a worker's analysis decides exactly as detect() analysing the text itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from watcher.analysis import analyse
from watcher.detect import detect
from watcher.match import Matcher
from watcher.models import Item, Topic
from watcher.storage.records import StoredItem

MOKOM = Topic(name="Mokom", terms=("Mokom",))
BEFORE = "The chamber met on Monday. Judges heard the defence.\nNothing else happened."
AFTER = BEFORE + "\nMr. Mokom asked for release. The chamber will rule on Friday."


def _stored(text: str) -> StoredItem:
    analysis = analyse(text)
    return StoredItem(
        key="k",
        url="https://example.org/a",
        title="A",
        text=text,
        content_hash=analysis.content_hash,
        etag=None,
        last_modified=None,
        pending=False,
        first_seen_at=datetime(2026, 1, 1, tzinfo=UTC),
        seen_sentences=frozenset(analysis.keys),
    )


@pytest.mark.parametrize(
    ("previous", "silent"),
    [(None, False), (None, True), (BEFORE, False), (AFTER, False), (BEFORE, True)],
)
def test_given_analysis_changes_nothing(previous: str | None, silent: bool) -> None:
    item = Item(key="k", url="https://example.org/a", title="A", text=AFTER)
    stored = _stored(previous) if previous is not None else None
    matcher = Matcher([MOKOM])
    computed = detect(item, stored, matcher, ["Mokom"], silent=silent)
    given = detect(item, stored, matcher, ["Mokom"], silent=silent, analysis=analyse(AFTER))
    assert given == computed
    assert computed.write.sentence_hashes and len(computed.write.sentence_hashes) == len(
        computed.write.sentence_keys
    )
    alerted = computed.development is not None
    assert alerted == (not silent and previous != AFTER)
