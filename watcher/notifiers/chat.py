"""Chat messages for an alert, a digest or a notice; every scraped string is neutralised.

Each message is rendered twice, as Markdown and as plain text, and each chat service gets
the form it displays (apprise tells which). The title is plain text in both: apprise hands
it to the services unconverted, and most show it as such (Slack's attachment title,
Matrix's heading, a push notification's title).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from watcher.models import Alert
from watcher.notices import Notice
from watcher.notifiers.render import (
    TITLE_LIMIT,
    clean_body,
    clean_line,
    highlight_segments,
    neutralise_chat,
    neutralise_chat_text,
    safe_link,
)

_ZERO_WIDTH_SPACE = "\u200b"
# Bare URLs in scraped text would be auto-linked by Slack, Discord, Teams and Telegram.
_AUTOLINK = re.compile(r"(?i)(?<![\w/])(https?|ftp|mailto|www|file|javascript)(?=[:.])")
_KIND_LABELS = {"new_item": "New item", "updated_item": "Updated item"}
EXCERPT_LIMIT = 700

Inert = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message: a plain title, and the body as Markdown and as plain text."""

    title: str
    markdown: str
    text: str


def inert(text: str) -> str:
    """Scraped `text` safe in a Markdown chat message: no mentions, markup, HTML, auto-links."""
    return _AUTOLINK.sub(r"\1" + _ZERO_WIDTH_SPACE, neutralise_chat(text))


def inert_text(text: str) -> str:
    """Scraped `text` safe in a plain-text chat message or title, with no escapes to show."""
    return _AUTOLINK.sub(r"\1" + _ZERO_WIDTH_SPACE, neutralise_chat_text(text))


def inert_line(text: str, limit: int | None = None) -> str:
    """`inert` on one cleaned line."""
    return inert(clean_line(text, limit))


def inert_text_line(text: str, limit: int | None = None) -> str:
    """`inert_text` on one cleaned line."""
    return inert_text(clean_line(text, limit))


def link_target(url: str) -> str | None:
    """An http(s) URL usable as a link, in Markdown `(...)` or bare in text: characters that
    would end it or ping ("@here" in a path) encoded; none with user info ("a@evil")."""
    target = safe_link(url)
    if target is None or urlsplit(target).username is not None:
        return None
    return quote(target, safe=":/?#!$&'*+,;=%~-._")


def chat_title(alert: Alert) -> str:
    """ "Mokom, IOM: the title", one plain inert line."""
    topics = ", ".join(alert.topics)
    title = clean_line(alert.title, TITLE_LIMIT) or clean_line(alert.source, TITLE_LIMIT)
    return inert_text_line(f"{topics}: {title}" if topics else title)


def chat_message(alert: Alert) -> ChatMessage:
    """The alert's message in both forms."""
    return ChatMessage(chat_title(alert), chat_markdown(alert), chat_text(alert))


def digest_message(alerts: Sequence[Alert]) -> ChatMessage:
    """One message listing every alert, separated by rules."""
    return ChatMessage(
        digest_title(alerts),
        "\n\n---\n\n".join(chat_markdown(alert) for alert in alerts),
        "\n\n———\n\n".join(chat_text(alert) for alert in alerts),
    )


def notice_message(notice: Notice) -> ChatMessage:
    """A source failing / recovered notice; its error text may quote a server."""
    return ChatMessage(
        inert_text_line(notice.subject), inert(notice.text()), inert_text(notice.text())
    )


def _excerpt(alert: Alert, defuse: Inert, bold: str) -> str:
    text = clean_body(alert.excerpt)
    if len(text) > EXCERPT_LIMIT:
        text = text[: EXCERPT_LIMIT - 1] + "…"
    pieces = []
    for piece, marked in highlight_segments(text, alert.highlights):
        shown = defuse(piece).replace("\n", " ")
        pieces.append(f"{bold}{shown}{bold}" if marked and bold and shown.strip() else shown)
    return "".join(pieces).strip()


def _meta(alert: Alert, defuse: Inert) -> str:
    label = _KIND_LABELS.get(alert.kind, alert.kind)
    return defuse(clean_line(f"{', '.join(alert.topics)} · {label} · {alert.source}"))


def _tail(alert: Alert, defuse: Inert) -> list[str]:
    lines: list[str] = []
    if alert.also_seen:
        seen = ", ".join(defuse(clean_line(s.source, 80)) for s in alert.also_seen)
        lines += ["", f"Also seen: {seen}"]
    return [*lines, "", f"alert {defuse(clean_line(alert.id, 64))}"]


def chat_markdown(alert: Alert) -> str:
    """The message: linked title, topics and source, excerpt with the matched terms in bold."""
    shown = inert_line(alert.title, TITLE_LIMIT) or "(untitled)"
    target = link_target(alert.url)
    title = f"**[{shown}]({target})**" if target else f"**{shown}**"
    lines = [title, f"_{_meta(alert, inert)}_", "", _excerpt(alert, inert, "**")]
    return "\n".join([*lines, *_tail(alert, inert)])


def chat_text(alert: Alert) -> str:
    """The message as plain text: title, link, topics and source, excerpt."""
    lines = [inert_text_line(alert.title, TITLE_LIMIT) or "(untitled)"]
    target = link_target(alert.url)
    if target:
        lines.append(target)
    lines += [_meta(alert, inert_text), "", _excerpt(alert, inert_text, "")]
    return "\n".join([*lines, *_tail(alert, inert_text)])


def digest_title(alerts: Sequence[Alert]) -> str:
    """ "watcher digest: 3 alerts"."""
    return f"watcher digest: {len(alerts)} alert{'' if len(alerts) == 1 else 's'}"
