"""Chat channels through apprise against real local receivers (json://, ntfy://, mmost://)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

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
        "Mokom was released. <!here> @here @everyone <@U123> [click](https://evil.example) "
        "see https://evil.example/x and <script>steal()</script> *bold* `code`"
    ),
    detected_at=datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
    highlights=((0, 5),),
)
FORBIDDEN = (
    "<!channel>",
    "<!here>",
    "@everyone",
    "@here",
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
                reply = b'{"id":"1","event":"message"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
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
def chat() -> Iterator[ChatReceiver]:
    with ChatReceiver() as receiver:
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


async def test_scraped_text_is_harmless_in_every_channel(chat: ChatReceiver) -> None:
    notifier = apprise_notifier(
        f"json://{chat.hostport}/json",
        f"ntfy://{chat.hostport}/alerts",
        f"mmost://{chat.hostport}/token123",
    )
    await notifier.send(HOSTILE)
    posts = [chat.bodies(prefix) for prefix in ("/json", "/", "/hooks/token123")]
    assert all(posts)
    for body in (body for bodies in posts for body in bodies):
        # Decode JSON escapes so that an escaped "<" cannot hide a mention.
        decoded = json.dumps(json.loads(body), ensure_ascii=False)
        for forbidden in FORBIDDEN:
            assert forbidden not in decoded, (forbidden, decoded)


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
