"""A tiny fake Matrix client-server API on 127.0.0.1: login, join, send (what apprise uses)."""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.support.servers import BackgroundServer, QuietHandler

ROOM_ID = "!room:localhost"


class MatrixServer(BackgroundServer):
    """Logs in any user, joins any room as ROOM_ID, and keeps every message event sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def _answer(self, payload: dict[str, Any]) -> None:
                reply = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def _body(self) -> Any:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                return json.loads(raw) if raw else {}

            def _handle(self) -> None:
                body = self._body() if self.command in ("POST", "PUT") else {}
                with server._lock:
                    server.requests.append((self.command, self.path))
                self._answer(server.reply(self.command, self.path.partition("?")[0], body))

            do_GET = do_POST = do_PUT = _handle

        super().__init__(Handler)

    @property
    def hostport(self) -> str:
        return self.base.removeprefix("http://")

    def reply(self, method: str, path: str, body: Any) -> dict[str, Any]:
        """The answer of a homeserver to `method path`; message events are recorded."""
        if path.endswith("/login"):
            return {
                "access_token": "token-1",
                "user_id": "@watcher:localhost",
                "device_id": "DEVICE",
                "home_server": "localhost",
            }
        if path.endswith("/account/whoami"):
            return {"user_id": "@watcher:localhost"}
        if "/join/" in path:
            return {"room_id": ROOM_ID}
        if "/send/m.room.message/" in path:
            with self._lock:
                self.messages.append(body)
            return {"event_id": f"$event{len(self.messages)}"}
        if path.endswith("/joined_rooms"):
            return {"joined_rooms": [ROOM_ID]}
        return {}

    def sent(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)
