"""Fetcher, HostGate and RobotsCache against httpx.MockTransport: no sockets, no real waits."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from watcher.content import Body
from watcher.errors import FetchError
from watcher.fetch import Fetcher, FetchResult
from watcher.politeness import HostGate
from watcher.retry_after import parse_retry_after
from watcher.robots import RobotsCache, RobotsResponse, origin_of

Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
UA = "watcher-test/1.0 (+mailto:desk@example.org)"


class RecordingSleep:
    """Stands in for asyncio.sleep: records how long it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


class Recorder:
    """A MockTransport handler over a dict of path -> responder, keeping every request."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(request.url.path)
        if route is None:
            return httpx.Response(404, text="not here")
        return route(request)

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


def html(body: str = "<p>Karim Khan</p>", **headers: str) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "text/html", **headers}, text=body)


def fetcher(handler: Handler, sleep: RecordingSleep | None = None, **options: Any) -> Fetcher:
    options.setdefault("respect_robots", False)
    options.setdefault("host_delay", 0.0)
    return Fetcher(
        user_agent=UA,
        transport=httpx.MockTransport(handler),
        sleep=sleep or RecordingSleep(),
        **options,
    )


async def fetch_error(client: Fetcher, url: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await client.get(url, **kwargs)
    return caught.value


# --- plain GETs and headers -------------------------------------------------------------


async def test_get_returns_body_and_validators() -> None:
    routes = Recorder(
        {"/news": lambda _: html("<p>hi</p>", ETag='"v1"', **{"Last-Modified": "Mon, 01 Jan"})}
    )
    async with fetcher(routes) as client:
        result = await client.get("https://example.org/news")
    assert result == FetchResult(
        url="https://example.org/news",
        status=200,
        payload=Body(b"<p>hi</p>", url="https://example.org/news"),
        content_type="text/html",
        etag='"v1"',
        last_modified="Mon, 01 Jan",
    )
    assert not result.not_modified


async def test_sends_user_agent_accept_and_compression_headers() -> None:
    routes = Recorder({"/": lambda _: html()})
    async with fetcher(routes) as client:
        await client.get("https://example.org/")
    headers = routes.requests[0].headers
    assert headers["User-Agent"] == UA
    assert headers["Accept"].startswith("text/html,")
    assert "application/rss+xml" in headers["Accept"]
    assert {"gzip", "deflate", "br"} <= {
        part.strip() for part in headers["Accept-Encoding"].split(",")
    }
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


async def test_conditional_headers_sent_and_304_handled() -> None:
    def conditional(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304)
        return html(ETag='"v1"')

    routes = Recorder({"/feed": conditional})
    async with fetcher(routes) as client:
        result = await client.get(
            "https://example.org/feed", etag='"v1"', last_modified="Tue, 02 Jan 2024 10:00:00 GMT"
        )
    sent = routes.requests[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Tue, 02 Jan 2024 10:00:00 GMT"
    assert result.status == 304
    assert result.not_modified
    assert result.body == b""
    # The 304 repeated no validators: the ones sent still hold.
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 02 Jan 2024 10:00:00 GMT"


async def test_304_with_new_validators_reports_them() -> None:
    routes = Recorder({"/": lambda _: httpx.Response(304, headers={"ETag": '"v2"'})})
    async with fetcher(routes) as client:
        result = await client.get("https://example.org/", etag='"v1"')
    assert (result.status, result.etag) == (304, '"v2"')


# --- size cap ---------------------------------------------------------------------------


async def endless(chunk: bytes = b"x" * 65536) -> AsyncIterator[bytes]:
    while True:
        yield chunk


async def test_size_cap_by_content_length_rejects_before_reading() -> None:
    pulled: list[bytes] = []

    async def small_body() -> AsyncIterator[bytes]:
        pulled.append(b"ok")
        yield b"ok"

    def declared_big(_: httpx.Request) -> httpx.Response:
        # The body itself is small: only the declared length can trip the cap.
        headers = {"Content-Type": "text/html", "Content-Length": "2000"}
        return httpx.Response(200, headers=headers, content=small_body())

    async with fetcher(Recorder({"/big": declared_big}), max_bytes=1000) as client:
        error = await fetch_error(client, "https://example.org/big")
    assert not error.retryable
    assert "limit of 1000 bytes" in str(error)
    assert pulled == []


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Length": "10"}],
    ids=["no-content-length", "lying-content-length"],
)
async def test_size_cap_while_streaming(headers: dict[str, str]) -> None:
    def streamed(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/html", **headers}, content=endless()
        )

    async with fetcher(Recorder({"/stream": streamed}), max_bytes=100_000) as client:
        error = await fetch_error(client, "https://example.org/stream")
    assert not error.retryable
    assert "limit of 100000 bytes" in str(error)


async def test_body_exactly_at_the_cap_is_accepted() -> None:
    routes = Recorder({"/": lambda _: html("x" * 1000)})
    async with fetcher(routes, max_bytes=1000) as client:
        result = await client.get("https://example.org/")
    assert len(result.body) == 1000


# --- redirects and schemes --------------------------------------------------------------


def redirect_chain(length: int) -> Recorder:
    def hop(request: httpx.Request) -> httpx.Response:
        step = int(request.url.params.get("n", "0"))
        if step < length:
            return httpx.Response(302, headers={"Location": f"/r?n={step + 1}"})
        return html(f"landed after {step}")

    return Recorder({"/r": hop})


@pytest.mark.parametrize(("length", "ok"), [(0, True), (5, True), (6, False)])
async def test_redirect_limit(length: int, ok: bool) -> None:
    routes = redirect_chain(length)
    async with fetcher(routes, max_redirects=5) as client:
        if ok:
            result = await client.get("https://example.org/r?n=0")
            assert result.url == f"https://example.org/r?n={length}"
            assert result.body == f"landed after {length}".encode()
        else:
            error = await fetch_error(client, "https://example.org/r?n=0")
            assert not error.retryable
            assert "more than 5 redirects" in str(error)
            assert len(routes.requests) == 6


async def test_redirect_to_another_host_is_followed_with_conditional_headers() -> None:
    routes = Recorder(
        {
            "/old": lambda _: httpx.Response(301, headers={"Location": "https://new.example/a"}),
            "/a": lambda _: html(),
        }
    )
    async with fetcher(routes) as client:
        result = await client.get("http://old.example/old", etag='"e"')
    assert result.url == "https://new.example/a"
    assert [str(request.url) for request in routes.requests] == [
        "http://old.example/old",
        "https://new.example/a",
    ]
    assert routes.requests[1].headers["If-None-Match"] == '"e"'


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/file.txt",
        "javascript:alert(1)",
        "data:text/html,hi",
        "https:///no-host",
    ],
)
async def test_initial_url_scheme_filter(url: str) -> None:
    routes = Recorder({})
    async with fetcher(routes) as client:
        error = await fetch_error(client, url)
    assert not error.retryable
    assert error.url == url
    assert routes.requests == []


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x"])
async def test_redirect_scheme_filter(location: str) -> None:
    routes = Recorder({"/go": lambda _: httpx.Response(302, headers={"Location": location})})
    async with fetcher(routes) as client:
        error = await fetch_error(client, "https://example.org/go")
    assert not error.retryable
    assert "unsupported URL scheme" in str(error)
    assert routes.paths() == ["/go"]


async def test_redirect_without_location_is_an_error() -> None:
    routes = Recorder({"/go": lambda _: httpx.Response(302)})
    async with fetcher(routes) as client:
        error = await fetch_error(client, "https://example.org/go")
    assert (error.retryable, error.status) == (False, 302)


# --- content types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",
        "application/xhtml+xml",
        "application/xml",
        "text/xml; charset=ISO-8859-1",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "TEXT/PLAIN",
        None,
    ],
)
async def test_supported_content_types(content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    routes = Recorder({"/": lambda _: httpx.Response(200, headers=headers, content=b"ok")})
    async with fetcher(routes) as client:
        result = await client.get("https://example.org/")
    assert (result.body, result.content_type) == (b"ok", content_type)


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "application/pdf", "application/octet-stream", "video/mp4", "audio/mpeg"],
)
async def test_unsupported_content_types(content_type: str) -> None:
    routes = Recorder(
        {"/": lambda _: httpx.Response(200, headers={"Content-Type": content_type}, content=b"x")}
    )
    async with fetcher(routes) as client:
        error = await fetch_error(client, "https://example.org/")
    assert not error.retryable
    assert f"unsupported content type {content_type!r}" in str(error)


# --- robots.txt -------------------------------------------------------------------------


def robots(text: str, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(status, headers={"Content-Type": "text/plain"}, text=text)


ROBOTS = "User-agent: *\nDisallow: /private\n\nUser-agent: watcher-test\nDisallow: /secret\n"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/news", True), ("/secret/a", False), ("/private/b", True)],
    ids=["allowed", "disallowed-for-our-agent", "only-disallowed-for-others"],
)
async def test_robots_allow_and_disallow(path: str, allowed: bool) -> None:
    routes = Recorder({"/robots.txt": robots(ROBOTS), path: lambda _: html()})
    async with fetcher(routes, respect_robots=True) as client:
        if allowed:
            assert (await client.get(f"https://example.org{path}")).status == 200
        else:
            error = await fetch_error(client, f"https://example.org{path}")
            assert not error.retryable
            assert "robots.txt disallows" in str(error)
            assert routes.paths() == ["/robots.txt"]


async def test_robots_fetched_once_per_origin() -> None:
    routes = Recorder(
        {"/robots.txt": robots(ROBOTS), "/a": lambda _: html(), "/b": lambda _: html()}
    )
    async with fetcher(routes, respect_robots=True) as client:
        await asyncio.gather(
            client.get("https://example.org/a"), client.get("https://example.org/b")
        )
        await client.get("https://other.example/a")
    fetched = Counter(
        str(request.url) for request in routes.requests if request.url.path == "/robots.txt"
    )
    assert fetched == {"https://example.org/robots.txt": 1, "https://other.example/robots.txt": 1}


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_unavailable_robots_allows_everything(status: int) -> None:
    routes = Recorder(
        {"/robots.txt": robots("User-agent: *\nDisallow: /\n", status), "/a": lambda _: html()}
    )
    async with fetcher(routes, respect_robots=True) as client:
        assert (await client.get("https://example.org/a")).status == 200


async def test_unreachable_robots_allows_everything() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            raise httpx.ConnectError("refused", request=request)
        return html()

    async with fetcher(handler, respect_robots=True) as client:
        assert (await client.get("https://example.org/a")).status == 200


async def test_robots_crawl_delay_spaces_requests() -> None:
    routes = Recorder(
        {"/robots.txt": robots("User-agent: *\nCrawl-delay: 5\n"), "/a": lambda _: html()}
    )
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, respect_robots=True, host_delay=0.0) as client:
        await client.get("https://example.org/a")
        await client.get("https://example.org/a")
    assert len(sleep.calls) == 1
    assert 4.5 < sleep.calls[0] <= 5.0


# --- retries ----------------------------------------------------------------------------


def sequence(*responses: httpx.Response | type[httpx.TransportError]) -> Recorder:
    remaining = list(responses)

    def next_response(request: httpx.Request) -> httpx.Response:
        item = remaining.pop(0)
        if isinstance(item, httpx.Response):
            return item
        raise item("simulated", request=request)

    return Recorder({"/": next_response})


async def test_retry_on_503_then_success_with_backoff() -> None:
    routes = sequence(httpx.Response(503), httpx.Response(503), html())
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, retries=2, backoff=0.5) as client:
        result = await client.get("https://example.org/")
    assert result.status == 200
    assert len(routes.requests) == 3
    first, second = sleep.calls
    assert 0.25 <= first <= 0.5
    assert 0.5 <= second <= 1.0


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError]
)
async def test_retry_on_transport_errors(failure: type[httpx.TransportError]) -> None:
    routes = sequence(failure, html())
    async with fetcher(routes, retries=1) as client:
        assert (await client.get("https://example.org/")).status == 200
    assert len(routes.requests) == 2


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_transient_status_after_retries_is_retryable(status: int) -> None:
    routes = sequence(*[httpx.Response(status) for _ in range(3)])
    async with fetcher(routes, retries=2) as client:
        error = await fetch_error(client, "https://example.org/")
    assert (error.retryable, error.status) == (True, status)
    assert len(routes.requests) == 3


async def test_connect_error_after_retries_is_retryable() -> None:
    routes = sequence(httpx.ConnectError, httpx.ConnectError)
    async with fetcher(routes, retries=1) as client:
        error = await fetch_error(client, "https://example.org/")
    assert error.retryable
    assert error.status is None
    assert isinstance(error.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    ("status", "retryable"), [(404, False), (403, False), (410, False), (500, True)]
)
async def test_no_retry_on_permanent_status(status: int, retryable: bool) -> None:
    routes = sequence(httpx.Response(status), html())
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, retries=2) as client:
        error = await fetch_error(client, "https://example.org/")
    assert (error.retryable, error.status) == (retryable, status)
    assert len(routes.requests) == 1
    assert sleep.calls == []


async def test_retry_after_seconds_is_waited() -> None:
    routes = sequence(httpx.Response(429, headers={"Retry-After": "7"}), html())
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, retries=2) as client:
        assert (await client.get("https://example.org/")).status == 200
    assert sleep.calls == [7.0]


async def test_retry_after_http_date_is_waited() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    routes = sequence(httpx.Response(503, headers={"Retry-After": when}), html())
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, retries=2) as client:
        assert (await client.get("https://example.org/")).status == 200
    assert len(sleep.calls) == 1
    assert 25 <= sleep.calls[0] <= 30


@pytest.mark.parametrize("retry_after", ["120", "Wed, 21 Oct 2099 07:28:00 GMT"])
async def test_long_retry_after_is_returned_not_waited(retry_after: str) -> None:
    routes = sequence(httpx.Response(503, headers={"Retry-After": retry_after}), html())
    sleep = RecordingSleep()
    async with fetcher(routes, sleep, retries=2) as client:
        error = await fetch_error(client, "https://example.org/")
    assert (error.retryable, error.status) == (True, 503)
    assert error.retry_after is not None and error.retry_after >= 120
    assert sleep.calls == []
    assert len(routes.requests) == 1


NOW = datetime(2026, 11, 29, 14, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        (" 42 ", 42.0),
        ("Sun, 29 Nov 2026 14:01:30 GMT", 90.0),
        ("Sun, 29 Nov 2026 13:00:00 GMT", 0.0),  # in the past: go now
        ("soon", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


# --- per-host concurrency and the global cap --------------------------------------------


class ConcurrencyProbe:
    """An async handler that holds each request briefly and counts overlaps."""

    def __init__(self) -> None:
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.total = 0
        self.peak_total = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.in_flight[host] += 1
        self.total += 1
        self.peak[host] = max(self.peak[host], self.in_flight[host])
        self.peak_total = max(self.peak_total, self.total)
        try:
            await asyncio.sleep(0.02)
        finally:
            self.in_flight[host] -= 1
            self.total -= 1
        return html()


async def test_host_concurrency_limit_and_hosts_in_parallel() -> None:
    probe = ConcurrencyProbe()
    urls = [f"https://{host}/{n}" for host in ("a.example", "b.example") for n in range(6)]
    async with fetcher(probe, host_concurrency=2) as client:
        await asyncio.gather(*(client.get(url) for url in urls))
    assert probe.peak == {"a.example": 2, "b.example": 2}
    assert probe.peak_total == 4


async def test_global_connection_cap() -> None:
    probe = ConcurrencyProbe()
    urls = [f"https://{host}.example/{n}" for host in "abcd" for n in range(3)]
    async with fetcher(probe, host_concurrency=2, max_connections=3) as client:
        await asyncio.gather(*(client.get(url) for url in urls))
    assert probe.peak_total == 3


# --- HostGate with a virtual clock ------------------------------------------------------


class VirtualTime:
    """A clock that only moves when somebody sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def gate_starts(
    gate: HostGate, hosts: list[str], time: VirtualTime
) -> list[tuple[str, float]]:
    starts: list[tuple[str, float]] = []

    async def one(host: str) -> None:
        async with gate.slot(host):
            starts.append((host, time.now))

    await asyncio.gather(*(one(host) for host in hosts))
    return starts


async def test_gate_spaces_starts_per_host() -> None:
    time = VirtualTime()
    gate = HostGate(
        concurrency=2, delay=1.5, max_connections=10, sleep=time.sleep, clock=time.clock
    )
    starts = await gate_starts(gate, ["a", "a", "a"], time)
    assert [at for _, at in starts] == [100.0, 101.5, 103.0]


async def test_gate_raise_delay_never_lowers() -> None:
    gate = HostGate(concurrency=1, delay=2.0, max_connections=1)
    gate.raise_delay("a", 1.0)
    assert gate.delay_for("a") == 2.0
    gate.raise_delay("a", 10.0)
    assert (gate.delay_for("a"), gate.delay_for("b")) == (10.0, 2.0)


async def test_gate_zero_delay_never_sleeps() -> None:
    time = VirtualTime()
    gate = HostGate(
        concurrency=2, delay=0.0, max_connections=10, sleep=time.sleep, clock=time.clock
    )
    starts = await gate_starts(gate, ["a", "a", "b", "b"], time)
    assert {at for _, at in starts} == {100.0}


# --- RobotsCache ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Example.org/a/b?c", "https://example.org"),
        ("HTTP://user:pw@example.org:8080/", "http://example.org:8080"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


class RobotsServer:
    def __init__(self, *answers: RobotsResponse | None) -> None:
        self.answers = list(answers)
        self.loaded: list[str] = []

    async def __call__(self, robots_url: str) -> RobotsResponse | None:
        self.loaded.append(robots_url)
        await asyncio.sleep(0)
        return self.answers.pop(0)


async def test_robots_cache_expires() -> None:
    time = VirtualTime()
    server = RobotsServer(
        RobotsResponse(200, "User-agent: *\nDisallow: /a\n"), RobotsResponse(200, "")
    )
    cache = RobotsCache(user_agent=UA, load=server, ttl=60.0, clock=time.clock)
    assert not (await cache.verdict("https://x.example/a")).allowed
    await time.sleep(59)
    assert not (await cache.verdict("https://x.example/a")).allowed
    await time.sleep(2)
    assert (await cache.verdict("https://x.example/a")).allowed
    assert server.loaded == ["https://x.example/robots.txt"] * 2


async def test_robots_failure_is_retried_sooner() -> None:
    time = VirtualTime()
    server = RobotsServer(None, RobotsResponse(200, "User-agent: *\nDisallow: /\n"))
    cache = RobotsCache(user_agent=UA, load=server, ttl=3600.0, failure_ttl=600.0, clock=time.clock)
    assert (await cache.verdict("https://x.example/a")).allowed
    await time.sleep(601)
    assert not (await cache.verdict("https://x.example/a")).allowed


async def test_robots_concurrent_checks_load_once() -> None:
    server = RobotsServer(RobotsResponse(200, "User-agent: *\nCrawl-delay: 3\n"))
    cache = RobotsCache(user_agent=UA, load=server)
    verdicts = await asyncio.gather(*(cache.verdict(f"https://x.example/{n}") for n in range(5)))
    assert server.loaded == ["https://x.example/robots.txt"]
    assert {(verdict.allowed, verdict.crawl_delay) for verdict in verdicts} == {(True, 3.0)}


async def test_robots_huge_crawl_delay_is_capped() -> None:
    cache = RobotsCache(
        user_agent=UA, load=RobotsServer(RobotsResponse(200, "User-agent: *\nCrawl-delay: 86400\n"))
    )
    assert (await cache.verdict("https://x.example/")).crawl_delay == 60.0
