"""A local webhook receiver for tests: records every POST, answers as the test says."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from tests.support.servers import BackgroundServer, QuietHandler


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver(BackgroundServer):
    """Answers `status` (200 by default) to every POST and keeps what it got."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-request: nothing was received
                with receiver._lock:
                    status = receiver.status
                    if status < 300:
                        receiver.received.append(
                            Received(self.path, dict(self.headers.items()), body)
                        )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"{self.base}/hook"

    def payloads(self) -> list[Any]:
        with self._lock:
            return [item.json() for item in self.received]
