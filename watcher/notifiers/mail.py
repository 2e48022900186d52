"""Email channel: one multipart/alternative message per alert over SMTP (aiosmtplib)."""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

import aiosmtplib

from watcher.digests import digest_id
from watcher.errors import ConfigError, NotifierError
from watcher.models import Alert, EmailSettings
from watcher.notices import Notice
from watcher.notifiers.base import Notifier, mask_url
from watcher.notifiers.digest_render import digest_html, digest_plain, digest_subject
from watcher.notifiers.render import clean_line, html_body, plain_body, subject

logger = logging.getLogger(__name__)

INSECURE_AUTH_MESSAGE = (
    "server does not offer STARTTLS; refusing to send the password in clear "
    "(set allow_insecure_auth = true to allow)"
)
_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_REASON_LIMIT = 200
MASK = "***"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to connect: host, port, and implicit TLS (smtps) or not."""

    host: str
    port: int
    implicit_tls: bool


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://host[:port]` (default 587) or `smtps://host[:port]` (default 465)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"invalid smtp URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigError("smtp must be smtp://host[:port] or smtps://host[:port]")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query:
        raise ConfigError("smtp URL takes only a host and port; use username and password keys")
    return SmtpServer(parts.hostname, port or _DEFAULT_PORTS[scheme], scheme == "smtps")


def message_id(alert_id: str, sender: str) -> str:
    """A Message-ID that is the same for every send of one alert, so repeats thread/dedupe."""
    local = alert_id if _SAFE_ID.fullmatch(alert_id) else _digest(alert_id)
    domain = parseaddr(sender)[1].rpartition("@")[2]
    if not _DOMAIN.fullmatch(domain):
        domain = "watcher.invalid"
    return f"<watcher.{local}@{domain}>"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def build_message(
    alert: Alert, settings: EmailSettings, *, now: datetime | None = None
) -> EmailMessage:
    """The multipart/alternative message (plain text and HTML) for one alert."""
    message = EmailMessage()
    message["Subject"] = subject(alert)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id(alert.id, settings.sender)
    message["X-Watcher-Alert-Id"] = clean_line(alert.id)
    # RFC 3834: tells auto-responders not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(plain_body(alert))
    message.add_alternative(html_body(alert), subtype="html")
    return message


def build_digest_message(
    alerts: Sequence[Alert], settings: EmailSettings, *, now: datetime | None = None
) -> EmailMessage:
    """One multipart/alternative message holding several alerts."""
    identity = digest_id(alert.id for alert in alerts)
    message = EmailMessage()
    message["Subject"] = digest_subject(alerts)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id(identity, settings.sender)
    message["X-Watcher-Digest-Id"] = identity
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(digest_plain(alerts))
    message.add_alternative(digest_html(alerts), subtype="html")
    return message


class EmailNotifier(Notifier):
    """Sends each alert as one email; STARTTLS when offered, never a password in clear."""

    def __init__(
        self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self._init_from(settings)
        try:
            self._server = parse_smtp_url(settings.smtp)
        except ConfigError as exc:
            raise ConfigError(f"notifier {settings.name!r}: {exc}", key="smtp") from exc
        if not settings.to:
            raise ConfigError(f"notifier {settings.name!r}: no recipients", key="to")
        self._settings = settings
        self._tls_context = tls_context

    def describe(self) -> dict[str, object]:
        """Name, server, login name and recipients; the password only as '***'."""
        fields: dict[str, object] = {
            "name": self.name,
            "smtp": mask_url(self._settings.smtp).rstrip("/"),
            "to": list(self._settings.to),
        }
        if self._settings.username is not None:
            fields["username"] = self._settings.username
        if self._settings.password is not None:
            fields["password"] = MASK
        return fields

    @property
    def _wants_login(self) -> bool:
        return self._settings.username is not None or self._settings.password is not None

    async def send(self, alert: Alert) -> None:
        """Deliver the alert's message; raise NotifierError saying whether a retry may help."""
        await self._deliver(build_message(alert, self._settings), f"alert {alert.id}")

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """Deliver several alerts as one message."""
        message = build_digest_message(alerts, self._settings)
        await self._deliver(message, f"digest of {len(alerts)} alert(s)")

    async def send_notice(self, notice: Notice) -> None:
        """Deliver a plain-text message saying a source is failing or has recovered."""
        message = EmailMessage()
        message["Subject"] = clean_line(notice.subject)
        message["From"] = self._settings.sender
        message["To"] = ", ".join(self._settings.to)
        message["Date"] = format_datetime(notice.at)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notice.text())
        await self._deliver(message, f"{notice.kind} notice for {notice.source}")

    async def _deliver(self, message: EmailMessage, label: str) -> None:
        client = aiosmtplib.SMTP(
            hostname=self._server.host,
            port=self._server.port,
            use_tls=self._server.implicit_tls,
            start_tls=False,  # decided in _secure, where a missing STARTTLS is handled
            tls_context=self._tls_context,
            timeout=self._settings.timeout,
        )
        try:
            await client.connect()
            await self._secure(client)
            await self._login(client)
            refused, _ = await client.send_message(
                message,
                sender=parseaddr(self._settings.sender)[1] or self._settings.sender,
                recipients=list(self._settings.to),
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise self._classify(exc) from exc
        finally:
            await _close(client)
        if refused:
            # Retrying would resend to those who got it; the refused are logged instead.
            logger.warning("email %s: %d recipient(s) refused %s", self.name, len(refused), label)
        logger.info("email %s sent %s", self.name, label)

    async def _secure(self, client: aiosmtplib.SMTP) -> None:
        if self._server.implicit_tls:
            return
        try:
            await client.ehlo()
        except aiosmtplib.SMTPHeloError:
            await client.helo()
        if client.supports_extension("starttls"):
            await client.starttls()

    async def _login(self, client: aiosmtplib.SMTP) -> None:
        if not self._wants_login:
            return
        encrypted = client.get_transport_info("sslcontext") is not None
        if not encrypted and not self._settings.allow_insecure_auth:
            raise NotifierError(INSECURE_AUTH_MESSAGE, retryable=False)
        password = self._settings.password.reveal() if self._settings.password else ""
        await client.login(self._settings.username or "", password)

    def _classify(self, exc: Exception) -> NotifierError:
        where = f"smtp {self._server.host}:{self._server.port}"
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            codes = [refused.code for refused in exc.recipients]
            transient = any(400 <= code < 500 for code in codes)
            return NotifierError(f"{where}: every recipient refused ({codes})", retryable=transient)
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            reason = clean_line(f"{exc.code} {exc.message}", _REASON_LIMIT)
            if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
                reason = f"authentication failed: {reason}"
            return NotifierError(f"{where}: {reason}", retryable=400 <= exc.code < 500)
        reason = clean_line(f"{type(exc).__name__}: {exc}", _REASON_LIMIT)
        # Connection trouble, timeouts and TLS handshakes may heal; an unsupported
        # feature (no AUTH, no STARTTLS when forced) will not.
        transient = isinstance(exc, OSError)
        return NotifierError(f"{where}: {reason}", retryable=transient)


async def _close(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        try:
            await client.quit()
            return
        except (aiosmtplib.SMTPException, OSError):
            pass
    # Also after a failed TLS handshake, which leaves a transport the client no longer
    # counts as connected: closing it here keeps it from leaking until garbage collection.
    client.close()
