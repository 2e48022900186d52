"""Chat messages (Markdown) for an alert or a digest; every scraped string is neutralised."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from watcher.models import Alert
from watcher.notifiers.render import (
    TITLE_LIMIT,
    clean_body,
    clean_line,
    highlight_segments,
    neutralise_chat,
    safe_link,
)

_ZERO_WIDTH_SPACE = "\u200b"
# Bare URLs in scraped text would be auto-linked by Slack, Discord, Teams and Telegram.
_AUTOLINK = re.compile(r"(?i)(?<![\w/])(https?|ftp|mailto|www|file|javascript)(?=[:.])")
_KIND_LABELS = {"new_item": "New item", "updated_item": "Updated item"}
EXCERPT_LIMIT = 700


def inert(text: str) -> str:
    """Scraped `text` safe for any chat: no mentions, markup, HTML or auto-links."""
    return _AUTOLINK.sub(r"\1" + _ZERO_WIDTH_SPACE, neutralise_chat(text))


def inert_line(text: str, limit: int | None = None) -> str:
    """`inert` on one cleaned line."""
    return inert(clean_line(text, limit))


def link_target(url: str) -> str | None:
    """An http(s) URL usable inside Markdown `(...)`: characters that would end it encoded."""
    target = safe_link(url)
    if target is None:
        return None
    return quote(target, safe=":/?#@!$&'*+,;=%~-._")


def chat_title(alert: Alert) -> str:
    """ "Mokom, IOM: the title", one inert line."""
    topics = ", ".join(alert.topics)
    title = clean_line(alert.title, TITLE_LIMIT) or clean_line(alert.source, TITLE_LIMIT)
    return inert_line(f"{topics}: {title}" if topics else title)


def _linked_title(alert: Alert) -> str:
    shown = inert_line(alert.title, TITLE_LIMIT) or "(untitled)"
    target = link_target(alert.url)
    return f"**[{shown}]({target})**" if target else f"**{shown}**"


def _excerpt(alert: Alert) -> str:
    text = clean_body(alert.excerpt)
    if len(text) > EXCERPT_LIMIT:
        text = text[: EXCERPT_LIMIT - 1] + "…"
    pieces = []
    for piece, marked in highlight_segments(text, alert.highlights):
        shown = inert(piece).replace("\n", " ")
        pieces.append(f"**{shown}**" if marked and shown.strip() else shown)
    return "".join(pieces).strip()


def chat_markdown(alert: Alert) -> str:
    """The message: linked title, topics and source, excerpt with the matched terms in bold."""
    label = _KIND_LABELS.get(alert.kind, alert.kind)
    meta = inert_line(f"{', '.join(alert.topics)} · {label} · {alert.source}")
    lines = [_linked_title(alert), f"_{meta}_", "", _excerpt(alert)]
    if alert.also_seen:
        seen = ", ".join(inert_line(s.source, 80) for s in alert.also_seen)
        lines += ["", f"Also seen: {seen}"]
    lines += ["", f"alert {inert_line(alert.id, 64)}"]
    return "\n".join(lines)


def digest_title(alerts: Sequence[Alert]) -> str:
    """ "watcher digest: 3 alerts"."""
    return f"watcher digest: {len(alerts)} alert{'' if len(alerts) == 1 else 's'}"


def digest_markdown(alerts: Sequence[Alert]) -> str:
    """Every alert's message, separated by rules."""
    return "\n\n---\n\n".join(chat_markdown(alert) for alert in alerts)
