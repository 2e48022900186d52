"""The command line: `watcher check`, `watcher run`, `watcher validate`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from watcher import cli_alerts, cli_status
from watcher.config import load_config
from watcher.config_summary import summarize
from watcher.cycle import describe_delivery, run_cycle
from watcher.errors import ConfigError, WatcherError
from watcher.logs import configure_logging
from watcher.models import Config, Source
from watcher.notifiers.payload import alert_payload
from watcher.outbox import DeliveryReport
from watcher.pipeline import CheckReport
from watcher.storage import open_database

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class UsageError(WatcherError):
    """The command line names something the config does not have."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="F",
        help="the config file (default: $WATCHER_CONFIG, else ./sources.toml)",
    )
    common.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING or ERROR")
    parser = argparse.ArgumentParser(
        prog="watcher", description="Alert on new developments in the stories you follow."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", parents=[common], help="check every source (or the named ones) now"
    )
    check.add_argument(
        "--source", action="append", default=[], metavar="NAME", help="check only this source"
    )
    check.add_argument(
        "--dry-run", action="store_true", help="print the alerts found; send and store nothing"
    )
    run = commands.add_parser("run", parents=[common], help="run the daemon")
    run.add_argument("--log-format", choices=("text", "json"), default="text")
    run.set_defaults(log_level="INFO")
    commands.add_parser("validate", parents=[common], help="check the config and summarise it")
    cli_alerts.add_commands(commands, common)
    cli_status.add_command(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    configure_logging(args.log_level, getattr(args, "log_format", "text"))
    try:
        config = load_config(args.config)
        if args.command == "validate":
            print(summarize(config))
            return EXIT_OK
        if args.command == "check":
            return asyncio.run(_check(config, args.source, dry_run=args.dry_run))
        if args.command == cli_status.COMMAND:
            return cli_status.run(config)
        if args.command in cli_alerts.COMMANDS:
            return cli_alerts.run(args, config)
        from watcher.daemon import run_daemon  # the scheduler is only loaded for `run`

        asyncio.run(run_daemon(config))
        return EXIT_OK
    except (ConfigError, UsageError) as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WatcherError as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def select_sources(config: Config, names: Sequence[str]) -> tuple[Source, ...]:
    """The sources named on the command line, or all of them."""
    if not names:
        return config.sources
    by_name = {source.name: source for source in config.sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(repr(name) for name in by_name)
        raise UsageError(f"no source named {', '.join(map(repr, unknown))}; the config has {known}")
    return tuple(by_name[name] for name in dict.fromkeys(names))


async def _check(config: Config, names: Sequence[str], *, dry_run: bool) -> int:
    sources = select_sources(config, names)
    database = await open_database(config.settings.database)
    try:
        result = await run_cycle(config, database, sources, dry_run=dry_run)
    finally:
        await database.close()
    _print_reports(result.reports, dry_run=dry_run)
    if result.delivery is not None:
        _print_delivery(result.delivery)
    return EXIT_OK


def _print_reports(
    reports: Sequence[CheckReport], *, dry_run: bool, out: TextIO = sys.stdout
) -> None:
    for report in reports:
        if not report.ok:
            print(f"watcher: source {report.source!r} failed: {report.error}", file=sys.stderr)
        for alert in report.alerts:
            if dry_run:
                print(json.dumps(alert_payload(alert), ensure_ascii=False), file=out)
            else:
                topics = ", ".join(alert.topics)
                print(f"alert {alert.id} [{topics}] {alert.title} <{alert.url}>", file=out)
    failed = sum(1 for r in reports if not r.ok)
    found = sum(len(r.alerts) for r in reports)
    baselined = sum(1 for r in reports if r.ok and r.baseline)
    print(
        f"checked {len(reports)} source(s): {found} alert(s), {failed} failed, "
        f"{baselined} baseline(s) recorded",
        file=sys.stderr,
    )


def _print_delivery(report: DeliveryReport) -> None:
    for line in describe_delivery(report):
        print(line, file=sys.stderr)


def entry_point() -> None:
    """The `watcher` console script."""
    sys.exit(main())
