"""Chat channels through apprise against real local receivers.

json://, ntfy://, mmost:// and matrix:// (webhook and client-server modes) take a host, so
they post to 127.0.0.1 as configured. Discord and Slack have no host in their URLs: apprise
hard-codes discord.com and hooks.slack.com, so those tests point the plugins' base-URL
constants at the local receiver; everything else (payload building, escaping) is apprise's.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from apprise.plugins.discord import NotifyDiscord
from apprise.plugins.slack import NotifySlack

from tests.support.matrix import MatrixServer
from tests.support.servers import BackgroundServer, QuietHandler
from watcher.errors import NotifierError
from watcher.models import Alert, AppriseSettings, Secret
from watcher.notifiers import AppriseNotifier, build_notifier

HOSTILE = Alert(
    id="alert-hostile",
    topics=("Mokom",),
    source="Hostile <!channel> site",
    url="https://news.example.org/mokom?a=(1)",
    title="<!channel> @everyone Mokom <script>alert(1)</script>",
    kind="new_item",
    excerpt=(
        "Mokom was released. <!here> @here @everyone @room <@U123> [click](https://evil.example) "
        "see https://evil.example/x and <script>steal()</script> *bold* `code`"
    ),
    detected_at=datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
    highlights=((0, 5),),
)
# Pings and links: forbidden in anything a client may show, plain text or HTML.
PINGS_AND_LINKS = (
    "<!channel>",
    "<!here>",
    "@everyone",
    "@here",
    "@room",
    "<@U123>",
    "https://evil",
)
FORBIDDEN = (
    "<!channel>",
    "<!here>",
    "@everyone",
    "@here",
    "@room",
    "<@U123>",
    "<script>",
    "](https://evil",
    "https://evil",
    "*bold*",
    "`code`",
)


class ChatReceiver(BackgroundServer):
    """Records POSTs as (path, body); answers `statuses[path prefix]` (200 by default)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.statuses: dict[str, int] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = next(
                    (code for p, code in receiver.statuses.items() if self.path.startswith(p)),
                    200,
                )
                with receiver._lock:
                    receiver.posts.append((self.path, body))
                # A Slack webhook answers the text "ok"; ntfy and the others JSON.
                slack = self.path.startswith("/services/")
                reply = b"ok" if slack else b'{"id":"1","event":"message"}'
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if slack else "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        super().__init__(Handler)

    @property
    def hostport(self) -> str:
        return self.base.removeprefix("http://")

    def bodies(self, prefix: str) -> list[bytes]:
        with self._lock:
            return [body for path, body in self.posts if path.startswith(prefix)]


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatReceiver]:
    with ChatReceiver() as receiver:
        # Discord and Slack URLs carry no host: send their webhooks here instead.
        monkeypatch.setattr(NotifyDiscord, "notify_url", receiver.base + "/api/webhooks")
        monkeypatch.setattr(NotifySlack, "webhook_url", receiver.base + "/services")
        yield receiver


def apprise_notifier(*urls: str, timeout: float = 5) -> AppriseNotifier:
    settings = AppriseSettings(name="chat", urls=tuple(Secret(u) for u in urls), timeout=timeout)
    notifier = build_notifier(settings)
    assert isinstance(notifier, AppriseNotifier)
    return notifier


async def test_json_message_has_linked_title_topics_source_and_emphasis(
    chat: ChatReceiver,
) -> None:
    await apprise_notifier(f"json://{chat.hostport}/json").send(HOSTILE)
    (body,) = chat.bodies("/json")
    message = json.loads(body)
    text = message["message"]
    assert "(https://news.example.org/mokom?a=%281%29)" in text  # the linked title
    assert text.startswith("**[")
    assert "**Mokom**" in text  # the matched term emphasised
    assert "Mokom · New item · Hostile" in text
    assert "alert-hostile" in text


def assert_harmless(body: bytes) -> None:
    # Decode JSON escapes so that an escaped "<" cannot hide a mention.
    decoded = json.dumps(json.loads(body), ensure_ascii=False)
    for forbidden in FORBIDDEN:
        assert forbidden not in decoded, (forbidden, decoded)


def assert_harmless_html(html: str) -> None:
    """HTML (Matrix) shows `*` literally; what counts: only our tags, one link, no pings."""
    for forbidden in PINGS_AND_LINKS:
        assert forbidden not in html, (forbidden, html)
    assert "<script" not in html
    assert html.count("<a ") == 1 and 'href="https://news.example.org/mokom' in html
    assert "<strong>Mokom</strong>" in html
    assert set(re.findall(r"</?([a-z0-9]+)", html)) <= {"h1", "p", "strong", "em", "a"}


CHANNELS = {
    # URL (with {hp} for the receiver's host:port) → the path its post arrives at
    "json://{hp}/json": "/json",
    "ntfy://{hp}/alerts": "/",  # the topic travels in the JSON body
    "mmost://{hp}/token123": "/hooks/token123",
    "matrix://watcher:slacktoken@{hp}?mode=slack": "/api/v1/matrix/hook/slacktoken",
    "discord://1234567890/DiscordToken": "/api/webhooks/1234567890/DiscordToken",
    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkc/": "/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkc",
}


async def test_scraped_text_is_harmless_in_every_channel(chat: ChatReceiver) -> None:
    notifier = apprise_notifier(*(url.format(hp=chat.hostport) for url in CHANNELS))
    await notifier.send(HOSTILE)
    for path in CHANNELS.values():
        (body,) = [body for posted, body in chat.posts if posted == path]
        assert b"Mokom" in body, path
        assert_harmless(body)


# A title and excerpt full of characters Markdown escapes: where a service shows text as it
# is (titles, plain-text services, Slack's mrkdwn), no backslash may show.
MARKED = replace(
    HOSTILE,
    title="Mokom *freed* [sic] (IOM) 5 > 4 #1 snake_case `c` C:\\path",
    excerpt="Mokom *freed* [sic] (IOM) 5 > 4 #1 snake_case `c` ~x~ [a](https://evil.example)",
    highlights=((0, 5),),
)


def _title_line(text: str) -> str:
    return text.split("\r\n", 1)[0]


# Where each service puts text that it shows as plain text (no Markdown rendering).
PLAIN_FIELDS: dict[str, list[Callable[[Any], str]]] = {
    "json://{hp}/json": [lambda m: m["title"]],
    "ntfy://{hp}/alerts": [lambda m: m["title"], lambda m: m["message"]],
    "mmost://{hp}/token123": [lambda m: m["text"]],
    "matrix://watcher:slacktoken@{hp}?mode=slack": [lambda m: m["attachments"][0]["title"]],
    "discord://1234567890/DiscordToken": [lambda m: _title_line(m["content"])],
    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkc/": [
        lambda m: m["attachments"][0]["title"],
        lambda m: m["attachments"][0]["text"],  # mrkdwn has no escapes: "\*" shows
    ],
}


async def test_no_stray_backslashes_where_a_service_shows_plain_text(chat: ChatReceiver) -> None:
    notifier = apprise_notifier(*(url.format(hp=chat.hostport) for url in CHANNELS))
    await notifier.send(MARKED)
    for url, fields in PLAIN_FIELDS.items():
        (body,) = [body for posted, body in chat.posts if posted == CHANNELS[url]]
        message = json.loads(body)
        for field in fields:
            shown = field(message)
            assert "Mokom" in shown and "IOM" in shown, (url, shown)
            assert "\\" not in shown.replace("C:\u29f5path", ""), (url, shown)
            for markup in ("*freed*", "`c`", "~x~", "snake_case"):
                assert markup not in shown, (url, markup, shown)
        assert_harmless(body)


@pytest.mark.parametrize(
    ("url", "markdown"),
    [
        ("json://{hp}/json", True),
        ("json://{hp}/json?format=text", False),
        ("ntfy://{hp}/alerts", False),
        ("mmost://{hp}/token123", False),
        ("discord://1234567890/DiscordToken", True),
    ],
)
async def test_each_service_gets_the_form_it_displays(
    chat: ChatReceiver, url: str, markdown: bool
) -> None:
    await apprise_notifier(url.format(hp=chat.hostport)).send(HOSTILE)
    (body,) = [body for _, body in chat.posts]
    message = json.loads(body)
    shown = message.get("message") or message.get("text") or message["content"]
    assert ("**Mokom**" in shown) is markdown, shown
    assert ("\n_Mokom · New item" in shown) is markdown, shown
    # Plain text carries the item's link on a line of its own instead of a Markdown link.
    assert ("\nhttps://news.example.org/mokom?a=%281%29\n" in shown) is not markdown, shown
    assert_harmless(body)


async def test_matrix_webhook_message_is_harmless(chat: ChatReceiver) -> None:
    await apprise_notifier(f"matrix://watcher:hooktoken@{chat.hostport}?mode=matrix").send(HOSTILE)
    (body,) = chat.bodies("/api/v1/matrix/hook/hooktoken")
    assert_harmless_html(json.loads(body)["text"])


async def test_matrix_client_server_message_is_harmless() -> None:
    with MatrixServer() as server:
        notifier = apprise_notifier(f"matrix://watcher:secret@{server.hostport}/%23news:localhost")
        await notifier.send(HOSTILE)
        (message,) = server.sent()
    assert_harmless_html(message["formatted_body"])
    # The plain fallback shows Markdown literally; it must still ping and link nobody.
    plain = message["body"]
    for forbidden in PINGS_AND_LINKS:
        assert forbidden not in plain, (forbidden, plain)


async def test_matrix_shows_a_marked_up_title_without_backslashes() -> None:
    with MatrixServer() as server:
        notifier = apprise_notifier(f"matrix://watcher:secret@{server.hostport}/%23news:localhost")
        await notifier.send(MARKED)
        (message,) = server.sent()
    for shown in (message["body"], message["formatted_body"]):
        assert "Mokom" in shown
        assert "\\" not in shown.replace("C:\u29f5path", ""), shown
        assert "*freed*" not in shown and "`c`" not in shown, shown
    assert message["formatted_body"].count("<a ") == 1


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (404, False)])
async def test_failures_are_classified(chat: ChatReceiver, status: int, retryable: bool) -> None:
    chat.statuses["/json"] = status
    with pytest.raises(NotifierError) as caught:
        await apprise_notifier(f"json://{chat.hostport}/json").send(HOSTILE)
    assert caught.value.retryable is retryable
    assert str(status) in str(caught.value) and "json://…" in str(caught.value)
    assert chat.hostport not in str(caught.value)


async def test_a_hanging_service_times_out_retryably() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        host, port = silent.getsockname()[:2]
        started = time.monotonic()
        with pytest.raises(NotifierError) as caught:
            await apprise_notifier(f"json://{host}:{port}/x", timeout=1).send(HOSTILE)
    assert caught.value.retryable
    assert time.monotonic() - started < 30


async def test_a_retry_skips_the_services_that_already_took_the_message(
    chat: ChatReceiver,
) -> None:
    notifier = apprise_notifier(f"json://{chat.hostport}/good", f"json://{chat.hostport}/bad")
    chat.statuses["/bad"] = 503
    with pytest.raises(NotifierError):
        await notifier.send(HOSTILE)
    del chat.statuses["/bad"]
    await notifier.send(HOSTILE)
    assert len(chat.bodies("/good")) == 1
    assert len(chat.bodies("/bad")) == 2


async def test_a_digest_is_one_message(chat: ChatReceiver) -> None:
    other = replace(HOSTILE, id="alert-2")
    await apprise_notifier(f"json://{chat.hostport}/json").send_digest([HOSTILE, other])
    (body,) = chat.bodies("/json")
    message = json.loads(body)
    assert message["title"] == "watcher digest: 2 alerts"
    assert "alert-hostile" in message["message"] and "alert-2" in message["message"]
