"""Small but realistic news pages and feeds for pipeline tests, built from plain sentences."""

from __future__ import annotations

from html import escape

CHROME_TOP = """
<header class="site-header"><nav><a href="/">Home</a> <a href="/news">News</a>
<a href="/about">About the Court</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
"""

CHROME_BOTTOM = """
<aside class="most-read"><h2>Most read</h2><ul>
<li><a href="/other/1">Sadiq Khan opens new bus route</a></li>
<li><a href="/other/2">Weather: storms expected</a></li></ul></aside>
<footer class="site-footer">Copyright International Criminal Court. Updated {stamp}.</footer>
"""


def article(title: str, paragraphs: list[str], *, stamp: str = "10:00") -> str:
    """An article page with navigation, cookie banner, most-read box and footer around it."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} | Newsroom</title></head><body>{CHROME_TOP}"
        f"<main><article><h1>{escape(title)}</h1>{body}</article></main>"
        f"{CHROME_BOTTOM.format(stamp=escape(stamp))}</body></html>"
    )


def listing(links: list[tuple[str, str]], *, stamp: str = "10:00") -> str:
    """A press-release listing: `div.view-content` with one teaser per (href, title)."""
    teasers = "\n".join(
        f"<div class='teaser'><a href='{escape(href)}'>{escape(title)}</a></div>"
        for href, title in links
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>News</title></head><body>"
        f"{CHROME_TOP}<div class='view-content'>{teasers}</div>"
        "<ul class='pager'><li><a href='/news?page=1'>Next</a></li></ul>"
        f"{CHROME_BOTTOM.format(stamp=escape(stamp))}</body></html>"
    )


def rss(entries: list[tuple[str, str, str]], *, title: str = "Newsroom feed") -> str:
    """An RSS 2.0 feed of (guid, title, summary) entries; links are the guids."""
    items = "\n".join(
        f"<item><guid>{escape(guid)}</guid><link>{escape(guid)}</link><title>{escape(t)}</title>"
        f"<description>{escape(summary)}</description></item>"
        for guid, t, summary in entries
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>http://example.org/</link>"
        f"<description>feed</description>{items}</channel></rss>"
    )
