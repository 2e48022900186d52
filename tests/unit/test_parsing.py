"""Extraction in worker processes gives exactly what inline extraction gives."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from watcher.analysis import analyse, sentence_hash
from watcher.errors import ExtractError
from watcher.extract import feed_items
from watcher.parsing import Extractor, extract_page, workers_for
from watcher.text import sentence_key, split_sentences

FEEDS = Path(__file__).parent.parent / "data" / "feeds"
PAGE = (
    b"<html><head><title>ICC news</title></head><body><nav>Home | About</nav><article>"
    b"<h1>Prosecutor Karim A. A. Khan KC visits Bangui</h1><p>The Prosecutor met victims "
    b"in Bangui on Monday. He spoke about the Mokom case and the work ahead.</p></article>"
    b"</body></html>"
)


def test_small_cycles_and_single_cores_extract_inline() -> None:
    assert workers_for(10, cpus=8) == 0
    assert workers_for(5000, cpus=1) == 0
    assert workers_for(5000, cpus=2) == 1
    assert workers_for(5000, cpus=64) == 4


async def test_worker_extraction_equals_inline_extraction() -> None:
    feed = (FEEDS / "icc_news_rss2.xml").read_bytes()
    url = "https://www.icc-cpi.int/news/rss.xml"
    with Extractor(workers=1) as extractor:
        page = await extractor.page("https://example.org/a", PAGE, "text/html; charset=utf-8")
        entries = await extractor.feed(url, feed, "application/rss+xml")
    assert page == extract_page("https://example.org/a", PAGE, "text/html; charset=utf-8", None)
    assert "Mokom case" in page.text
    assert entries == feed_items(url, feed, "application/rss+xml")
    assert entries


async def test_worker_extraction_errors_reach_the_caller_as_extract_errors() -> None:
    with Extractor(workers=1) as extractor:
        with pytest.raises(ExtractError, match="empty document"):
            await extractor.page("https://example.org/empty", b"  ", "text/html")
        with pytest.raises(ExtractError, match="not a feed"):
            await extractor.feed("https://example.org/feed", b"<html></html>", "text/xml")


async def test_worker_analysis_is_the_inline_analysis_of_the_extracted_text() -> None:
    feed = (FEEDS / "icc_news_rss2.xml").read_bytes()
    url = "https://www.icc-cpi.int/news/rss.xml"
    with Extractor(workers=1) as extractor:
        page = await extractor.analysed_page("https://example.org/a", PAGE, "text/html")
        entries = await extractor.analysed_feed(url, feed, "application/rss+xml")
    assert page.item == extract_page("https://example.org/a", PAGE, "text/html", None)
    assert [e.item for e in entries] == feed_items(url, feed, "application/rss+xml")
    for analysed in [page, *entries]:
        assert analysed.analysis == analyse(analysed.item.text)
    sentences = split_sentences(page.item.text)
    assert [page.item.text[a:b] for a, b in page.analysis.spans] == sentences
    assert page.analysis.keys == tuple(sentence_key(s) for s in sentences)
    assert page.analysis.hashes == tuple(sentence_hash(k) for k in page.analysis.keys)
    assert "the prosecutor met victims in bangui on monday" in page.analysis.keys


def extract_or_die(url: str, body: bytes) -> str:
    """A stand-in for a parser that crashes its process on one hostile document."""
    if url.endswith("/killer"):
        os._exit(70)
    return extract_page(url, body, "text/html", None).text


async def test_a_document_that_kills_the_worker_fails_alone() -> None:
    urls = [f"https://example.org/{n}" for n in range(6)]
    with Extractor(workers=1) as extractor:
        outcomes = await asyncio.gather(
            extractor.run(extract_or_die, "https://example.org/killer", PAGE),
            *(extractor.run(extract_or_die, url, PAGE) for url in urls),
            return_exceptions=True,
        )
        # The pool was replaced: later documents are extracted as usual.
        after = await extractor.run(extract_or_die, "https://example.org/later", PAGE)
    killed, *others = outcomes
    assert isinstance(killed, ExtractError)
    assert "crashed the extraction worker" in str(killed)
    assert all(isinstance(text, str) and "Mokom case" in text for text in others), others
    assert "Mokom case" in after
