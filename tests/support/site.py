"""A local website for tests: pages live in a dict the test rewrites between checks."""

from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import brotli

from tests.support.servers import BackgroundServer, QuietHandler

# Content codings the site can serve a page in (when the request accepts them).
CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
}


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    coding: str | None = None


class Site(BackgroundServer):
    """Serves `pages[path]`; counts requests; answers conditional requests with 304."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                site._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)

    def url(self, path: str) -> str:
        return self.base + path

    def put(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        coding: str | None = None,
    ) -> None:
        """Serve `body` at `path`, compressed with `coding` (a CODINGS key) when given."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.pages[path] = Page(data, content_type, coding=coding)

    def fail(self, path: str, status: int = 500) -> None:
        with self._lock:
            self.pages[path] = Page(b"server error", "text/plain", status)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for requested, _ in self.requests if requested == path)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.requests.append((path, dict(handler.headers.items())))
            page = self.pages.get(path)
        if path == "/robots.txt" and page is None:
            page = Page(b"User-agent: *\nAllow: /\n", "text/plain")
        if page is None:
            handler.send_error(404)
            return
        etag = '"' + hashlib.sha1(page.body).hexdigest() + '"'
        if page.status == 200 and handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        body = page.body
        handler.send_response(page.status)
        handler.send_header("Content-Type", page.content_type)
        accepted = handler.headers.get("Accept-Encoding", "")
        if page.coding and page.coding in accepted:
            body = CODINGS[page.coding](body)
            handler.send_header("Content-Encoding", page.coding)
        handler.send_header("Content-Length", str(len(body)))
        if page.status == 200:
            handler.send_header("ETag", etag)
        handler.end_headers()
        handler.wfile.write(body)
