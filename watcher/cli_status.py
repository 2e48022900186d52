"""`watcher status`: each source's last check, success, error, next due time and failure
streak, and the outbox depth, as a table that fits the terminal."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from watcher.models import Config, Source
from watcher.pipeline import utc_now
from watcher.storage import SourceState, open_database

COMMAND = "status"
HEADERS = ("SOURCE", "CHECKED", "SUCCEEDED", "DUE", "FAILS", "LAST ERROR")
_NARROWEST = 40  # below this a terminal gets the table anyway; lines just wrap


@dataclass(frozen=True, slots=True)
class Row:
    """One source's line of the table."""

    source: str
    last_check: str
    last_success: str
    next_due: str
    streak: str
    error: str

    def cells(self) -> tuple[str, ...]:
        """The cells in column order."""
        return (
            self.source,
            self.last_check,
            self.last_success,
            self.next_due,
            self.streak,
            self.error,
        )


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register `watcher status` on the CLI's sub-parsers."""
    commands.add_parser(
        COMMAND, parents=[common], help="show each source's health and the outbox depth"
    )


def run(config: Config, out: TextIO = sys.stdout) -> int:
    """Print the status table; returns the exit code."""
    states, depth = asyncio.run(_read(config))
    width = max(shutil.get_terminal_size((100, 24)).columns, _NARROWEST)
    rows = [row_of(source, states.get(source.name), utc_now()) for source in config.sources]
    for line in render(rows, width):
        print(line, file=out)
    print(f"outbox: {depth} deliver{'y' if depth == 1 else 'ies'} waiting", file=out)
    return 0


async def _read(config: Config) -> tuple[dict[str, SourceState], int]:
    database = await open_database(config.settings.database)
    try:
        return await database.snapshots.source_states(), await database.status.outbox_depth()
    finally:
        await database.close()


def ago(moment: datetime | None, now: datetime) -> str:
    """ "never", "now", "5m ago", "in 2h" — short, relative, readable in a narrow column."""
    if moment is None:
        return "never"
    seconds = (moment - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    span = _span(abs(seconds))
    return f"in {span}" if seconds > 0 else f"{span} ago"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def row_of(source: Source, state: SourceState | None, now: datetime) -> Row:
    """The table row of one configured source."""
    if state is None or state.last_check_at is None:
        return Row(source.name, "never", "never", "now", "0", "")
    due = state.last_check_at + timedelta(seconds=source.interval)
    return Row(
        source=source.name,
        last_check=ago(state.last_check_at, now),
        last_success=ago(state.last_success_at, now),
        next_due="now" if due <= now else ago(due, now),
        streak=str(state.failure_streak),
        error=" ".join((state.last_error or "").split()),
    )


def render(rows: Sequence[Row], width: int) -> list[str]:
    """The table, every line at most `width` characters: the error column takes what is left,
    then the source names are shortened if even that is not enough."""
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(HEADERS))]
    fixed = sum(widths[1:5]) + 2 * 5  # two spaces between columns
    room = width - fixed  # shared by the source name and the error
    error_least = max(len(HEADERS[5]), min(widths[5], 20))
    widths[0] = max(len(HEADERS[0]), min(widths[0], room - error_least))
    widths[5] = max(len(HEADERS[5]), room - widths[0])
    return [
        "  ".join(_fit(cell, size) for cell, size in zip(line, widths, strict=True)).rstrip()[
            :width
        ]
        for line in table
    ]


def _fit(cell: str, size: int) -> str:
    if len(cell) > size:
        return cell[: max(size - 1, 0)] + "…"
    return cell.ljust(size)
