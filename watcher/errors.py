"""The one error hierarchy: every failure watcher reports is a WatcherError."""

from __future__ import annotations


class WatcherError(Exception):
    """Root of every error watcher raises on purpose."""


class ConfigError(WatcherError):
    """The configuration is invalid; the message names file, table, key and line."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        table: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = message
        self.path = path
        self.table = table
        self.key = key
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where: list[str] = []
        if self.path:
            where.append(self.path + (f":{self.line}" if self.line else ""))
        if self.table:
            where.append(self.table)
        if self.key:
            where.append(f"key {self.key!r}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class FetchError(WatcherError):
    """A URL could not be fetched; `retryable` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.url = url
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in extraction workers too: the default pickling would call
        # FetchError(message) without the keyword-only arguments and fail in the parent.
        fields = (str(self), self.url, self.retryable, self.status, self.retry_after)
        return (_rebuild_fetch_error, fields)


def _rebuild_fetch_error(
    message: str, url: str, retryable: bool, status: int | None, retry_after: float | None
) -> FetchError:
    return FetchError(message, url=url, retryable=retryable, status=status, retry_after=retry_after)


class ExtractError(WatcherError):
    """A fetched document could not be turned into items (broken HTML or feed, empty region)."""


class StorageError(WatcherError):
    """The database failed or refused an operation."""


class NotifierError(WatcherError):
    """A notifier could not deliver; `retryable` tells the outbox whether to try again."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        self.retryable = retryable
        self.retry_after = retry_after
        super().__init__(message)
