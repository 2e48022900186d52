"""The delivery keys of a [[notifiers]] table: digest, max_per_hour, apprise URLs."""

from __future__ import annotations

import re
import zoneinfo

from watcher.config_reader import Table, describe, parse_duration
from watcher.errors import ConfigError
from watcher.models import DEFAULT_MAX_PER_HOUR, DigestSchedule, Secret

_DAILY = re.compile(r"(\d{1,2}):(\d{2})(?:\s+(\S+))?")
_DIGEST_HINT = (
    'expected a duration such as "1h", or a daily time such as "08:00" or "08:00 Europe/Paris"'
)
# Ten seconds is the shortest digest that still batches; anything shorter is a mistake.
_SHORTEST_DIGEST = 10.0


def digest_schedule(table: Table) -> DigestSchedule | None:
    """`digest = "1h"` (every hour) or `"08:00 [Zone]"` (daily); None where absent."""
    value = table.take("digest")
    if value is None:
        return None
    if isinstance(value, str) and ":" in value:
        return _daily(table, value.strip())
    try:
        every = parse_duration(value)
    except ConfigError as exc:
        raise table.error(f"{_DIGEST_HINT}, got {describe(value)}", "digest") from exc
    if every < _SHORTEST_DIGEST:
        raise table.error(f"a digest interval of at least {_SHORTEST_DIGEST:.0f}s", "digest")
    return DigestSchedule(every=every)


def _daily(table: Table, text: str) -> DigestSchedule:
    match = _DAILY.fullmatch(text)
    if match is None:
        raise table.error(f"{_DIGEST_HINT}, got {text!r}", "digest")
    hour, minute, zone = int(match.group(1)), int(match.group(2)), match.group(3) or "UTC"
    if hour > 23 or minute > 59:
        raise table.error(f"{_DIGEST_HINT}, got {text!r} (no such time of day)", "digest")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise table.error(
            f"unknown time zone {zone!r} (expected e.g. Europe/Paris)", "digest"
        ) from exc
    return DigestSchedule(at=(hour, minute), zone=zone)


def max_per_hour(table: Table) -> int:
    """At most this many single alerts an hour; the overflow goes into a digest."""
    return table.whole("max_per_hour", DEFAULT_MAX_PER_HOUR, least=1)


def apprise_urls(table: Table) -> tuple[Secret, ...]:
    """The `urls` of an apprise notifier, each checked by apprise itself."""
    # Imported here: apprise is only loaded by configs that use it.
    import apprise

    urls = table.texts("urls", single=True)
    if urls is None:
        raise table.error(
            'is required: expected apprise URLs such as ["slack://T000/B000/XXXX"]', "urls"
        )
    for position, url in enumerate(urls, start=1):
        if apprise.Apprise.instantiate(url) is None:
            scheme = url.partition("://")[0] or url[:10]
            raise table.error(
                f"URL #{position} ({scheme}://…) is not a valid apprise URL; see "
                "https://github.com/caronc/apprise/wiki for each service's form",
                "urls",
            )
    return tuple(Secret(url) for url in urls)
