"""A watched page as one item: its `select` region, or its main text."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from watcher.errors import ExtractError
from watcher.extract.maintext import main_text
from watcher.extract.text import node_text, parse_html, select_region
from watcher.extract.titles import page_title
from watcher.models import Item
from watcher.urls import normalize_url


def page_item(url: str, html: str, select: str | None = None) -> Item:
    """The page at `url` as one item; its text is the `select` region or the main text."""
    if not html.strip():
        raise ExtractError(f"empty document at {url}")
    if select is None:
        title, text = main_text(html, url)
    else:
        tree = parse_html(html)
        title = page_title(tree, url)
        # The region is what the user chose to watch: taken as it is, without the headline.
        regions = _outermost(select_region(tree, select))
        text = "\n".join(filter(None, (node_text(node) for node in regions)))
    if not text:
        where = f"the region {select!r}" if select else "the page"
        raise ExtractError(f"no text in {where} at {url}")
    return Item(key=normalize_url(url), url=url, title=title, text=text)


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """`nodes` without those inside another one ("div" matches nested divs): no text twice."""
    matched = {node.mem_id for node in nodes}
    return [node for node in nodes if not _has_ancestor_in(node, matched)]


def _has_ancestor_in(node: LexborNode, identities: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in identities:
            return True
        parent = parent.parent
    return False
