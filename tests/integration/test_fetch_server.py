"""Fetcher against a real HTTP/1.1 server on 127.0.0.1: streaming, compression, keep-alive,
timeouts, politeness."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import brotli
import pytest

from watcher.errors import FetchError
from watcher.fetch import Fetcher

PAGE = b"<html><body><p>Prosecutor Karim Khan spoke.</p></body></html>" * 50


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    connection: int
    started: float
    finished: float = 0.0


Route = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class LocalServer:
    """A tiny HTTP/1.1 server whose routes write raw responses, so they can lie and stall."""

    routes: dict[str, Route]
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0
    peak: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        connection = self.connections
        try:
            while await self._one_request(reader, writer, connection):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        request = Request(method, target, headers, connection, time.monotonic())
        self.requests.append(request)
        route = self.routes.get(target.partition("?")[0], not_found)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await route(request, writer)
        finally:
            self.in_flight -= 1
            request.finished = time.monotonic()


async def respond(
    writer: asyncio.StreamWriter,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    **headers: str,
) -> bool:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if "Content_Length" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
    return True


async def not_found(_: Request, writer: asyncio.StreamWriter) -> bool:
    return await respond(writer, b"no", status="404 Not Found", content_type="text/plain")


async def page(_: Request, writer: asyncio.StreamWriter) -> bool:
    return await respond(writer, PAGE)


async def slow_page(_: Request, writer: asyncio.StreamWriter) -> bool:
    await asyncio.sleep(0.1)
    return await respond(writer, PAGE)


async def conditional(request: Request, writer: asyncio.StreamWriter) -> bool:
    if request.headers.get("if-none-match") == '"v1"':
        return await respond(writer, b"", status="304 Not Modified", ETag='"v1"')
    return await respond(writer, PAGE, ETag='"v1"')


async def gzipped(request: Request, writer: asyncio.StreamWriter) -> bool:
    assert "gzip" in request.headers.get("accept-encoding", "")
    return await respond(writer, gzip.compress(PAGE), Content_Encoding="gzip")


async def brotli_page(request: Request, writer: asyncio.StreamWriter) -> bool:
    assert "br" in request.headers.get("accept-encoding", "")
    return await respond(writer, brotli.compress(PAGE), Content_Encoding="br")


async def declared_huge(_: Request, writer: asyncio.StreamWriter) -> bool:
    # Claims 50 MB, sends one byte and stalls: only the Content-Length check ends this quickly.
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000000\r\n\r\nx")
    await writer.drain()
    await asyncio.sleep(30)
    return False


async def endless_chunked(_: Request, writer: asyncio.StreamWriter) -> bool:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 16384
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


async def endless_unframed(_: Request, writer: asyncio.StreamWriter) -> bool:
    # Neither Content-Length nor chunked: the body runs until the server closes.
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
    while True:
        writer.write(b"y" * 16384)
        await writer.drain()


async def gzip_bomb(_: Request, writer: asyncio.StreamWriter) -> bool:
    return await respond(writer, gzip.compress(b"\0" * 5_000_000), Content_Encoding="gzip")


async def drip(_: Request, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    while True:
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def silent(_: Request, __: asyncio.StreamWriter) -> bool:
    await asyncio.sleep(30)
    return False


async def robots_txt(_: Request, writer: asyncio.StreamWriter) -> bool:
    body = b"User-agent: *\nDisallow: /private\n"
    return await respond(writer, body, content_type="text/plain")


ROUTES: dict[str, Route] = {
    "/page": page,
    "/slow": slow_page,
    "/conditional": conditional,
    "/gzip": gzipped,
    "/br": brotli_page,
    "/declared-huge": declared_huge,
    "/endless-chunked": endless_chunked,
    "/endless-unframed": endless_unframed,
    "/gzip-bomb": gzip_bomb,
    "/drip": drip,
    "/silent": silent,
    "/robots.txt": robots_txt,
    "/private": page,
}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    local = LocalServer(dict(ROUTES))
    await local.start()
    yield local
    await local.stop()


@pytest.fixture
async def other_server() -> AsyncIterator[LocalServer]:
    local = LocalServer(dict(ROUTES))
    await local.start()
    yield local
    await local.stop()


def fetcher(**options: Any) -> Fetcher:
    options.setdefault("respect_robots", False)
    options.setdefault("host_delay", 0.0)
    options.setdefault("timeout", 5.0)
    return Fetcher(user_agent="watcher-test/1.0", **options)


async def test_plain_get_and_keep_alive(server: LocalServer) -> None:
    async with fetcher() as client:
        first = await client.get(server.url("/page"))
        second = await client.get(server.url("/page"))
    assert first.body == second.body == PAGE
    assert first.content_type == "text/html; charset=utf-8"
    assert server.connections == 1
    assert server.requests[0].headers["user-agent"] == "watcher-test/1.0"


async def test_conditional_get(server: LocalServer) -> None:
    async with fetcher() as client:
        fresh = await client.get(server.url("/conditional"))
        again = await client.get(server.url("/conditional"), etag=fresh.etag)
    assert (fresh.status, fresh.etag) == (200, '"v1"')
    assert (again.status, again.body, again.not_modified) == (304, b"", True)


@pytest.mark.parametrize("path", ["/gzip", "/br"])
async def test_compressed_body_is_decoded(server: LocalServer, path: str) -> None:
    async with fetcher() as client:
        result = await client.get(server.url(path))
    assert result.body == PAGE


@pytest.mark.parametrize(
    "path", ["/declared-huge", "/endless-chunked", "/endless-unframed", "/gzip-bomb"]
)
async def test_size_cap(server: LocalServer, path: str) -> None:
    started = time.monotonic()
    async with fetcher(max_bytes=1_000_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(server.url(path))
    assert not caught.value.retryable
    assert "limit of 1000000 bytes" in str(caught.value)
    assert time.monotonic() - started < 3


@pytest.mark.timeout(10)  # without the deadline this would hang for an hour
async def test_slow_drip_hits_the_overall_deadline(server: LocalServer) -> None:
    started = time.monotonic()
    async with fetcher(timeout=0.4, retries=0) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(server.url("/drip"))
    elapsed = time.monotonic() - started
    assert caught.value.retryable
    assert "within 0.4s" in str(caught.value)
    # The read timeout alone would never fire: a byte arrives every 50 ms.
    assert 0.35 <= elapsed < 2


async def test_silent_server_read_timeout_is_retried(server: LocalServer) -> None:
    # A second of read timeout: at 0.2 s a loaded machine could time out before the request
    # reached the server, and the test would see one path instead of two.
    async with fetcher(timeout=1.0, retries=1, backoff=0.01) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(server.url("/silent"))
    assert caught.value.retryable
    assert server.paths() == ["/silent", "/silent"]


async def test_connection_refused_is_retryable() -> None:
    async with fetcher(retries=0) as client:
        with pytest.raises(FetchError) as caught:
            # Port 9 (discard) is closed on a test machine's loopback.
            await client.get("http://127.0.0.1:9/")
    assert caught.value.retryable


async def test_robots_disallow_over_the_wire(server: LocalServer) -> None:
    async with fetcher(respect_robots=True) as client:
        await client.get(server.url("/page"))
        with pytest.raises(FetchError, match=r"robots\.txt disallows"):
            await client.get(server.url("/private"))
    assert server.paths() == ["/robots.txt", "/page"]


async def test_host_concurrency_with_two_hosts_in_parallel(
    server: LocalServer, other_server: LocalServer
) -> None:
    urls = [local.url("/slow") for local in (server, other_server) for _ in range(6)]
    async with fetcher(host_concurrency=2) as client:
        await asyncio.gather(*(client.get(url) for url in urls))
    assert (server.peak, other_server.peak) == (2, 2)
    assert any(
        mine.started < theirs.finished and theirs.started < mine.finished
        for mine in server.requests
        for theirs in other_server.requests
    ), "the two hosts were never served at the same time"


async def test_host_delay_spaces_request_starts(server: LocalServer) -> None:
    delay = 0.2
    async with fetcher(host_delay=delay, host_concurrency=3) as client:
        await asyncio.gather(*(client.get(server.url("/page")) for _ in range(3)))
    starts = sorted(request.started for request in server.requests)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 2
    assert all(gap >= delay - 0.02 for gap in gaps), gaps
