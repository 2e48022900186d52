"""/alerts.atom: recent alerts as an Atom feed (RFC 4287) for people who read feeds.

ElementTree builds the document, so scraped titles and excerpts are escaped, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from watcher.models import Alert

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
FEED_ID = "urn:storywatcher:alerts"

# XML 1.0 has no place for most control characters; scraped text may carry them.
_FORBIDDEN = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _text(value: str) -> str:
    return value.translate(_FORBIDDEN)


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _web_link(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def alert_feed(alerts: Sequence[Alert], *, title: str = "watcher alerts", now: datetime) -> bytes:
    """The Atom document for `alerts` (newest first)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", FEED_ID)
    _add(feed, "title", title)
    _add(feed, "updated", _time(alerts[0].detected_at if alerts else now))
    _add(_add(feed, "author"), "name", "watcher")
    for alert in alerts:
        _entry(feed, alert)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(feed: ET.Element, alert: Alert) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", f"{FEED_ID}:{alert.id}")
    topics = ", ".join(alert.topics)
    _add(entry, "title", f"[{topics}] {alert.title or alert.url}")
    if _web_link(alert.url):
        _add(entry, "link", href=_text(alert.url), rel="alternate")
    _add(entry, "updated", _time(alert.detected_at))
    _add(entry, "summary", alert.excerpt, type="text")
    for topic in alert.topics:
        _add(entry, "category", term=_text(topic))
    _add(_add(entry, "author"), "name", alert.source)
