"""robots.txt: fetched once per origin, cached for a while, evaluated with protego."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

logger = logging.getLogger(__name__)

# A Crawl-delay beyond this would stall a source for good; honour it up to here.
MAX_CRAWL_DELAY = 60.0


@dataclass(frozen=True, slots=True)
class RobotsResponse:
    """What the server answered for /robots.txt."""

    status: int
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one URL may be fetched, and the host's Crawl-delay if it sets one."""

    allowed: bool
    crawl_delay: float | None = None


# Returns None when the server could not be reached at all.
RobotsLoader = Callable[[str], Awaitable[RobotsResponse | None]]


@dataclass(frozen=True, slots=True)
class _Entry:
    rules: Protego | None  # None: everything is allowed
    expires_at: float


def origin_of(url: str) -> str:
    """The scheme://host[:port] that one robots.txt governs."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"


class RobotsCache:
    """Answers "may this user agent fetch this URL?" with one robots.txt fetch per origin
    per `ttl` seconds; a missing robots.txt (4xx) allows everything, and so, with a
    warning, does an unreachable one (5xx, network error), re-tried after `failure_ttl`."""

    def __init__(
        self,
        *,
        user_agent: str,
        load: RobotsLoader,
        ttl: float = 3600.0,
        failure_ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user_agent = user_agent
        self._load = load
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def verdict(self, url: str) -> Verdict:
        """May `url` be fetched, and with what Crawl-delay?"""
        rules = await self._rules(origin_of(url))
        if rules is None:
            return Verdict(allowed=True)
        delay = rules.crawl_delay(self._user_agent)
        if delay is not None and delay > MAX_CRAWL_DELAY:
            logger.info("robots.txt Crawl-delay %.0fs capped at %.0fs", delay, MAX_CRAWL_DELAY)
            delay = MAX_CRAWL_DELAY
        return Verdict(allowed=rules.can_fetch(url, self._user_agent), crawl_delay=delay)

    async def _rules(self, origin: str) -> Protego | None:
        # One lock per origin, so concurrent checks of one host fetch robots.txt once.
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._entries.get(origin)
            if entry is None or entry.expires_at <= self._clock():
                entry = await self._fetch(origin)
                self._entries[origin] = entry
            return entry.rules

    async def _fetch(self, origin: str) -> _Entry:
        robots_url = f"{origin}/robots.txt"
        response = await self._load(robots_url)
        now = self._clock()
        if response is None or response.status >= 500:
            status = "unreachable" if response is None else str(response.status)
            logger.warning("robots.txt %s: %s, allowing all for now", robots_url, status)
            return _Entry(rules=None, expires_at=now + self._failure_ttl)
        if response.status >= 400:
            return _Entry(rules=None, expires_at=now + self._ttl)
        if response.status >= 300:
            # The loader follows redirects; a 3xx here means the chain was broken.
            return _Entry(rules=None, expires_at=now + self._failure_ttl)
        return _Entry(rules=_parse(robots_url, response.text), expires_at=now + self._ttl)


def _parse(robots_url: str, text: str) -> Protego | None:
    try:
        return Protego.parse(text)
    except Exception:  # protego is lenient; a crash here must not block fetching
        logger.warning("robots.txt %s could not be parsed, allowing all", robots_url)
        return None
