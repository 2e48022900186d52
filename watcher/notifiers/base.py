"""The one contract every delivery channel keeps."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from urllib.parse import urlsplit

from watcher.errors import NotifierError
from watcher.models import Alert, DigestSchedule, NotifierSettings
from watcher.notices import Notice


class Notifier(ABC):
    """A delivery channel: sends one alert or raises NotifierError; never returns False."""

    name: str
    topics: frozenset[str] | None  # None: every topic
    give_up_after: float | None  # seconds; None: the global default
    digest: DigestSchedule | None  # None: each alert goes out on its own
    max_per_hour: int | None  # single alerts an hour; the overflow waits for a digest

    def __init__(
        self,
        name: str,
        *,
        topics: Collection[str] | None = None,
        give_up_after: float | None = None,
        digest: DigestSchedule | None = None,
        max_per_hour: int | None = None,
    ) -> None:
        self.name = name
        self.topics = None if topics is None else frozenset(topics)
        self.give_up_after = give_up_after
        self.digest = digest
        self.max_per_hour = max_per_hour

    def _init_from(self, settings: NotifierSettings) -> None:
        """Initialise name, routing and volume from the notifier's config table."""
        Notifier.__init__(
            self,
            settings.name,
            topics=settings.topics,
            give_up_after=settings.give_up_after,
            digest=settings.digest,
            max_per_hour=settings.max_per_hour,
        )

    def accepts(self, alert_topics: Collection[str]) -> bool:
        """True if this notifier takes every topic or shares one with the alert."""
        return self.topics is None or not self.topics.isdisjoint(alert_topics)

    @abstractmethod
    async def send(self, alert: Alert) -> None:
        """Deliver one alert or raise watcher.errors.NotifierError(message, retryable=...)."""

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """Deliver several alerts as ONE message; channels override this.

        The fallback sends them one by one, so a channel without a digest format still
        loses nothing; a failure part-way repeats the earlier ones (same ids) on retry.
        """
        for alert in alerts:
            await self.send(alert)

    async def send_notice(self, notice: Notice) -> None:
        """Deliver a source-health notice (failing / recovered); every channel overrides this.

        Raise NotifierError on failure: the outbox retries notices like alerts.
        """
        raise NotifierError(f"{type(self).__name__} does not send notices", retryable=False)

    async def aclose(self) -> None:  # noqa: B027 - an optional hook, deliberately empty
        """Release clients and connections; nothing to do by default."""

    def describe(self) -> dict[str, object]:
        """Fields that are safe to show in repr and logs; subclasses add theirs."""
        return {"name": self.name}

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self.describe().items())
        return f"{type(self).__name__}({fields})"


def mask_url(url: str) -> str:
    """`url` reduced to scheme, host and port: paths and user info often carry tokens."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "…"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
    return f"{parts.scheme}://{netloc}/" + ("…" if hidden else "")
