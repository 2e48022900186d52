"""The article links of a listing page (a news index, a press-release list)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.extract.text import css, node_line, parse_html, select_region
from watcher.urls import normalize_url

_WEB_SCHEMES = frozenset({"http", "https"})
_HEADINGS = "h1, h2, h3, h4, h5, h6"
# Without a `select` region, links in these are site navigation, not articles.
_SITE_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_SITE_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary"})
_PAGER_RELS = frozenset({"next", "prev", "previous", "first", "last"})
_PAGER_WORDS = frozenset({"pager", "pagination"})
_NAME_SEPARATORS = re.compile(r"[\s_-]+")


@dataclass(frozen=True, slots=True)
class Link:
    """An article link found on a listing."""

    url: str  # absolute, normalize_url'ed
    title: str  # link text (whitespace collapsed), or title attribute


def listing_links(
    url: str, html: str, select: str | None = None, follow: str | None = None
) -> list[Link]:
    """The article links in the listing at `url`, deduplicated, in page order."""
    tree = parse_html(html)
    base = _base_url(tree, url)
    regions = _regions(tree, select)
    anchors = _anchors(regions, follow) if follow else _article_anchors(regions, select is None)
    listing = normalize_url(url)
    found: dict[str, str] = {}
    for anchor in anchors:
        target = _target(anchor, base)
        if target is None or target == listing:
            continue
        # Keep the first position, but let a later twin supply a missing title
        # (an image link before the headline link to the same article).
        if not found.get(target):
            found[target] = _link_title(anchor)
    return [Link(url=target, title=title) for target, title in found.items()]


def _regions(tree: LexborHTMLParser, select: str | None) -> list[LexborNode]:
    if select:
        return select_region(tree, select)
    return [tree.body] if tree.body is not None else []


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    href = node.attrs.sget("href").strip() if node is not None else ""
    try:
        return urljoin(url, href) if href else url
    except ValueError:  # a malformed <base>: browsers ignore it too
        return url


def _anchors(regions: list[LexborNode], follow: str) -> list[LexborNode]:
    """The links `follow` picks; a match that is not a link stands for the first link in it."""
    anchors: list[LexborNode] = []
    for region in regions:
        # Unlike `select`, an empty match is fine: a listing may have no articles today.
        for node in css(region, follow):
            anchor = node if node.tag == "a" else node.css_first("a[href]")
            if anchor is not None:
                anchors.append(anchor)
    return anchors


def _article_anchors(regions: list[LexborNode], whole_page: bool) -> list[LexborNode]:
    """Every link in the regions but pagination and, on the whole page, site navigation.

    One walk that carries "inside excluded markup" down the tree, instead of looking up
    every link's ancestors: deeply nested pages stay linear.
    """
    anchors: list[LexborNode] = []
    stack = [(region, False) for region in reversed(regions)]
    while stack:
        node, excluded = stack.pop()
        excluded = excluded or _is_pager(node) or (whole_page and _is_site_chrome(node))
        if node.tag == "a" and node.attributes.get("href") is not None and not excluded:
            anchors.append(node)
        stack.extend((child, excluded) for child in reversed(list(node.iter())))
    return anchors


def _is_pager(node: LexborNode) -> bool:
    attributes = node.attributes
    if node.tag == "a":
        return bool(_PAGER_RELS.intersection((attributes.get("rel") or "").lower().split()))
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return bool(_PAGER_WORDS.intersection(_NAME_SEPARATORS.split(names)))


def _is_site_chrome(node: LexborNode) -> bool:
    role = (node.attributes.get("role") or "").strip().lower()
    return node.tag in _SITE_CHROME_TAGS or role in _SITE_CHROME_ROLES


def _target(anchor: LexborNode, base: str) -> str | None:
    """The normalised absolute URL of a web link, or None for any other kind of link."""
    href = (anchor.attributes.get("href") or "").strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme.lower() not in _WEB_SCHEMES:
            return None
        return normalize_url(absolute)
    except ValueError:  # a malformed address, such as an unclosed IPv6 bracket
        return None


def _link_title(anchor: LexborNode) -> str:
    heading = anchor.css_first(_HEADINGS)
    for candidate in (
        node_line(heading) if heading is not None else "",
        node_line(anchor),
        anchor.attrs.sget("title"),
        anchor.attrs.sget("aria-label"),
    ):
        if candidate.strip():
            return " ".join(candidate.split())
    image = anchor.css_first("img[alt]")
    return " ".join(image.attrs.sget("alt").split()) if image is not None else ""
