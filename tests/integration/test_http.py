"""/healthz, /metrics and /alerts.atom over a real socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.endpoints import endpoints
from watcher.http_server import HttpServer, start_http
from watcher.models import Config
from watcher.storage import Database
from watcher.storage.database import create_engine

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = 'Mokom <script>alert("x")</script> & "friends"'


@dataclass
class FakeDaemon:
    config: Config
    scheduling: bool = True


@pytest.fixture
def config(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver, database_url: str
) -> Config:
    site.put("/case", news.article("Mokom case", ["The trial chamber sat today."]))
    return load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources=source("case", site.url("/case"), "page"),
            notifiers=webhook("hook", webhook_receiver.url),
        )
    )


async def serve(daemon: FakeDaemon, database: Database) -> AsyncIterator[str]:
    server: HttpServer = await start_http("127.0.0.1:0", endpoints(daemon, database))
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.close()


@pytest.fixture
async def daemon(config: Config) -> FakeDaemon:
    return FakeDaemon(config)


@pytest.fixture
async def base(daemon: FakeDaemon, database: Database) -> AsyncIterator[str]:
    async for url in serve(daemon, database):
        yield url


async def test_healthz_is_ready_only_while_scheduling(base: str, daemon: FakeDaemon) -> None:
    async with httpx.AsyncClient() as client:
        ready = await client.get(f"{base}/healthz")
        daemon.scheduling = False
        stopped = await client.get(f"{base}/healthz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "scheduler": "running"}
    assert stopped.status_code == 503
    assert stopped.json()["scheduler"] == "stopped"


@pytest.mark.postgres
async def test_healthz_is_unavailable_when_the_database_does_not_answer(
    config: Config, postgres_server: str
) -> None:
    dead = Database(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        async for url in serve(FakeDaemon(config), dead):
            async with httpx.AsyncClient() as client:
                response = await client.get(f"{url}/healthz")
    finally:
        await dead.close()
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_metrics_report_checks_outbox_and_last_success(
    base: str, config: Config, database: Database, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    await run_cycle(config, database, config.sources)
    webhook_receiver.status = 503  # the alert stays in the outbox
    site.put(
        "/case",
        news.article("Mokom case", ["The trial chamber sat today.", "Mokom was released."]),
    )
    await run_cycle(config, database, config.sources)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples["watcher_outbox_depth"] == 1.0
    assert samples['watcher_checks_total{outcome="ok",source="case"}'] >= 2
    assert samples["watcher_alerts_created_total"] >= 1
    assert samples['watcher_deliveries_total{notifier="hook",outcome="retry"}'] >= 1
    assert samples["watcher_fetch_seconds_count"] >= 2
    assert 'watcher_last_success_timestamp_seconds{source="case"}' in samples
    assert "watcher_not_modified_ratio" in samples


async def test_alerts_atom_lists_recent_alerts_escaped(
    base: str, config: Config, database: Database, site: Site
) -> None:
    await run_cycle(config, database, config.sources)
    site.put(
        "/case",
        news.article(HOSTILE_TITLE, ["The trial chamber sat today.", "Mokom was released."]),
    )
    await run_cycle(config, database, config.sources)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/alerts.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert b"<script>" not in response.content
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert HOSTILE_TITLE in (entry.findtext(f"{ATOM}title") or "")
    assert entry.find(f"{ATOM}link").get("href") == site.url("/case")  # type: ignore[union-attr]
    assert "Mokom was released." in (entry.findtext(f"{ATOM}summary") or "")
    assert (entry.findtext(f"{ATOM}id") or "").startswith("urn:storywatcher:alerts:")
    assert feed.findtext(f"{ATOM}updated") == entry.findtext(f"{ATOM}updated")


async def test_only_get_and_head_on_known_paths(base: str) -> None:
    async with httpx.AsyncClient() as client:
        post = await client.post(f"{base}/healthz")
        missing = await client.get(f"{base}/admin")
        head = await client.head(f"{base}/healthz")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD"
    assert missing.status_code == 404
    assert head.status_code == 200
    assert head.content == b""


async def test_oversized_or_garbled_requests_are_refused(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    for request in (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\n\r\n", b"nonsense\r\n\r\n"):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:40]


def _samples(text: str) -> dict[str, float]:
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples
