"""Boilerplate removal: the article or release itself, without the page around it.

Steps: drop chrome (chrome.drop_chrome), choose the main block (an <article>, else
[itemprop=articleBody], else <main> / [role=main], else the block with the most paragraph
text, else <body>), drop link lists inside it, render it as plain text with the headline as
its first line.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.extract.chrome import drop_chrome, drop_link_lists
from watcher.extract.measure import Measures
from watcher.extract.text import node_text, parse_html, with_headline
from watcher.extract.titles import page_title

# Declared main regions, most specific first.
_DECLARED_MAIN = ("article", '[itemprop="articleBody"]', "main", '[role="main"]')
# A declared region shorter than this share of the page's text is a teaser, not the story,
# unless it holds the headline (a short statement above a long comment thread).
_DECLARED_MIN_SHARE = 0.3
# Paragraph text counts fully for its parent and half for its grandparent, as in readability:
# the article body is usually the parent or grandparent of its paragraphs.
_GRANDPARENT_WEIGHT = 0.5


def main_text(tree_or_html: LexborHTMLParser | str, url: str = "") -> tuple[str, str]:
    """The page's (title, main text); `url` helps trim the site name from the title."""
    tree = parse_html(tree_or_html) if isinstance(tree_or_html, str) else tree_or_html.clone()
    title = page_title(tree, url)
    body = tree.body
    if body is None:
        return title, title
    drop_chrome(body)
    measures = Measures(body)
    main = _main_block(body, measures)
    drop_link_lists(main, measures)
    return title, with_headline(title, node_text(main))


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment, in watcher's text form."""
    body = parse_html(html).body
    return node_text(body) if body is not None else ""


def _main_block(body: LexborNode, measures: Measures) -> LexborNode:
    """The element that holds the article, or `body` when nothing stands out."""
    total = measures[body].chars
    for selector in _DECLARED_MAIN:
        best = max(body.css(selector), key=lambda node: measures[node].chars, default=None)
        if best is None:
            continue
        if measures[best].chars >= _DECLARED_MIN_SHARE * total or best.css_first("h1"):
            return best
    return _densest_block(body, measures) or body


def _densest_block(body: LexborNode, measures: Measures) -> LexborNode | None:
    """The element whose paragraphs hold the most text, discounted by its link density."""
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for paragraph in body.css("p"):
        weight = float(measures[paragraph].chars)
        parent = paragraph.parent
        for share in (1.0, _GRANDPARENT_WEIGHT):
            if parent is None or parent.tag in ("html", "-document"):
                break
            nodes[parent.mem_id] = parent
            scores[parent.mem_id] = scores.get(parent.mem_id, 0.0) + weight * share
            parent = parent.parent
    if not scores:
        return None

    def discounted(mem_id: int) -> float:
        return scores[mem_id] * (1.0 - measures[nodes[mem_id]].link_density)

    return nodes[max(scores, key=discounted)]
