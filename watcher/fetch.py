"""The one HTTP client: polite, conditional, size-capped GETs of pages and feeds."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from watcher import metrics
from watcher.content import DEFAULT_LIMIT, Body, parse_coding
from watcher.errors import FetchError
from watcher.politeness import HostGate, Sleep
from watcher.retry_after import parse_retry_after
from watcher.robots import RobotsCache, RobotsResponse
from watcher.slots import waiting
from watcher.transport import FastTransport
from watcher.urls import host_of

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Retry-After waits up to this long happen inside get(); longer ones go back to the caller.
MAX_RETRY_AFTER_WAIT = 60.0

_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8,"
    "text/plain;q=0.7,*/*;q=0.1"
)
_ACCEPT_ENCODING = "gzip, deflate, br"
_SUPPORTED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "text/plain",
    }
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Google reads the first 500 KiB of a robots.txt; so do we.
_ROBOTS_MAX_BYTES = 500 * 1024
_BACKOFF_CAP = 30.0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched document, or a "not modified" answer to a conditional GET."""

    url: str  # final URL after redirects
    status: int  # a 2xx status or 304
    payload: Body  # as received (still compressed); empty on 304
    content_type: str | None  # raw Content-Type header value
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True when the server said the stored copy is still current (304)."""
        return self.status == 304

    @property
    def body(self) -> bytes:
        """The decoded document (decoded on each call: read it once)."""
        return self.payload.decoded()


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class Fetcher:
    """Fetches pages and feeds politely over one shared, pooled httpx client."""

    def __init__(
        self,
        *,
        user_agent: str,
        host_concurrency: int = 2,
        host_delay: float = 1.0,
        timeout: float = 30.0,
        max_bytes: int = DEFAULT_LIMIT,
        max_redirects: int = 5,
        retries: int = 2,
        respect_robots: bool = True,
        max_connections: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
        http2: bool = False,
        sleep: Sleep = asyncio.sleep,
        deadline: float | None = None,
        backoff: float = 0.5,
        robots_ttl: float = 3600.0,
    ) -> None:
        if max_bytes < 1 or max_redirects < 0 or retries < 0 or timeout <= 0:
            raise ValueError("max_bytes and timeout must be positive, retries and redirects >= 0")
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._retries = retries
        # The whole exchange (headers and body) must finish within this, so a server
        # that drips a byte now and then cannot hold a check forever.
        self._deadline = timeout if deadline is None else deadline
        self._backoff = backoff
        self._sleep = sleep
        self._gate = HostGate(
            concurrency=host_concurrency,
            delay=host_delay,
            max_connections=max_connections,
            sleep=sleep,
        )
        self._robots = (
            RobotsCache(user_agent=user_agent, load=self._load_robots, ttl=robots_ttl)
            if respect_robots
            else None
        )
        if transport is None and not http2:
            # aiohttp's HTTP/1.1 engine is 3-4x cheaper per request than httpcore (see
            # watcher/transport.py); HTTP/2 needs httpcore.
            transport = FastTransport(max_connections=max_connections)
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": _ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            http2=http2,
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET politely; raise watcher.errors.FetchError(message, url=, retryable=, status=,
        retry_after=)."""
        _check_scheme(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        started = time.monotonic()
        for _hop in range(self._max_redirects + 1):
            outcome = await self._with_retries(current, headers)
            if isinstance(outcome, FetchResult):
                metrics.fetched(outcome.status, time.monotonic() - started)
                return outcome
            current = outcome.location
        raise FetchError(
            f"more than {self._max_redirects} redirects starting at {url}",
            url=url,
            retryable=False,
        )

    async def _with_retries(self, url: str, headers: dict[str, str]) -> FetchResult | _Redirect:
        attempt = 0
        while True:
            try:
                return await self._attempt(url, headers)
            except FetchError as error:
                if attempt >= self._retries or not _should_retry(error):
                    raise
                wait = self._retry_wait(error, attempt)
                logger.debug("GET %s failed (%s), retrying in %.1fs", url, error, wait)
                async with waiting():
                    await self._sleep(wait)
                attempt += 1

    def _retry_wait(self, error: FetchError, attempt: int) -> float:
        if error.retry_after is not None:
            return error.retry_after
        # Jitter keeps several checks of one struggling host from retrying in lockstep.
        ceiling: float = min(_BACKOFF_CAP, self._backoff * 2.0**attempt)
        return ceiling * random.uniform(0.5, 1.0)

    async def _attempt(self, url: str, headers: dict[str, str]) -> FetchResult | _Redirect:
        if self._robots is not None:
            await self._check_robots(self._robots, url)
        async with self._gate.slot(host_of(url)):
            return await self._exchange(url, headers)

    async def _check_robots(self, robots: RobotsCache, url: str) -> None:
        verdict = await robots.verdict(url)
        if verdict.crawl_delay:
            self._gate.raise_delay(host_of(url), verdict.crawl_delay)
        if not verdict.allowed:
            raise FetchError(f"robots.txt disallows {url}", url=url, retryable=False)

    async def _exchange(self, url: str, headers: dict[str, str]) -> FetchResult | _Redirect:
        started = time.monotonic()
        try:
            async with (
                asyncio.timeout(self._deadline),
                self._client.stream("GET", url, headers=headers) as response,
            ):
                logger.debug(
                    "GET %s: HTTP %d after %.3fs",
                    url,
                    response.status_code,
                    time.monotonic() - started,
                )
                return await self._handle(url, headers, response)
        except TimeoutError as exc:
            raise FetchError(
                f"no complete response from {url} within {self._deadline:g}s",
                url=url,
                retryable=True,
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _transport_error(url, exc) from exc

    async def _handle(
        self, url: str, headers: dict[str, str], response: httpx.Response
    ) -> FetchResult | _Redirect:
        status = response.status_code
        if status == 304:
            # Reading the (empty) body lets h11 see the end of the message, so the
            # connection goes back to the pool instead of being closed: without it every
            # 304 costs a new TCP connection.
            await response.aread()
            # A 304 need not repeat the validators; keep the ones that still hold.
            return FetchResult(
                url=url,
                status=304,
                payload=Body(b"", url=url, limit=self._max_bytes),
                content_type=response.headers.get("Content-Type"),
                etag=response.headers.get("ETag") or headers.get("If-None-Match"),
                last_modified=response.headers.get("Last-Modified")
                or headers.get("If-Modified-Since"),
            )
        if status in _REDIRECT_STATUSES:
            return _redirect(url, response)
        if not 200 <= status < 300:
            raise _status_error(url, response)
        content_type = response.headers.get("Content-Type")
        _check_content_type(url, content_type)
        payload = await _read_capped(url, response, self._max_bytes)
        return FetchResult(
            url=url,
            status=status,
            payload=payload,
            content_type=content_type,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )

    async def _load_robots(self, robots_url: str) -> RobotsResponse | None:
        try:
            async with (
                self._gate.slot(host_of(robots_url)),
                asyncio.timeout(self._deadline),
                self._client.stream("GET", robots_url, follow_redirects=True) as response,
            ):
                body = await _read_prefix(response, _ROBOTS_MAX_BYTES)
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
            logger.debug("robots.txt %s failed: %s", robots_url, type(exc).__name__)
            return None
        return RobotsResponse(response.status_code, body.decode("utf-8-sig", errors="replace"))


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError(
            f"unsupported URL scheme {parts.scheme!r} in {url} (only http and https)",
            url=url,
            retryable=False,
        )
    if not parts.hostname:
        raise FetchError(f"URL {url} has no host", url=url, retryable=False)


def _redirect(url: str, response: httpx.Response) -> _Redirect:
    location = response.headers.get("Location")
    if not location:
        raise FetchError(
            f"HTTP {response.status_code} redirect without a Location from {url}",
            url=url,
            retryable=False,
            status=response.status_code,
        )
    target = urljoin(url, location.strip())
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError(
            f"{url} redirects to unsupported URL scheme {scheme!r} (only http and https)",
            url=url,
            retryable=False,
            status=response.status_code,
        )
    return _Redirect(location=target)


def _check_content_type(url: str, content_type: str | None) -> None:
    if content_type is None:
        return
    media_type = content_type.partition(";")[0].strip().lower()
    if not media_type or media_type in _SUPPORTED_TYPES:
        return
    if media_type.endswith(("+xml", "+json")):
        return
    raise FetchError(f"unsupported content type {media_type!r} at {url}", url=url, retryable=False)


async def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> Body:
    """The body as sent (still compressed), capped; its decoded size is capped by Body."""
    if response.is_stream_consumed:
        # A transport that hands over a finished response (httpx.MockTransport): httpx has
        # already decoded its content.
        return Body(response.content, url=url, limit=max_bytes)
    coding = parse_coding(response.headers.get("Content-Encoding"), url)
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(url, max_bytes)
        chunks.append(chunk)
    payload = Body(b"".join(chunks), coding, url, max_bytes)
    stated = payload.declared_size()
    if stated is not None and stated > max_bytes:
        raise _too_large(url, max_bytes)
    return payload


async def _read_prefix(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        received += len(chunk)
        if received >= max_bytes:
            break
    return b"".join(chunks)[:max_bytes]


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"response from {url} is larger than the limit of {max_bytes} bytes",
        url=url,
        retryable=False,
    )


def _status_error(url: str, response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = None
    if status in _RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
    reason = f" {response.reason_phrase}" if response.reason_phrase else ""
    return FetchError(
        f"HTTP {status}{reason} from {url}",
        url=url,
        retryable=status >= 500 or status == 429,
        status=status,
        retry_after=retry_after,
    )


def _transport_error(url: str, exc: Exception) -> FetchError:
    detail = str(exc) or type(exc).__name__
    return FetchError(
        f"GET {url} failed: {detail}",
        url=url,
        retryable=isinstance(exc, _TRANSIENT_ERRORS),
    )


def _should_retry(error: FetchError) -> bool:
    if not error.retryable:
        return False
    if error.status is not None and error.status not in _TRANSIENT_STATUSES:
        return False
    return error.retry_after is None or error.retry_after <= MAX_RETRY_AFTER_WAIT
