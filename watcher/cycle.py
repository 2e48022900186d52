"""One check cycle, as `watcher check` runs it: check the sources, then send what is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from watcher.app import close_notifiers, fetcher_for, notifiers_for
from watcher.models import Config, Source
from watcher.outbox import DeliveryReport, Outbox
from watcher.pipeline import CheckReport, Clock, Pipeline, utc_now
from watcher.storage import Database


@dataclass(frozen=True, slots=True)
class CycleResult:
    """The check reports and, unless it was a dry run, the delivery round."""

    reports: list[CheckReport]
    delivery: DeliveryReport | None


async def run_cycle(
    config: Config,
    database: Database,
    sources: Sequence[Source],
    *,
    dry_run: bool = False,
    clock: Clock = utc_now,
) -> CycleResult:
    """Check `sources` now, then deliver every pending alert and notice that is due (not on a
    dry run)."""
    async with fetcher_for(config) as fetcher:
        pipeline = Pipeline(config, database, fetcher, dry_run=dry_run, clock=clock)
        reports = await pipeline.check_many(sources)
    if dry_run:
        return CycleResult(reports, None)
    return CycleResult(reports, await deliver_now(config, database, clock=clock))


async def deliver_now(
    config: Config,
    database: Database,
    *,
    clock: Clock = utc_now,
) -> DeliveryReport:
    """Send every pending delivery (notices and alerts) that is due, through fresh notifiers."""
    notifiers = notifiers_for(config)
    try:
        outbox = Outbox(
            database.deliveries,
            notifiers,
            give_up_after=config.settings.give_up_after,
            clock=clock,
        )
        return await outbox.deliver_due()
    finally:
        await close_notifiers(notifiers)


def describe_delivery(report: DeliveryReport, *, always: bool = False) -> list[str]:
    """Lines that tell a person what a delivery round did (errors first)."""
    lines = [f"watcher: delivery failed: {error}" for error in report.errors]
    if always or report.sent or report.retrying or report.failed:
        lines.append(
            f"delivered {report.sent}, retrying {report.retrying}, given up {report.failed}"
        )
    return lines
