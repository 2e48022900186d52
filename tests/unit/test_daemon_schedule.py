"""When sources start after a (re)start: spread over the first interval, never a burst."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watcher.daemon import first_run
from watcher.models import Source
from watcher.storage import SourceState

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)


def _source(interval: float = 600.0) -> Source:
    return Source(name="s", url="https://example.org/", kind="page", interval=interval, topics=())


def _state(last_check: datetime | None) -> SourceState:
    return SourceState(
        name="s",
        etag=None,
        last_modified=None,
        content_hash=None,
        baselined=True,
        last_check_at=last_check,
        last_success_at=last_check,
        last_error=None,
        failure_streak=0,
    )


def test_overdue_sources_after_a_long_pause_are_spread_over_one_interval() -> None:
    overdue = _state(NOW - timedelta(days=2))
    starts = [first_run(_source(), overdue, position, 10, NOW) for position in range(10)]
    assert starts == sorted(set(starts)), "every source starts at its own time"
    assert starts[0] == NOW
    assert max(starts) < NOW + timedelta(seconds=600)
    assert starts[1] - starts[0] == timedelta(seconds=60)


def test_never_checked_sources_are_spread_too() -> None:
    starts = {first_run(_source(60.0), None, position, 4, NOW) for position in range(4)}
    assert starts == {NOW + timedelta(seconds=s) for s in (0, 15, 30, 45)}


def test_a_source_not_yet_due_starts_when_it_is_due() -> None:
    state = _state(NOW - timedelta(seconds=100))
    assert first_run(_source(600.0), state, 7, 10, NOW) == NOW + timedelta(seconds=500)
