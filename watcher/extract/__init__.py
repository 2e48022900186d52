"""Fetched bytes to Items: pages, listings (selectolax) and feeds (feedparser, JSON Feed)."""

from __future__ import annotations

from watcher.extract.charset import decode_html
from watcher.extract.feeds import feed_items, looks_like_feed
from watcher.extract.listing import Link, listing_links
from watcher.extract.maintext import html_to_text, main_text
from watcher.extract.pages import page_item

__all__ = [
    "Link",
    "decode_html",
    "feed_items",
    "html_to_text",
    "listing_links",
    "looks_like_feed",
    "main_text",
    "page_item",
]
