"""Parse HTML with selectolax and render a subtree as watcher's plain-text form.

The form: block-level boundaries become line breaks, inline elements join without adding
spaces ("Karim <b>Khan</b>" -> "Karim Khan"), whitespace is collapsed within lines, blank
lines are dropped, entities are decoded (by the parser), and script-like elements never
contribute text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from watcher.errors import ExtractError

# Elements that never hold readable text.
SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "canvas",
        "head",
        "title",
        "select",
        "datalist",
        "button",
        "input",
        "textarea",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)

# Table cells sit side by side: a space keeps "Name</td><td>Date" from gluing together.
CELL_TAGS = frozenset({"td", "th"})

# Invisible characters that split words for matching ("Kh\u00adan") and carry no meaning.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
# A character reference left in text that was already decoded: the publisher escaped it
# twice ("Karim&amp;nbsp;Khan" shows as "Karim&nbsp;Khan"). Only complete references with
# their semicolon, so "AT&T" and "R&D" stay as written.
_LEFTOVER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


class _End:
    """Marks, on the walk stack, where a block element closes."""


_BLOCK_END = _End()
_LINE_BREAK = "\n"
# A kicker or dateline may precede a repeated headline; look that far for it.
_HEADLINE_LOOKAHEAD = 5


def parse_html(html: str) -> LexborHTMLParser:
    """A selectolax (lexbor) document for `html`."""
    return LexborHTMLParser(html)


def node_text(node: LexborNode) -> str:
    """The plain-text form of `node` and everything under it."""
    return tidy("".join(_pieces(node)))


def node_line(node: LexborNode) -> str:
    """The plain text of `node` on one line (lines joined by a space)."""
    return " ".join(node_text(node).split("\n"))


def tidy(raw: str) -> str:
    """Decode references escaped twice, collapse whitespace within lines, drop blank lines."""
    if "&" in raw:
        raw = _LEFTOVER_REFERENCE.sub(lambda match: unescape(match.group()), raw)
    raw = _INVISIBLE.sub("", raw)
    lines = (_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _pieces(root: LexborNode) -> Iterator[str]:
    """Text fragments and line breaks of `root`'s subtree in document order.

    An explicit stack instead of recursion: broken pages can nest thousands deep.
    Each entry carries whether it sits inside <pre>, where source newlines are kept.
    """
    stack: list[tuple[LexborNode, bool] | _End] = [(root, False)]
    while stack:
        entry = stack.pop()
        if isinstance(entry, _End):
            yield _LINE_BREAK
            continue
        node, in_pre = entry
        if node.is_text_node:
            text = node.text_content or ""
            # Outside <pre>, a newline in the source is just whitespace.
            yield text if in_pre else text.replace("\n", " ").replace("\r", " ")
            continue
        tag = node.tag or ""
        if not node.is_element_node or tag in SKIPPED_TAGS:
            continue
        if tag == "br":
            yield _LINE_BREAK
            continue
        if tag in CELL_TAGS:
            yield " "
        if tag in BLOCK_TAGS:
            yield _LINE_BREAK
            stack.append(_BLOCK_END)
        in_pre = in_pre or tag == "pre"
        children = list(node.iter(include_text=True))
        stack.extend((child, in_pre) for child in reversed(children))


def css(root: LexborHTMLParser | LexborNode, selector: str) -> list[LexborNode]:
    """The nodes under `root` that `selector` matches; ExtractError naming an invalid one."""
    try:
        return root.css(selector)
    except SelectolaxError as exc:
        raise ExtractError(f"invalid CSS selector {selector!r}") from exc


def is_selector(selector: str) -> bool:
    """Whether `selector` is CSS that selectolax can apply (checked once, on an empty page)."""
    try:
        parse_html("").css(selector)
    except SelectolaxError:
        return False
    return True


def select_region(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """The nodes `selector` matches; ExtractError naming it when it is invalid or matches none."""
    nodes = css(tree, selector)
    if not nodes:
        raise ExtractError(f"selector {selector!r} matches nothing")
    return nodes


def with_headline(title: str, text: str) -> str:
    """`text` with `title` as its first line, unless the text already begins with the title.

    A title repeated as one of the first lines (after a kicker or a dateline) moves up.
    """
    if not title:
        return text
    wanted = _comparable(title)
    if _comparable(text).startswith(wanted):
        return text
    lines = text.split("\n") if text else []
    for index, line in enumerate(lines[:_HEADLINE_LOOKAHEAD]):
        if _comparable(line) == wanted:
            del lines[index]
            break
    return "\n".join([title, *lines])


def _comparable(line: str) -> str:
    return " ".join(line.split()).casefold()
