"""A page's headline: og:title, else the first h1, else <title>, without the site's name."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from watcher.extract.text import node_line, tidy

# " | ICC", " - Reuters", " — Le Monde": a separator with spaces on both sides, so hyphenated
# words ("Pre-Trial") never split.
_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|\u2014|\u00b7|\u2022|\u00bb|::)\s+")
_NON_ALNUM = re.compile(r"[\W_]+")
_HOST_NOISE = frozenset({"www", "com", "org", "net", "int", "gov", "edu", "co", "news"})
_SITE_META = (
    'meta[property="og:site_name"]',
    'meta[name="application-name"]',
    'meta[name="apple-mobile-web-app-title"]',
)


def page_title(tree: LexborHTMLParser, url: str) -> str:
    """The headline of the page at `url`, or "" when it has none."""
    for candidate in (_og_title(tree), _first_h1(tree), _title_tag(tree)):
        if candidate:
            return trim_site_name(candidate, _site_names(tree, url))
    return ""


def trim_site_name(title: str, site_names: frozenset[str]) -> str:
    """`title` without a leading or trailing segment that names the site."""
    separators = list(_SEPARATOR.finditer(title))
    if not separators:
        return title
    first, last = separators[0], separators[-1]
    head, tail = title[: last.start()].strip(), title[first.end() :].strip()
    if head and _names_site(title[last.end() :], site_names, loose=True):
        return head
    if tail and _names_site(title[: first.start()], site_names, loose=False):
        return tail
    return title


def _names_site(segment: str, site_names: frozenset[str], *, loose: bool) -> bool:
    """Whether `segment` is the site's name, its acronym, or (loose) "<host word> News"."""
    compact = _compact(segment)
    words = [_compact(word) for word in segment.split()]
    if not compact:
        return False
    acronym = "".join(word[:1] for word in words) if len(words) > 1 else ""
    if compact in site_names or acronym in site_names:
        return True
    return loose and len(words) <= 2 and len(words[0]) > 2 and words[0] in site_names


def _site_names(tree: LexborHTMLParser, url: str) -> frozenset[str]:
    """Compact spellings that identify the site: declared names and the host's words."""
    names = {_compact(node.attrs.sget("content")) for node in tree.css(", ".join(_SITE_META))}
    host = (urlsplit(url).hostname or "").lower()
    # Host words name the site ("reuters", "icc" of icc-cpi.int); an IP address does not.
    names.update(
        label
        for label in re.split(r"[.:-]", host)
        if len(label) > 1 and not label.isdigit() and label not in _HOST_NOISE
    )
    names.discard("")
    return frozenset(names)


def _compact(text: str) -> str:
    return _NON_ALNUM.sub("", text).casefold()


def _og_title(tree: LexborHTMLParser) -> str:
    node = tree.css_first('meta[property="og:title"], meta[name="og:title"]')
    return _one_line(node.attrs.sget("content")) if node is not None else ""


def _first_h1(tree: LexborHTMLParser) -> str:
    # An h1 in the article beats a site logo marked up as h1 in the page header.
    for selector in ("article h1", "main h1", '[role="main"] h1', "h1"):
        for node in tree.css(selector):
            text = node_line(node)
            if text:
                return text
    return ""


def _title_tag(tree: LexborHTMLParser) -> str:
    node = tree.css_first("title")
    return _one_line(node.text()) if node is not None else ""


def _one_line(text: str) -> str:
    return " ".join(tidy(text).split("\n"))
