"""Webhook channel: POST the signed SPEC JSON body of an alert."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from watcher.digests import digest_id
from watcher.errors import ConfigError, NotifierError
from watcher.models import Alert, WebhookSettings
from watcher.notices import Notice, notice_bytes
from watcher.notifiers.base import Notifier, mask_url
from watcher.notifiers.payload import digest_bytes, payload_bytes, signature
from watcher.notifiers.render import clean_line
from watcher.retry_after import parse_retry_after

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "watcher-webhook/0.1 (+https://github.com/storywatcher/watcher)"
SNIPPET_LIMIT = 200
# Enough of an error body for a snippet; a misbehaving receiver may answer with megabytes.
_READ_LIMIT = 4096
_RETRYABLE_STATUSES = frozenset({408, 429})


class WebhookNotifier(Notifier):
    """POSTs each alert as JSON, signed with HMAC-SHA256 when a secret is set."""

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._init_from(settings)
        parts = urlsplit(settings.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"notifier {settings.name!r}: webhook url must be an http(s) URL with a host"
            )
        self._settings = settings
        self._transport = transport
        self._user_agent = user_agent or DEFAULT_USER_AGENT
        self._client: httpx.AsyncClient | None = None

    def describe(self) -> dict[str, object]:
        """Name, masked URL and whether the body is signed; never the secret."""
        return {
            "name": self.name,
            "url": mask_url(self._settings.url),
            "signed": self._settings.secret is not None,
        }

    def _headers(self, identity: tuple[str, str], body: bytes) -> dict[str, str]:
        header, value = identity
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self._user_agent,
            # Header values must be ASCII; ids are, but a bad one must not crash the outbox.
            header: clean_line(value).encode("ascii", "replace").decode(),
        }
        if self._settings.secret is not None:
            headers["X-Watcher-Signature"] = signature(body, self._settings.secret.reveal())
        return headers

    def _http(self) -> httpx.AsyncClient:
        # Created on first use so the client binds to the loop that sends.
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=self._settings.timeout,
                follow_redirects=False,
            )
        return self._client

    async def send(self, alert: Alert) -> None:
        """POST the alert; raise NotifierError saying whether a retry may help."""
        await self._post(payload_bytes(alert), ("X-Watcher-Alert-Id", alert.id))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """POST one digest body: {"id", "digest": true, "alerts": [SPEC payloads]}."""
        body = digest_bytes(alerts)
        await self._post(body, ("X-Watcher-Digest-Id", digest_id(a.id for a in alerts)))

    async def send_notice(self, notice: Notice) -> None:
        """POST {"type": "source_failing"|"source_recovered", "source", "url", ...}."""
        await self._post(notice_bytes(notice), ("X-Watcher-Notice", notice.kind))

    async def _post(self, body: bytes, identity: tuple[str, str]) -> None:
        where = mask_url(self._settings.url)
        try:
            async with self._http().stream(
                "POST", self._settings.url, content=body, headers=self._headers(identity, body)
            ) as response:
                if response.is_success:
                    logger.info("webhook %s accepted %s", self.name, identity[1])
                    return
                snippet = await _read_snippet(response)
        except httpx.TimeoutException as exc:
            raise NotifierError(f"webhook {where}: timed out", retryable=True) from exc
        except httpx.UnsupportedProtocol as exc:
            raise NotifierError(f"webhook {where}: unsupported URL", retryable=False) from exc
        except httpx.TransportError as exc:
            reason = clean_line(f"{type(exc).__name__}: {exc}", SNIPPET_LIMIT)
            raise NotifierError(f"webhook {where}: {reason}", retryable=True) from exc
        raise self._status_error(response, self._masked(snippet), where)

    def _masked(self, text: str) -> str:
        if self._settings.secret is not None and self._settings.secret.reveal():
            text = text.replace(self._settings.secret.reveal(), "***")
        return text

    @staticmethod
    def _status_error(response: httpx.Response, snippet: str, where: str) -> NotifierError:
        status = response.status_code
        message = f"webhook {where}: HTTP {status}" + (f": {snippet}" if snippet else "")
        if response.is_redirect:
            location = mask_url(response.headers.get("Location", ""))
            message = f"{message} (redirect to {location} not followed)"
            return NotifierError(message, retryable=False)
        if status >= 500 or status in _RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return NotifierError(message, retryable=True, retry_after=retry_after)
        return NotifierError(message, retryable=False)

    async def aclose(self) -> None:
        """Close the HTTP client, if one was opened."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


async def _read_snippet(response: httpx.Response) -> str:
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= _READ_LIMIT:
            break
    return clean_line(data[:_READ_LIMIT].decode("utf-8", errors="replace"), SNIPPET_LIMIT)
