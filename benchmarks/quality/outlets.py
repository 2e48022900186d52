"""Page templates of the replayed sites: each outlet wraps its story in its own chrome.

Scenario files name a template and give the story's parts (title, paragraphs as HTML, the
"most read" box, a time stamp); the chrome around them is what a real outlet of that kind
carries: navigation, cookie banner, tickers, related links, ads, comments and footers.
Paragraph strings are inserted as HTML on purpose: scenarios use inline markup in names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

Spec = Mapping[str, Any]


def _paragraphs(spec: Spec) -> str:
    return "\n".join(f"<p>{p}</p>" for p in spec.get("paragraphs", []))


def _links(items: list[Any], prefix: str) -> str:
    return "\n".join(
        f"<li><a href='{prefix}/{n}'>{text}</a></li>" for n, text in enumerate(items, 1)
    )


def ledger(spec: Spec) -> str:
    """A national daily: semantic HTML5, heavy chrome, comments, ads inside the article."""
    title = spec["title"]
    stamp = escape(str(spec.get("stamp", "08:00")))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | The Ledger</title>
<meta property="og:site_name" content="The Ledger"></head><body>
<header class="site-header"><a class="logo" href="/ledger/">The Ledger</a>
<nav class="primary-nav"><a href="/ledger/world">World</a> <a href="/ledger/politics">Politics</a>
<a href="/ledger/law">Law</a> <a href="/ledger/opinion">Opinion</a></nav></header>
<div id="cookie-consent">We and our 843 partners use cookies to personalise content and ads.
<button>Accept all</button></div>
<div class="breaking-ticker">Live: markets open higher at {stamp}</div>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">By Staff Reporter, updated {stamp}</p>
{_paragraphs(spec)}
<figure class="ad-slot"><img src="/ad.png" alt=""><figcaption>Advertisement: Save 50% on
your subscription today</figcaption></figure>
<section class="related-links"><h2>Related</h2><ul>{_links(spec.get("related", []), "/ledger/rel")}
</ul></section>
</article>
<section id="comments"><h2>Comments ({len(spec.get("comments", []))})</h2>
{"".join(f"<div class='comment'><p>{c}</p></div>" for c in spec.get("comments", []))}
</section></main>
<aside class="most-read"><h2>Most read</h2><ol>{_links(spec.get("most_read", []), "/ledger/mr")}
</ol></aside>
<footer class="site-footer"><p>&copy; The Ledger Ltd. Page generated at {stamp}.</p>
<a href="/ledger/privacy">Privacy</a> <a href="/ledger/terms">Terms</a></footer>
</body></html>"""


def courier(spec: Spec) -> str:
    """A regional paper on an old CMS: only divs, chrome named by class and id."""
    title = spec["title"]
    stamp = escape(str(spec.get("stamp", "08:00")))
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Courier - {escape(title)}</title></head><body>
<div id="masthead"><div class="topbar">Today's paper | Sign in | Subscribe</div>
<div class="menu"><a href="/courier/">Home</a> <a href="/courier/news">News</a></div></div>
<div class="page-wrap"><div class="col-main"><div class="story">
<div class="kicker">International justice</div>
<h1 class="story-title">{escape(title)}</h1>
<div class="dateline">Published {stamp}</div>
<div class="story-body">{_paragraphs(spec)}</div>
<div class="share-tools"><a href="#">Share on X</a> <a href="#">Email</a></div>
</div></div>
<div class="col-side"><div class="popular-stories"><h3>Trending now</h3><ul>
{_links(spec.get("most_read", []), "/courier/pop")}</ul></div>
<div class="newsletter-signup">Get our morning briefing in your inbox.</div>
<div class="weather-widget">Rain, 12 degrees. Updated {stamp}.</div></div></div>
<div id="site-footer">Courier Media Group. All rights reserved. {stamp}</div>
</body></html>"""


def wire(spec: Spec) -> str:
    """A wire agency's story page: sparse markup, a 'more from' list, a share bar."""
    title = spec["title"]
    stamp = escape(str(spec.get("stamp", "08:00")))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="{escape(title)}"><title>{escape(title)} - Wire</title>
</head><body><div class="nav-bar"><a href="/wire/">Wire</a> <a href="/wire/world">World</a>
<a href="/wire/business">Business</a></div>
<div class="content"><h1>{escape(title)}</h1><div class="timestamp">{stamp} GMT</div>
<div class="article-body">{_paragraphs(spec)}</div>
<div class="more-from"><h4>More from Wire</h4><ul>{_links(spec.get("most_read", []), "/wire/m")}
</ul></div></div><div class="share-bar"><a href="#">Share</a></div>
<div class="footer">Wire Services. Reporting by the Hague bureau. {stamp}</div></body></html>"""


def icc_release(spec: Spec) -> str:
    """A court's press release: breadcrumb, release body, related box, footer."""
    title = spec["title"]
    lang = escape(str(spec.get("lang", "en")))
    charset = escape(str(spec.get("encoding", "utf-8")))
    return f"""<!DOCTYPE html><html lang="{lang}"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)} | International Criminal Court</title></head><body>
<div class="region-header"><a href="/icc/">ICC-CPI</a>
<ul class="menu"><li><a href="/icc/about">About</a></li>
<li><a href="/icc/cases">Cases</a></li><li><a href="/icc/news">News</a></li></ul></div>
<div class="breadcrumb"><a href="/icc/">Home</a> / <a href="/icc/news">News</a></div>
<div class="main-content"><h1 class="page-title">{escape(title)}</h1>
<div class="date">{escape(str(spec.get("date", "1 January 2025")))}</div>
<div class="field-item">{_paragraphs(spec)}</div>
<div class="block-related"><h2>Related</h2>
<ul>{_links(spec.get("related", []), "/icc/rel")}</ul></div>
</div><div class="region-footer">International Criminal Court, Oude Waalsdorperweg 10,
2597 AK The Hague. <a href="/icc/contact">Contact</a> <a href="/icc/jobs">Jobs</a></div>
</body></html>"""


def icc_listing(spec: Spec) -> str:
    """A press-release listing: teasers in div.view-content, a pager, chrome around."""
    teasers = "\n".join(
        f"<div class='views-row'><span class='date'>{escape(str(d))}</span>"
        f"<h3><a href='{escape(href)}'>{escape(t)}</a></h3></div>"
        for href, t, d in ((*link, "")[:3] for link in spec.get("links", []))
    )
    stamp = escape(str(spec.get("stamp", "08:00")))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title></head><body>
<div class="region-header"><ul class="menu"><li><a href="/icc/about">About</a></li></ul></div>
<div id="cookie-banner">This site uses cookies. <a href="/icc/privacy">More</a></div>
<h1>Press releases</h1><div class="view-content">{teasers}</div>
<ul class="pager"><li><a href="?page=1">Next</a></li></ul>
<div class="region-footer">Last updated {stamp}</div></body></html>"""


def news_listing(spec: Spec) -> str:
    """A news outlet's section front: headline links among navigation and promos."""
    stamp = escape(str(spec.get("stamp", "08:00")))
    teasers = "\n".join(
        f"<article class='teaser'><h2><a href='{escape(href)}'>{escape(t)}</a></h2></article>"
        for href, t in spec.get("links", [])
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>World news</title></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<main><h1>World</h1><section class="stories">{teasers}</section></main>
<aside class="most-read"><h2>Most read</h2><ul>{_links(spec.get("most_read", []), "/mr")}</ul>
</aside><footer>Updated {stamp}</footer></body></html>"""


def rss(spec: Spec) -> str:
    """An RSS 2.0 feed; entries give guid, link, title, summary (HTML allowed)."""
    items = "\n".join(
        f"<item><guid isPermaLink='false'>{escape(e['id'])}</guid>"
        f"<link>{escape(e.get('link', e['id']))}</link><title>{escape(e['title'])}</title>"
        f"<pubDate>{escape(e.get('date', 'Mon, 06 Jan 2025 10:00:00 GMT'))}</pubDate>"
        f"<description>{escape(e.get('summary', ''))}</description></item>"
        for e in spec.get("entries", [])
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>{escape(spec.get("title", "Feed"))}</title><link>http://example.org/</link>
<description>News</description><lastBuildDate>{escape(str(spec.get("stamp", "")))}</lastBuildDate>
{items}</channel></rss>"""


def atom(spec: Spec) -> str:
    """An Atom feed; entries give id, link, title, updated, summary (HTML allowed)."""
    entries = "\n".join(
        f"<entry><id>{escape(e['id'])}</id><link href='{escape(e.get('link', e['id']))}'/>"
        f"<title>{escape(e['title'])}</title>"
        f"<updated>{escape(e.get('updated', '2025-01-06T10:00:00Z'))}</updated>"
        f"<summary type='html'>{escape(e.get('summary', ''))}</summary></entry>"
        for e in spec.get("entries", [])
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(spec.get("title", "Feed"))}</title>
<id>urn:feed</id><updated>{escape(str(spec.get("stamp", "2025-01-06T10:00:00Z")))}</updated>
{entries}</feed>"""


TEMPLATES: dict[str, Callable[[Spec], str]] = {
    "ledger": ledger,
    "courier": courier,
    "wire": wire,
    "icc_release": icc_release,
    "icc_listing": icc_listing,
    "news_listing": news_listing,
    "rss": rss,
    "atom": atom,
}
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def render(spec: Spec) -> tuple[bytes, str]:
    """The body and Content-Type of one page spec (`raw` HTML or a template's fields)."""
    if "raw" in spec:
        text, template = str(spec["raw"]), "raw"
    else:
        template = str(spec["template"])
        text = TEMPLATES[template](spec)
    encoding = str(spec.get("encoding", "utf-8"))
    content_type = CONTENT_TYPES.get(template, "text/html")
    # The HTTP header may name the page's charset, another label, or none (`false`).
    declared = spec.get("header_charset", True)
    if declared is True:
        content_type += f"; charset={encoding}"
    elif declared:
        content_type += f"; charset={declared}"
    return text.encode(encoding), content_type
