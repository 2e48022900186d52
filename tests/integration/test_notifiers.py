"""Notifiers against real local servers: an HTTP receiver and aiosmtpd, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from watcher.errors import NotifierError
from watcher.models import Alert, EmailSettings, Secret, Sighting, WebhookSettings
from watcher.notifiers import EmailNotifier, WebhookNotifier, build_notifier
from watcher.notifiers.mail import INSECURE_AUTH_MESSAGE
from watcher.notifiers.payload import alert_payload, payload_bytes

SECRET = "webhook-secret-value"
PASSWORD = "hunter2-password"


def make_alert(**changes: Any) -> Alert:
    alert = Alert(
        id="alert-0001",
        topics=("Karim Khan", "IOM"),
        source="ICC press releases",
        url="https://www.icc-cpi.int/news/statement",
        title="Statement <script>alert(1)</script>",
        kind="updated_item",
        excerpt="Prosecutor Karim Khan met the IOM panel.",
        detected_at=datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
        also_seen=(Sighting("Other outlet", "https://news.example.org/story"),),
        highlights=((11, 21), (30, 33)),
    )
    return replace(alert, **changes)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- webhook ------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A real HTTP server that records POSTs and answers as told."""

    port: int = 0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    hang: bool = False
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/watcher?token=t0k"


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.requests.append((self.path, dict(self.headers), self.rfile.read(length)))
            if receiver.hang:
                receiver.released.wait(5)
                return
            self.send_response(receiver.status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(receiver.body)))
            self.end_headers()
            self.wfile.write(receiver.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
async def hook(receiver: Receiver) -> AsyncIterator[WebhookNotifier]:
    settings = WebhookSettings(name="hook", url=receiver.url, secret=Secret(SECRET), timeout=0.5)
    notifier = WebhookNotifier(settings, user_agent="watcher-test/1")
    yield notifier
    await notifier.aclose()


async def test_webhook_posts_the_signed_spec_payload(
    receiver: Receiver, hook: WebhookNotifier
) -> None:
    alert = make_alert()
    await hook.send(alert)
    [(path, headers, body)] = receiver.requests
    assert path == "/hooks/watcher?token=t0k"
    assert body == payload_bytes(alert)
    assert json.loads(body) == alert_payload(alert)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "watcher-test/1"
    assert headers["X-Watcher-Alert-Id"] == "alert-0001"
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Watcher-Signature"], f"sha256={expected}")


async def test_webhook_without_secret_sends_no_signature(receiver: Receiver) -> None:
    notifier = build_notifier(WebhookSettings(name="plain", url=receiver.url))
    try:
        await notifier.send(make_alert())
    finally:
        await notifier.aclose()
    [(_, headers, _)] = receiver.requests
    assert "X-Watcher-Signature" not in headers


@pytest.mark.parametrize(
    ("status", "headers", "body", "retryable", "retry_after"),
    [
        (500, {}, b"boom", True, None),
        (503, {"Retry-After": "30"}, b"", True, 30.0),
        (429, {"Retry-After": "7"}, b"slow down", True, 7.0),
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b"", True, 0.0),
        (408, {}, b"", True, None),
        (404, {}, b"no such hook " * 40, False, None),
        (400, {}, f"bad signature for {SECRET}".encode(), False, None),
        (301, {"Location": "https://elsewhere.example.org/new?token=x"}, b"", False, None),
    ],
)
async def test_webhook_failures_are_classified(
    receiver: Receiver,
    hook: WebhookNotifier,
    status: int,
    headers: dict[str, str],
    body: bytes,
    retryable: bool,
    retry_after: float | None,
) -> None:
    receiver.status, receiver.headers, receiver.body = status, headers, body
    with pytest.raises(NotifierError) as caught:
        await hook.send(make_alert())
    error = caught.value
    assert error.retryable is retryable
    assert error.retry_after == retry_after
    message = str(error)
    assert f"HTTP {status}" in message
    assert SECRET not in message and "t0k" not in message
    assert len(message) < 300


async def test_webhook_error_names_the_status_and_a_body_snippet(
    receiver: Receiver, hook: WebhookNotifier
) -> None:
    receiver.status, receiver.body = 404, b"no such hook"
    with pytest.raises(NotifierError, match=r"HTTP 404: no such hook"):
        await hook.send(make_alert())


async def test_webhook_timeout_is_retryable(receiver: Receiver, hook: WebhookNotifier) -> None:
    receiver.hang = True
    with pytest.raises(NotifierError, match="timed out") as caught:
        await hook.send(make_alert())
    assert caught.value.retryable is True


async def test_webhook_connection_refused_is_retryable() -> None:
    settings = WebhookSettings(name="down", url=f"http://127.0.0.1:{free_port()}/", timeout=1)
    notifier = WebhookNotifier(settings)
    try:
        with pytest.raises(NotifierError) as caught:
            await notifier.send(make_alert())
    finally:
        await notifier.aclose()
    assert caught.value.retryable is True


# --- email --------------------------------------------------------------------------------


@dataclass
class MailHandler:
    """aiosmtpd handler that records messages, or refuses at RCPT or DATA."""

    refuse_rcpt: str | None = None
    refuse_data: str | None = None
    refuse_only: frozenset[str] = frozenset()  # empty: refuse every recipient
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tls_sessions: list[bool] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt and (not self.refuse_only or address in self.refuse_only):
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.tls_sessions.append(server.transport.get_extra_info("sslcontext") is not None)
        return "250 Message accepted"


@dataclass
class Authenticator:
    """Accepts only watcher / PASSWORD and remembers every attempt."""

    attempts: list[tuple[str, str]] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((login, password))
        # handled=False: aiosmtpd itself answers 535 on failure.
        return AuthResult(success=(login, password) == ("watcher", PASSWORD), handled=False)


StartServer = Callable[..., tuple[MailHandler, int]]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    controllers: list[Controller] = []

    def start(handler: MailHandler | None = None, **options: Any) -> tuple[MailHandler, int]:
        handler = handler or MailHandler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(certificate_authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def client_tls(certificate_authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    return context


def mail_settings(port: int, scheme: str = "smtp", **changes: Any) -> EmailSettings:
    settings = EmailSettings(
        name="desk email",
        smtp=f"{scheme}://127.0.0.1:{port}",
        sender="Watcher <watcher@example.org>",
        to=("desk@example.org",),
        timeout=2.0,
    )
    return replace(settings, **changes)


WITH_LOGIN: dict[str, Any] = {"username": "watcher", "password": Secret(PASSWORD)}


async def test_email_delivers_a_multipart_alternative_message(
    smtp_server: StartServer,
) -> None:
    handler, port = smtp_server()
    await EmailNotifier(mail_settings(port)).send(make_alert())
    [message] = handler.messages
    assert handler.envelopes == [("watcher@example.org", ["desk@example.org"])]
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert (plain.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    assert message["Subject"] == ("[watcher] Karim Khan, IOM: Statement <script>alert(1)</script>")
    assert message["Message-ID"] == "<watcher.alert-0001@example.org>"
    assert message["X-Watcher-Alert-Id"] == "alert-0001"
    assert message["Date"]
    html = rich.get_content()
    assert "<script>" not in html
    assert "Statement &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Prosecutor <mark>Karim Khan</mark> met the <mark>IOM</mark> panel." in html
    assert '<a href="https://www.icc-cpi.int/news/statement">' in html
    assert '<a href="https://news.example.org/story">' in html
    assert "Prosecutor *Karim Khan* met the *IOM* panel." in plain.get_content()


@pytest.mark.parametrize(
    ("refusal", "retryable"),
    [
        ({"refuse_rcpt": "451 4.3.0 Try again later"}, True),
        ({"refuse_rcpt": "550 5.1.1 No such user"}, False),
        ({"refuse_data": "451 4.7.1 Greylisted"}, True),
        ({"refuse_data": "554 5.7.1 Rejected as spam"}, False),
    ],
)
async def test_email_smtp_refusals_are_classified(
    smtp_server: StartServer, refusal: dict[str, str], retryable: bool
) -> None:
    handler = MailHandler(
        refuse_rcpt=refusal.get("refuse_rcpt"), refuse_data=refusal.get("refuse_data")
    )
    _, port = smtp_server(handler)
    with pytest.raises(NotifierError) as caught:
        await EmailNotifier(mail_settings(port)).send(make_alert())
    assert caught.value.retryable is retryable


async def test_email_partly_refused_recipients_are_not_retried(
    smtp_server: StartServer, caplog: pytest.LogCaptureFixture
) -> None:
    refusing = MailHandler(refuse_rcpt="550 5.1.1 No such user", refuse_only=frozenset({"x@e.org"}))
    handler, port = smtp_server(refusing)
    settings = mail_settings(port, to=("desk@example.org", "x@e.org"))
    await EmailNotifier(settings).send(make_alert())  # a retry would repeat it to desk@
    assert handler.envelopes == [("watcher@example.org", ["desk@example.org"])]
    assert "1 recipient(s) refused" in caplog.text


async def test_email_refuses_to_send_a_password_in_clear(smtp_server: StartServer) -> None:
    authenticator = Authenticator()
    handler, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    notifier = EmailNotifier(mail_settings(port, **WITH_LOGIN))
    with pytest.raises(NotifierError) as caught:
        await notifier.send(make_alert())
    assert str(caught.value) == INSECURE_AUTH_MESSAGE
    assert caught.value.retryable is False
    assert authenticator.attempts == []
    assert handler.messages == []


async def test_email_logs_in_over_plain_when_allowed(smtp_server: StartServer) -> None:
    authenticator = Authenticator()
    handler, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    settings = mail_settings(port, allow_insecure_auth=True, **WITH_LOGIN)
    await EmailNotifier(settings).send(make_alert())
    assert authenticator.attempts[-1] == ("watcher", PASSWORD)
    assert len(handler.messages) == 1


async def test_email_wrong_password_is_permanent(smtp_server: StartServer) -> None:
    authenticator = Authenticator()
    _, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    settings = mail_settings(port, allow_insecure_auth=True, **WITH_LOGIN)
    settings = replace(settings, password=Secret("wrong"))
    with pytest.raises(NotifierError, match="authentication failed: 535") as caught:
        await EmailNotifier(settings).send(make_alert())
    assert caught.value.retryable is False
    assert "wrong" not in str(caught.value)


async def test_email_upgrades_with_starttls_and_logs_in(
    smtp_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    authenticator = Authenticator()
    handler, port = smtp_server(
        authenticator=authenticator, tls_context=server_tls, require_starttls=True
    )
    notifier = EmailNotifier(mail_settings(port, **WITH_LOGIN), tls_context=client_tls)
    await notifier.send(make_alert())
    assert handler.tls_sessions == [True]
    assert authenticator.attempts == [("watcher", PASSWORD)]


async def test_email_untrusted_starttls_certificate_fails_without_sending(
    smtp_server: StartServer, server_tls: ssl.SSLContext
) -> None:
    authenticator = Authenticator()
    handler, port = smtp_server(authenticator=authenticator, tls_context=server_tls)
    notifier = EmailNotifier(
        mail_settings(port, **WITH_LOGIN), tls_context=ssl.create_default_context()
    )
    with pytest.raises(NotifierError, match="SSLCertVerificationError") as caught:
        await notifier.send(make_alert())
    # A relay's certificate can be fixed; the outbox keeps retrying until give_up_after.
    assert caught.value.retryable is True
    assert authenticator.attempts == [] and handler.messages == []


async def test_email_implicit_tls(
    smtp_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    authenticator = Authenticator()
    # aiosmtpd only sees STARTTLS as TLS, so it must be told to offer AUTH here.
    handler, port = smtp_server(
        authenticator=authenticator, ssl_context=server_tls, auth_require_tls=False
    )
    settings = mail_settings(port, scheme="smtps", **WITH_LOGIN)
    await EmailNotifier(settings, tls_context=client_tls).send(make_alert())
    assert handler.tls_sessions == [True]
    assert authenticator.attempts == [("watcher", PASSWORD)]


async def test_email_connection_refused_is_retryable() -> None:
    notifier = EmailNotifier(mail_settings(free_port()))
    with pytest.raises(NotifierError) as caught:
        await notifier.send(make_alert())
    assert caught.value.retryable is True


async def test_email_silent_server_times_out_retryably() -> None:
    done = asyncio.Event()

    async def say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and hangs up
        writer.close()
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        notifier = EmailNotifier(mail_settings(port, timeout=0.3))
        with pytest.raises(NotifierError, match="Timed out") as caught:
            await notifier.send(make_alert())
        await asyncio.wait_for(done.wait(), 2)
    finally:
        server.close()
        await server.wait_closed()
    assert caught.value.retryable is True
