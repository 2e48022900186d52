"""When digests go out, and the stable id of one digest message (pure)."""

from __future__ import annotations

import hashlib
import math
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from watcher.models import DigestSchedule

HOUR = 3600.0


def next_digest(schedule: DigestSchedule, now: datetime) -> datetime:
    """The first digest boundary strictly after `now` (aware UTC)."""
    if schedule.every is not None:
        return next_boundary(schedule.every, now)
    hour, minute = schedule.at or (0, 0)
    zone = zoneinfo.ZoneInfo(schedule.zone)
    local = now.astimezone(zone)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local:
        # Adding a day in local time keeps "08:00" at 08:00 across daylight-saving changes.
        candidate = (candidate.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=zone)
    return candidate.astimezone(UTC)


def next_boundary(every: float, now: datetime) -> datetime:
    """The next multiple of `every` seconds since the epoch: "1h" means on the hour."""
    stamp = now.timestamp()
    following = (math.floor(stamp / every) + 1) * every
    return datetime.fromtimestamp(following, UTC)


def digest_id(alert_ids: Iterable[str]) -> str:
    """The same digest (same members) always has the same id, so receivers can drop repeats."""
    material = "\x1f".join(sorted(alert_ids))
    return "digest-" + hashlib.blake2b(material.encode("utf-8"), digest_size=16).hexdigest()
