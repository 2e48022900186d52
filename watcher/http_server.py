"""A tiny HTTP/1.1 server for health, metrics and the alert feed: GET and HEAD only.

The stdlib's asyncio streams are enough for three read-only endpoints and keep a web
framework out of the daemon. Requests are bounded in size and time; every answer closes
the connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from watcher.errors import WatcherError

log = logging.getLogger(__name__)

MAX_REQUEST = 8192  # bytes of request line and headers
READ_TIMEOUT = 10.0  # seconds a client has to send its request


class HttpError(WatcherError):
    """The configured address cannot be served."""


@dataclass(frozen=True, slots=True)
class Response:
    """What an endpoint answers."""

    status: int
    content_type: str
    body: bytes


Endpoint = Callable[[], Awaitable[Response]]


def split_address(address: str) -> tuple[str, int]:
    """("host", port) of "host:port" or "[v6]:port"."""
    host, _colon, port = address.rpartition(":")
    return host.strip("[]"), int(port)


class HttpServer:
    """A listening server; `close` stops it."""

    def __init__(self, server: asyncio.Server) -> None:
        self._server = server

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and wait for open connections to finish."""
        self._server.close()
        await self._server.wait_closed()


async def start_http(address: str, routes: Mapping[str, Endpoint]) -> HttpServer:
    """Listen on `address` ("host:port") only, answering `routes`."""
    host, port = split_address(address)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handle(reader, writer, routes)

    try:
        server = await asyncio.start_server(handle, host, port, limit=MAX_REQUEST)
    except OSError as exc:
        raise HttpError(f"cannot listen on {address} ([watcher] http): {exc}") from exc
    log.info("serving health and metrics", extra={"address": address})
    return HttpServer(server)


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, routes: Mapping[str, Endpoint]
) -> None:
    try:
        async with asyncio.timeout(READ_TIMEOUT):
            head = await reader.readuntil(b"\r\n\r\n")
        method, path = _request_line(head)
        response = await _answer(method, path, routes)
        _write(writer, response, head_only=method == "HEAD")
        await writer.drain()
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        _write(writer, _plain(HTTPStatus.BAD_REQUEST), head_only=False)
    except ConnectionError:
        pass
    finally:
        writer.close()


def _request_line(head: bytes) -> tuple[str, str]:
    line = head.split(b"\r\n", 1)[0].decode("ascii")
    method, target, _version = line.split(" ")
    return method, target.split("?", 1)[0]


async def _answer(method: str, path: str, routes: Mapping[str, Endpoint]) -> Response:
    if method not in ("GET", "HEAD"):
        return _plain(HTTPStatus.METHOD_NOT_ALLOWED)
    endpoint = routes.get(path)
    if endpoint is None:
        return _plain(HTTPStatus.NOT_FOUND)
    try:
        return await endpoint()
    except Exception:
        log.exception("endpoint failed", extra={"path": path})
        return _plain(HTTPStatus.INTERNAL_SERVER_ERROR)


def _plain(status: HTTPStatus) -> Response:
    return Response(status.value, "text/plain; charset=utf-8", f"{status.phrase}\n".encode())


def _write(writer: asyncio.StreamWriter, response: Response, *, head_only: bool) -> None:
    phrase = HTTPStatus(response.status).phrase
    allow = "Allow: GET, HEAD\r\n" if response.status == HTTPStatus.METHOD_NOT_ALLOWED else ""
    headers = (
        f"HTTP/1.1 {response.status} {phrase}\r\n{allow}"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(headers.encode("ascii"))
    if not head_only:
        writer.write(response.body)
