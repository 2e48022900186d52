"""Page chrome: navigation, banners, boxes of other stories, ads, comments and link lists.

Two passes remove it from a parsed page in place: `drop_chrome` before the main block is
chosen (so a "most read" aside full of <article> teasers cannot win), `drop_link_lists`
inside the chosen block. Neither ever removes an element that holds the headline (<h1>) or
a declared main region, so a badly named wrapper cannot take the article with it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Literal

from selectolax.lexbor import LexborNode

from watcher.extract.measure import Measures

# "box": a box that is never the article (ads, cookie banner, most read, comments);
# "layout": a region of the page's layout (header, sidebar, menu) that may wrap the article.
ChromeKind = Literal["box", "layout"]

# Always chrome when found outside the protected region, whatever their class.
_CHROME_TAGS = frozenset({"nav", "aside", "footer", "dialog"})
# Chrome unless they wrap most of the page's text: ASP.NET pages put all of it in a <form>.
_WRAPPER_TAGS = frozenset({"form"})
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
)
# What an element must not contain to be dropped: the headline or a declared main region.
_PROTECTED_SELECTOR = 'h1, main, [role="main"], [itemprop="articleBody"]'

# Words in class/id that name a box which is never the article.
_BOX_WORDS = frozenset(
    [
        "ad",
        "ads",
        "adsense",
        "adslot",
        "advert",
        "adverts",
        "advertisement",
        "banner",
        "breadcrumb",
        "breadcrumbs",
        "comment",
        "comments",
        "consent",
        "cookie",
        "cookies",
        "disqus",
        "gdpr",
        "mostread",
        "newsletter",
        "outbrain",
        "pager",
        "pagination",
        "popular",
        "promo",
        "promotion",
        "recommended",
        "recommendations",
        "related",
        "share",
        "sharing",
        "skiplink",
        "social",
        "sponsor",
        "sponsored",
        "subscribe",
        "subscription",
        "taboola",
        "tags",  # links to tag pages: navigation, though they name the article's topics
        "trending",
    ]
)
# Word pairs that name such a box: other stories ("more-stories", "you-may-also-like").
_BOX_PAIRS = frozenset(
    {("most", "read"), ("most", "viewed"), ("most", "popular"), ("skip", "link"),
     ("more", "stories"), ("more", "news"), ("see", "also"), ("also", "like")}
)  # fmt: skip
# Words that name a layout region: chrome, unless it wraps most of the page's text
# (a wrapper <div class="has-sidebar"> around the article body).
_LAYOUT_WORDS = frozenset(
    [
        "header",
        "footer",
        "sidebar",
        "menu",
        "navbar",
        "nav",
        "navigation",
        "masthead",
        "topbar",
        "toolbar",
    ]
)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PART_SEPARATOR = re.compile(r"[-_]+")

_LINK_LIST_TAGS = frozenset({"ul", "ol", "dl", "div", "section", "table", "p", "menu"})
_LINK_LIST_MIN_LINKS = 3
_LINK_LIST_MAX_DENSITY = 0.5
_LAYOUT_KEEP_SHARE = 0.5


def drop_chrome(body: LexborNode) -> None:
    """Remove navigation, site header/footer, asides, banners and chrome boxes under `body`."""
    measures = Measures(body)
    # Paragraph text tells an article from chrome best; a page without <p> has only text.
    by_paragraphs = measures[body].paragraph_chars > 0

    def weight(node: LexborNode) -> int:
        counts = measures[node]
        return counts.paragraph_chars if by_paragraphs else counts.chars

    page_weight = weight(body)

    def is_chrome(node: LexborNode) -> bool:
        if _is_chrome_element(node) or _is_site_header(node):
            return True
        kind = chrome_kind(node)
        if kind == "layout" or (kind is None and node.tag in _WRAPPER_TAGS):
            return weight(node) <= _LAYOUT_KEEP_SHARE * page_weight
        return kind == "box"

    _remove_outermost(body, is_chrome)


def drop_link_lists(root: LexborNode, measures: Measures) -> None:
    """Remove blocks under `root` that are mostly links: lists of other stories."""

    def is_link_list(node: LexborNode) -> bool:
        counts = measures[node]
        return (
            node.tag in _LINK_LIST_TAGS
            and counts.links >= _LINK_LIST_MIN_LINKS
            and counts.link_density > _LINK_LIST_MAX_DENSITY
        )

    _remove_outermost(root, is_link_list)


def chrome_kind(node: LexborNode) -> ChromeKind | None:
    """What kind of chrome the node's class or id names, if any."""
    found: ChromeKind | None = None
    for parts in _name_parts(node):
        pairs = set(itertools.pairwise(parts))
        if _BOX_WORDS.intersection(parts) or _BOX_PAIRS.intersection(pairs):
            return "box"
        if _LAYOUT_WORDS.intersection(parts):
            found = "layout"
    return found


def _name_parts(node: LexborNode) -> Iterator[tuple[str, ...]]:
    """Each class token and the id, split into lower-case words on - _ and camelCase.

    Whole words only: "ad" matches "ad-slot" and "adSlot" but not "headline" or "download".
    """
    attributes = node.attributes
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    for token in names.split():
        words = _PART_SEPARATOR.split(_CAMEL_HUMP.sub("-", token).lower())
        yield tuple(word for word in words if word)


def _is_chrome_element(node: LexborNode) -> bool:
    """Chrome by tag, ARIA role or because it is hidden from readers."""
    attributes = node.attributes
    return (
        node.tag in _CHROME_TAGS
        or (attributes.get("role") or "").strip().lower() in _CHROME_ROLES
        or (attributes.get("aria-hidden") or "").strip().lower() == "true"
        or "hidden" in attributes
    )


def _is_site_header(node: LexborNode) -> bool:
    """A <header> of the page, not of an article (those hold the headline and byline)."""
    if node.tag != "header":
        return False
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in ("article", "main"):
            return False
        parent = parent.parent
    return True


def _remove_outermost(root: LexborNode, condition: Callable[[LexborNode], bool]) -> None:
    """Decompose every outermost unprotected element under `root` meeting `condition`."""
    protected = _protected_ids(root)
    doomed: list[LexborNode] = []
    stack = list(root.iter())
    while stack:
        node = stack.pop()
        if node.mem_id in protected or not condition(node):
            stack.extend(node.iter())
        else:
            doomed.append(node)
    # None of them lies inside another (the walk stops at each), so order does not matter.
    for node in doomed:
        node.decompose()


def _protected_ids(root: LexborNode) -> set[int]:
    """Identities of the headline and main-region elements and of all their ancestors."""
    protected: set[int] = set()
    for marker in root.css(_PROTECTED_SELECTOR):
        node: LexborNode | None = marker
        while node is not None and node.mem_id not in protected:
            protected.add(node.mem_id)
            node = node.parent
    return protected
