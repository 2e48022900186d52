"""A real SMTP server for tests (aiosmtpd) that keeps the messages it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reply: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply is not None:
            return self.reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


class MailServer:
    """aiosmtpd on 127.0.0.1; `reply` set to e.g. "451 try later" makes it refuse."""

    def __init__(self) -> None:
        self._recorder = _Recorder()
        self.port = free_port()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self._recorder.messages

    def refuse(self, reply: str | None) -> None:
        self._recorder.reply = reply

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
