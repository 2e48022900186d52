"""Human-readable alert bodies: subject, plain text, HTML; all scraped text is untrusted."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from watcher.models import Alert
from watcher.notifiers.payload import utc_timestamp

SUBJECT_PREFIX = "[watcher]"
SUBJECT_LIMIT = 200
TITLE_LIMIT = 140

# C0/C1 controls, bidi overrides/isolates (they can disguise a subject) and line separators.
_UNSAFE_IN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+"
)
# The same, but a body keeps its line breaks and tabs.
_UNSAFE_IN_BODY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_KIND_LABELS = {"new_item": "New item", "updated_item": "Updated item"}
_LINK_SCHEMES = frozenset({"http", "https"})


def clean_line(text: str, limit: int | None = None) -> str:
    """`text` on one line: controls removed, whitespace collapsed, cut at `limit` with '…'."""
    line = _SPACES.sub(" ", _UNSAFE_IN_LINE.sub(" ", text)).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def clean_body(text: str) -> str:
    """`text` with control characters other than newline and tab removed."""
    return _UNSAFE_IN_BODY.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def subject(alert: Alert) -> str:
    """The mail subject: "[watcher] topic, topic: title", one line, bounded."""
    topics = ", ".join(clean_line(topic) for topic in alert.topics)
    title = clean_line(alert.title, TITLE_LIMIT) or clean_line(alert.source, TITLE_LIMIT)
    text = f"{SUBJECT_PREFIX} {topics}: {title}" if topics else f"{SUBJECT_PREFIX} {title}"
    return clean_line(text, SUBJECT_LIMIT)


def safe_link(url: str) -> str | None:
    """`url` if it is an http(s) URL with a host, the only kind that may become a link."""
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.hostname:
        return None
    if _UNSAFE_IN_LINE.search(candidate) or " " in candidate:
        return None
    return candidate


def highlight_segments(text: str, spans: tuple[tuple[int, int], ...]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, highlighted) runs; spans are clipped, sorted and merged."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[tuple[str, bool]] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def _summary_line(alert: Alert) -> str:
    label = _KIND_LABELS.get(alert.kind, clean_line(alert.kind))
    return f"{', '.join(alert.topics)} · {label} · {alert.source}"


def _footer(alert: Alert) -> str:
    return f"Detected {utc_timestamp(alert.detected_at)} · alert {alert.id}"


def plain_body(alert: Alert) -> str:
    """The text/plain part: summary, title, URL, excerpt with *highlights*, also-seen list."""
    excerpt = "".join(
        f"*{piece}*" if marked else piece
        for piece, marked in highlight_segments(alert.excerpt, alert.highlights)
    )
    lines = [
        clean_line(_summary_line(alert)),
        "",
        clean_line(alert.title) or "(untitled)",
        clean_line(alert.url),
        "",
        clean_body(excerpt).strip(),
    ]
    if alert.also_seen:
        lines += ["", "Also seen:"]
        lines += [f"- {clean_line(s.source)}: {clean_line(s.url)}" for s in alert.also_seen]
    lines += ["", "-- ", clean_line(_footer(alert))]
    return "\n".join(lines) + "\n"


def _html_text(text: str) -> str:
    return escape(clean_body(text)).replace("\n", "<br>\n")


def html_link(url: str, label: str) -> str:
    """An <a> to `url` showing `label`, or just the escaped label if the URL is not http(s)."""
    target = safe_link(url)
    shown = escape(clean_line(label))
    if target is None:
        return shown
    return f'<a href="{escape(target, quote=True)}">{shown}</a>'


def _html_excerpt(alert: Alert) -> str:
    return "".join(
        f"<mark>{_html_text(piece)}</mark>" if marked else _html_text(piece)
        for piece, marked in highlight_segments(alert.excerpt, alert.highlights)
    )


def _html_also_seen(alert: Alert) -> str:
    if not alert.also_seen:
        return ""
    items = "".join(
        f"<li>{escape(clean_line(s.source))}: {html_link(s.url, s.url)}</li>\n"
        for s in alert.also_seen
    )
    return f"<p>Also seen:</p>\n<ul>\n{items}</ul>\n"


def html_body(alert: Alert) -> str:
    """The text/html part: every scraped string escaped, only http(s) URLs linked."""
    title = clean_line(alert.title) or "(untitled)"
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(clean_line(alert.title, TITLE_LIMIT))}</title>\n</head>\n<body>\n"
        f'<p style="color:#555">{escape(clean_line(_summary_line(alert)))}</p>\n'
        f"<h2>{html_link(alert.url, title)}</h2>\n"
        f"<p>{_html_excerpt(alert)}</p>\n"
        f"{_html_also_seen(alert)}"
        f'<p style="color:#777;font-size:small">{escape(clean_line(_footer(alert)))}</p>\n'
        "</body>\n</html>\n"
    )


# Chat mentions: "@here", "@everyone", "@U123"; "<!channel>", "<@U123>", "<#C1>" (Slack/Discord).
_MENTION = re.compile(r"([@\uff20])(?=[\w!&#])")
_ANGLE_SPECIAL = re.compile(r"<(?=[!@#&:a-zA-Z/])")
# Markup characters that not every place a chat message lands can escape: Slack's mrkdwn has
# no escapes, and apprise hands titles to services unconverted, as plain text. Shown as
# look-alikes, they read the same and format nothing in any dialect.
_LOOKALIKES = str.maketrans(
    {"\\": "\u29f5", "*": "\u2217", "_": "\u02cd", "`": "\u02cb", "~": "\u223c"}
)
# Link syntax: the brackets are escaped in Markdown, where a backslash does not show, and so
# is ">", which would close an autolink ("<\u200b@\u200bU123>" is an e-mail link to some
# renderers)...
_BRACKETS = re.compile(r"([\[\]>])")
# ... and broken in plain text, which some services (Mattermost) still render.
_LINK_SYNTAX = re.compile(r"\](?=[ \t]*[(\[:])")
# A line opening on heading, quote, list or table syntax is made a plain paragraph, which
# works in plain text too, where an escape would show.
_LINE_START = re.compile(r"(?m)^(?=[ \t]*[#>\[\-+=|])")
_SPOILER = re.compile(r"\|(?=\|)")  # Discord's "||spoiler||"
_ZERO_WIDTH_SPACE = "\u200b"


def neutralise_chat(text: str) -> str:
    """`text` made inert for a Markdown chat message: no mentions, mass pings, links or
    markup from a page, and no stray backslashes where the dialect has no escapes."""
    return _defuse_lines(_BRACKETS.sub(r"\\\1", text.translate(_LOOKALIKES)))


def neutralise_chat_text(text: str) -> str:
    """`text` made inert for a plain-text chat message or title: as neutralise_chat, but
    with no escapes at all, which plain text would show."""
    return _defuse_lines(_LINK_SYNTAX.sub("]" + _ZERO_WIDTH_SPACE, text.translate(_LOOKALIKES)))


def _defuse_lines(text: str) -> str:
    return _defuse_pings(_LINE_START.sub(_ZERO_WIDTH_SPACE, text))


def _defuse_pings(text: str) -> str:
    text = _SPOILER.sub("|" + _ZERO_WIDTH_SPACE, text)
    text = _ANGLE_SPECIAL.sub("<" + _ZERO_WIDTH_SPACE, text)
    return _MENTION.sub(r"\1" + _ZERO_WIDTH_SPACE, text)
