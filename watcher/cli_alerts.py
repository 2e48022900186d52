"""`watcher alerts` (what was sent, waits or failed), `alerts retry ID`, `notify-test NAME`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TextIO

from watcher.app import close_notifiers, notifiers_for
from watcher.cycle import deliver_now, describe_delivery
from watcher.errors import NotifierError
from watcher.models import Alert, Config
from watcher.notifiers.render import clean_line
from watcher.pipeline import utc_now
from watcher.storage import Database, open_database
from watcher.storage.history import STATUSES, DeliveryRecord

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
COMMANDS = ("alerts", "notify-test")


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Register `alerts` (with `retry`) and `notify-test` on the main parser."""
    alerts = commands.add_parser(
        "alerts", parents=[common], help="recent, pending and failed deliveries per notifier"
    )
    alerts.add_argument("--notifier", metavar="NAME", help="only this notifier")
    alerts.add_argument("--status", choices=STATUSES, help="only deliveries in this state")
    alerts.add_argument("--limit", type=int, default=20, help="rows per state (default 20)")
    actions = alerts.add_subparsers(dest="action", metavar="ACTION")
    retry = actions.add_parser(
        "retry", parents=[common], help="send a failed delivery (number) or alert (id) again now"
    )
    retry.add_argument("id", metavar="ID", help="a delivery number (#12) or an alert id")
    test = commands.add_parser(
        "notify-test", parents=[common], help="send a sample alert through one notifier"
    )
    test.add_argument("name", metavar="NAME", help="the notifier's name in the config")


def run(args: argparse.Namespace, config: Config) -> int:
    """Run `alerts`, `alerts retry` or `notify-test`; returns the exit code."""
    if args.command == "notify-test":
        return asyncio.run(notify_test(config, args.name))
    if getattr(args, "action", None) == "retry":
        return asyncio.run(_with_database(config, lambda db: _retry(config, db, args.id)))
    return asyncio.run(
        _with_database(config, lambda db: _show(db, args.notifier, args.status, args.limit))
    )


async def _with_database(config: Config, job: Callable[[Database], Awaitable[int]]) -> int:
    database = await open_database(config.settings.database)
    try:
        return await job(database)
    finally:
        await database.close()


async def _show(
    database: Database,
    notifier: str | None,
    status: str | None,
    limit: int,
    out: TextIO = sys.stdout,
) -> int:
    counts = await database.history.counts()
    print("Deliveries by notifier:", file=out)
    for name, by_status in sorted(counts.items()):
        if notifier is None or name == notifier:
            summary = ", ".join(f"{by_status[state]} {state}" for state in STATUSES)
            print(f"  {name}: {summary}", file=out)
    if not counts:
        print("  none yet", file=out)
    # What needs attention first: failed, then waiting, then sent.
    for state in (status,) if status else ("failed", "pending", "sent"):
        rows = await database.history.recent(state, notifier=notifier, limit=limit)
        if rows:
            print(f"\n{state.capitalize()} (newest first):", file=out)
            for row in rows:
                print(describe(row), file=out)
    return EXIT_OK


def describe(row: DeliveryRecord) -> str:
    """One delivery on two or three lines: what, where, when, and the last error."""
    title = clean_line(row.title, 80) or "(untitled)"
    source = clean_line(row.source, 60)
    head = f"  #{row.id} {row.notifier}: alert {row.alert_id} {title!r} ({source})"
    if row.notice is not None:
        head = f"  #{row.id} {row.notifier}: notice {row.notice} ({source})"
    when = {
        "sent": f"sent {_time(row.sent_at)}",
        "pending": f"next attempt {_time(row.next_attempt_at)}"
        + (" in a digest" if row.digest else ""),
        "failed": "given up",
    }.get(row.status, row.status)
    lines = [head, f"      {when}, {row.attempts} attempt(s)"]
    if row.last_error and row.status != "sent":
        lines.append(f"      last error: {clean_line(row.last_error, 300)}")
    return "\n".join(lines)


def _time(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


async def _retry(config: Config, database: Database, ident: str) -> int:
    count = await database.history.retry(ident, utc_now())
    if not count:
        print(f"watcher: no failed or pending delivery matches {ident!r}", file=sys.stderr)
        return EXIT_USAGE
    print(f"retrying {count} delivery(ies) now")
    report = await deliver_now(config, database)
    for line in describe_delivery(report, always=True):
        print(line, file=sys.stderr if line.startswith("watcher:") else sys.stdout)
    return EXIT_OK


def sample_alert(config: Config, topics: frozenset[str] | None) -> Alert:
    """A harmless alert that looks like a real one, for `notify-test`."""
    now = utc_now()
    names = sorted(topics) if topics else [topic.name for topic in config.topics[:1]]
    return Alert(
        id=f"test-{now.strftime('%Y%m%dT%H%M%S')}",
        topics=tuple(names),
        source="watcher notify-test",
        url="https://example.org/watcher-notify-test",
        title="watcher test alert",
        kind="new_item",
        excerpt=f"This is a test alert about {', '.join(names)}; nothing happened.",
        detected_at=now,
        highlights=(),
    )


async def notify_test(config: Config, name: str) -> int:
    """Send a sample alert through one notifier and say exactly what went wrong."""
    notifiers = notifiers_for(config)
    try:
        notifier = notifiers.get(name)
        if notifier is None:
            known = ", ".join(repr(n) for n in notifiers) or "none"
            print(f"watcher: no notifier named {name!r}; the config has {known}", file=sys.stderr)
            return EXIT_USAGE
        alert = sample_alert(config, notifier.topics)
        try:
            await notifier.send(alert)
        except NotifierError as exc:
            kind = "would be retried" if exc.retryable else "permanent: fix the config or server"
            print(f"watcher: notifier {name!r} failed ({kind}): {exc}", file=sys.stderr)
            return EXIT_FAILED
    finally:
        await close_notifiers(notifiers)
    print(f"sent test alert {alert.id} through {notifier!r}")
    return EXIT_OK
