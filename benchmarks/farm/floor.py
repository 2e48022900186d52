"""The floor: the least a Python checker on watcher's stack can do per cycle.

One httpx AsyncClient, conditional requests with the ETags of the last run (kept in a JSON
file), selectolax to take each changed document's text, a SHA-256 of it. No robots.txt, no
database, no matching: what is left when everything a product needs is taken away.

    python -m benchmarks.farm.floor URLS_FILE STATE_FILE
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path

import httpx
from selectolax.lexbor import LexborHTMLParser

CONCURRENCY = 64


def text_hash(body: bytes) -> str:
    """SHA-256 of the document's visible text."""
    tree = LexborHTMLParser(body)
    root = tree.body or tree.root
    text = root.text(separator=" ") if root is not None else ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def check(
    client: httpx.AsyncClient, gate: asyncio.Semaphore, url: str, state: dict[str, list[str]]
) -> str:
    """Fetch one URL conditionally; returns "304", "changed" or "same"."""
    etag, digest = state.get(url, ["", ""])
    headers = {"If-None-Match": etag} if etag else {}
    async with gate:
        response = await client.get(url, headers=headers)
    if response.status_code == 304:
        return "304"
    new_digest = text_hash(response.content)
    state[url] = [response.headers.get("ETag", ""), new_digest]
    return "same" if new_digest == digest else "changed"


async def main(urls_file: Path, state_file: Path) -> None:
    urls = urls_file.read_text().split()
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        outcomes = await asyncio.gather(*(check(client, gate, url, state) for url in urls))
    state_file.write_text(json.dumps(state))
    summary = {kind: outcomes.count(kind) for kind in ("304", "changed", "same")}
    print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
