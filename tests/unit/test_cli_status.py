"""`watcher status` table: relative times, next due, and lines that fit the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.cli_status import Row, ago, render, row_of
from watcher.models import Source
from watcher.storage import SourceState

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (None, "never"),
        (NOW, "now"),
        (NOW - timedelta(seconds=42), "42s ago"),
        (NOW - timedelta(minutes=5, seconds=10), "5m ago"),
        (NOW + timedelta(hours=2, minutes=1), "in 2h"),
        (NOW - timedelta(days=3), "3d ago"),
    ],
)
def test_ago(moment: datetime | None, shown: str) -> None:
    assert ago(moment, NOW) == shown


def test_row_of_a_failing_source() -> None:
    source = Source(name="ICC", url="https://x.org/", kind="page", interval=600.0, topics=())
    state = SourceState(
        name="ICC",
        etag=None,
        last_modified=None,
        content_hash=None,
        baselined=True,
        last_check_at=NOW - timedelta(minutes=2),
        last_success_at=NOW - timedelta(hours=3),
        last_error="HTTP 503\nfrom https://x.org/",
        failure_streak=4,
    )
    row = row_of(source, state, NOW)
    assert row == Row("ICC", "2m ago", "3h ago", "in 8m", "4", "HTTP 503 from https://x.org/")


def test_never_checked_source_is_due_now() -> None:
    source = Source(name="new", url="https://x.org/", kind="page", interval=600.0, topics=())
    assert row_of(source, None, NOW).next_due == "now"


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_line_fits_the_terminal(width: int) -> None:
    rows = [
        Row("International Criminal Court press releases", "1m ago", "1m ago", "in 9m", "0", ""),
        Row("Outlet", "2m ago", "2d ago", "now", "12", "connection refused " * 10),
    ]
    lines = render(rows, width)
    assert len(lines) == 3
    assert all(len(line) <= width for line in lines)
    assert lines[0].startswith("SOURCE")
    assert "12" in lines[2]
    assert "…" in lines[2]
