"""Tell every notifier when a source starts failing and when it recovers (best effort)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from watcher.errors import WatcherError
from watcher.notices import Notice
from watcher.notifiers import Notifier

log = logging.getLogger(__name__)


async def send_notices(notices: Iterable[Notice], notifiers: Mapping[str, Notifier]) -> int:
    """Send each notice to each notifier; returns how many sends failed (they are logged).

    A notice is about the tool, not a story: it is not queued or retried like an alert, and
    one notifier that fails does not keep the others from hearing it.
    """
    failed = 0
    for notice in notices:
        for notifier in notifiers.values():
            try:
                await notifier.send_notice(notice)
            except (WatcherError, NotImplementedError) as exc:
                failed += 1
                log.warning(
                    "notice %s about %s not sent by %s: %s",
                    notice.kind,
                    notice.source,
                    notifier.name,
                    exc,
                    extra={"source": notice.source, "notifier": notifier.name},
                )
    return failed
