"""A check that only waits (retry back-off, a host's spacing) does not hold up the others."""

from __future__ import annotations

from pathlib import Path

from tests.support import news
from tests.support.configs import source, write_config
from tests.support.site import Site
from watcher.app import fetcher_for
from watcher.config import load_config
from watcher.pipeline import Pipeline
from watcher.storage import Database


async def test_retry_back_off_gives_the_cycle_slot_to_other_sources(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.fail("/down", 503)  # transient: retried twice with back-off
    site.put("/up", news.article("Fine", ["The court sat today."]))
    sources = source("down", site.url("/down"), "page") + source("up", site.url("/up"), "page")
    config = load_config(write_config(tmp_path, database=database_url, sources=sources))

    async with fetcher_for(config) as fetcher:
        pipeline = Pipeline(config, database, fetcher)
        # One slot: before, "up" waited for all of "down"'s attempts and back-offs.
        reports = await pipeline.check_many(config.sources, concurrency=1)

    assert [(r.source, r.ok) for r in reports] == [("down", False), ("up", True)]
    fetched = [path for path, _headers in site.requests if path != "/robots.txt"]
    assert fetched.count("/down") == 3
    assert fetched.index("/up") < len(fetched) - 1, f"/up waited for every retry: {fetched}"


async def test_a_spaced_host_gives_the_cycle_slot_to_other_hosts(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    for path in ("/a", "/b", "/c", "/x"):
        site.put(path, news.article("Story", ["The court sat today."]))
    # One server, two hosts as politeness counts them: 127.0.0.1:port and localhost:port.
    other_host = site.url("/x").replace("127.0.0.1", "localhost")
    sources = "".join(source(f"slow {p}", site.url(p), "page") for p in ("/a", "/b", "/c"))
    sources += source("other", other_host, "page")
    path = write_config(tmp_path, database=database_url, sources=sources)
    # Starts to one host at least 1 s apart: /b and /c wait their turn.
    path.write_text(path.read_text().replace('host_delay = "0s"', 'host_delay = "1s"'))
    config = load_config(path)

    async with fetcher_for(config) as fetcher:
        pipeline = Pipeline(config, database, fetcher)
        reports = await pipeline.check_many(config.sources, concurrency=1)

    assert all(r.ok for r in reports), [r.error for r in reports]
    fetched = [p for p, _headers in site.requests if p != "/robots.txt"]
    assert sorted(fetched) == ["/a", "/b", "/c", "/x"]
    # Before, the one slot was held through each wait: /x came after all of the slow host.
    assert fetched.index("/x") < fetched.index("/c"), fetched
