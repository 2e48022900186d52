"""Chat and push channels through apprise: Slack, Discord, Telegram, Matrix, Teams, ntfy, …"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import apprise

from watcher.digests import digest_id
from watcher.errors import ConfigError, NotifierError
from watcher.models import Alert, AppriseSettings
from watcher.notices import Notice
from watcher.notifiers.base import Notifier
from watcher.notifiers.chat import ChatMessage, chat_message, digest_message, notice_message
from watcher.notifiers.render import clean_line

logger = logging.getLogger(__name__)

_STATUS = re.compile(r"\berror=(\d{3})\b")
_RETRYABLE_STATUSES = frozenset({408, 425, 429})
_REASON_LIMIT = 200
# Remembered (message id → URLs that took it) so a retry skips services that already have it.
_REMEMBERED = 1000


class AppriseNotifier(Notifier):
    """Sends each alert to every apprise URL of the notifier, as Markdown to the services
    that render it and as plain text to those that show text as it is."""

    def __init__(self, settings: AppriseSettings) -> None:
        self._init_from(settings)
        self._settings = settings
        self._targets: list[tuple[str, apprise.Apprise, bool]] = []
        for position, url in enumerate(settings.urls, start=1):
            service = apprise.Apprise()
            if not service.add(url.reveal()):
                raise ConfigError(
                    f"notifier {settings.name!r}: URL #{position} is not a valid apprise URL",
                    key="urls",
                )
            self._targets.append((_scheme(url.reveal()), service, _takes_markdown(service)))
        self._delivered: dict[str, set[int]] = {}

    def describe(self) -> dict[str, object]:
        """Name and the services' schemes; never the URLs, which carry tokens."""
        return {"name": self.name, "services": [scheme for scheme, _, _ in self._targets]}

    async def send(self, alert: Alert) -> None:
        """Post the alert to every service; raise NotifierError if any did not take it."""
        await self._notify(alert.id, chat_message(alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """Post one message listing every alert."""
        key = digest_id(alert.id for alert in alerts)
        await self._notify(key, digest_message(alerts))

    async def send_notice(self, notice: Notice) -> None:
        """Post a source failing / recovered notice; its error text may quote a server."""
        key = f"notice:{notice.kind}:{notice.source}:{notice.at.isoformat()}"
        await self._notify(key, notice_message(notice))

    async def _notify(self, key: str, message: ChatMessage) -> None:
        done = self._delivered.setdefault(key, set())
        errors: list[NotifierError] = []
        for index, (scheme, service, markdown) in enumerate(self._targets):
            if index in done:
                continue
            body_format = apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT
            result = await service.async_notify(
                body=message.markdown if markdown else message.text,
                title=message.title,
                body_format=body_format,
                timeout=self._settings.timeout,
            )
            if result:
                done.add(index)
            else:
                errors.append(_error(scheme, result))
        if not errors:
            self._delivered.pop(key, None)
            logger.info("apprise %s delivered %s", self.name, key)
            return
        self._forget_oldest()
        reasons = "; ".join(str(error) for error in errors)
        raise NotifierError(reasons, retryable=any(error.retryable for error in errors))

    def _forget_oldest(self) -> None:
        while len(self._delivered) > _REMEMBERED:
            self._delivered.pop(next(iter(self._delivered)))


def _takes_markdown(service: apprise.Apprise) -> bool:
    """Whether the service renders Markdown (or HTML, which apprise makes from Markdown):
    apprise's own answer for a Markdown body, so a URL's `format=` is honoured too."""
    formats = {plugin.resolve_format(apprise.NotifyFormat.MARKDOWN) for plugin in service}
    return apprise.NotifyFormat.TEXT not in formats


def _scheme(url: str) -> str:
    return url.partition("://")[0].lower() or "?"


def _error(scheme: str, result: Any) -> NotifierError:
    """What went wrong, from apprise's result and its captured log lines."""
    where = f"apprise {scheme}://…"
    outcomes = list(getattr(result, "results", ()))
    if any(getattr(o, "status", None) == apprise.AppriseResultStatus.TIMEOUT for o in outcomes):
        return NotifierError(f"{where}: timed out", retryable=True)
    lines = [entry.message for o in outcomes for entry in o.logs() if entry.level != "DEBUG"]
    reason = clean_line(lines[-1], _REASON_LIMIT) if lines else "the service did not accept it"
    found = _STATUS.search(" ".join(lines))
    status = int(found.group(1)) if found else None
    # Apprise hides the HTTP response; a 4xx other than 408/425/429 (bad token, unknown
    # channel) will not heal, everything else (5xx, 429, connection errors) may.
    permanent = status is not None and 400 <= status < 500 and status not in _RETRYABLE_STATUSES
    return NotifierError(f"{where}: {reason}", retryable=not permanent)
