"""Which baselines are kept as documents, and what is still refused on the first check."""

from __future__ import annotations

import gzip

import pytest

from watcher.content import Body
from watcher.deferral import check_deferrable, defers_baseline
from watcher.errors import ExtractError
from watcher.fetch import FetchResult
from watcher.models import Source

URL = "https://example.org/x"
RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"


def _source(kind: str, **options: object) -> Source:
    return Source(name="s", url=URL, kind=kind, interval=600.0, topics=(), **options)  # type: ignore[arg-type]


def _result(body: bytes, content_type: str, coding: str = "identity") -> FetchResult:
    return FetchResult(URL, 200, Body(body, coding, URL), content_type, None, None)


@pytest.mark.parametrize(
    ("kind", "options", "deferred"),
    [
        ("page", {}, True),
        ("page", {"select": "article"}, False),  # a selector that matches nothing must show
        ("feed", {}, True),
        ("feed", {"follow": True}, False),  # the items are the linked articles
        ("listing", {}, False),
    ],
)
def test_only_documents_that_determine_their_items_are_kept(
    kind: str, options: dict[str, object], deferred: bool
) -> None:
    assert defers_baseline(_source(kind, **options)) is deferred


@pytest.mark.parametrize(
    ("kind", "body", "content_type", "coding"),
    [
        ("feed", RSS, "application/rss+xml", "identity"),
        ("feed", gzip.compress(RSS), "text/html", "gzip"),  # judged by content, not label
        ("page", gzip.compress(b"<p>hello</p>"), "text/html", "gzip"),
    ],
)
def test_documents_a_full_check_accepts_are_accepted(
    kind: str, body: bytes, content_type: str, coding: str
) -> None:
    check_deferrable(_source(kind), _result(body, content_type, coding))


@pytest.mark.parametrize(
    ("kind", "body", "coding", "message"),
    [
        ("page", b"  \n ", "identity", "empty document at"),
        ("page", gzip.compress(b""), "gzip", "empty document at"),
        ("feed", gzip.compress(b"<!doctype html><html><p>hi</p></html>"), "gzip", "not a feed at"),
        ("feed", b'{"not": "a feed"}', "identity", "not a JSON Feed"),
    ],
)
def test_documents_a_full_check_refuses_are_refused(
    kind: str, body: bytes, coding: str, message: str
) -> None:
    with pytest.raises(ExtractError, match=message):
        check_deferrable(_source(kind), _result(body, "text/html", coding))
