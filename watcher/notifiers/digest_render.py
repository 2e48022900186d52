"""Digest bodies for email: several alerts in one message; scraped text stays untrusted."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from watcher.models import Alert
from watcher.notifiers.render import (
    SUBJECT_PREFIX,
    TITLE_LIMIT,
    clean_body,
    clean_line,
    highlight_segments,
    html_link,
    plain_body,
)

SUBJECT_LIMIT = 200


def digest_topics(alerts: Sequence[Alert]) -> list[str]:
    """Every topic of the alerts, in first-seen order."""
    return list(dict.fromkeys(clean_line(topic) for alert in alerts for topic in alert.topics))


def digest_subject(alerts: Sequence[Alert]) -> str:
    """ "[watcher] digest: 3 alerts (Mokom, IOM)", one line, bounded."""
    count = f"{len(alerts)} alert{'' if len(alerts) == 1 else 's'}"
    topics = ", ".join(digest_topics(alerts))
    return clean_line(f"{SUBJECT_PREFIX} digest: {count} ({topics})", SUBJECT_LIMIT)


def digest_plain(alerts: Sequence[Alert]) -> str:
    """The text/plain part: each alert's plain body, separated by a rule."""
    header = f"{len(alerts)} new development(s): {', '.join(digest_topics(alerts))}\n"
    return header + "\n".join(f"\n{'=' * 40}\n{plain_body(alert)}" for alert in alerts)


def _section(alert: Alert) -> str:
    title = clean_line(alert.title, TITLE_LIMIT) or "(untitled)"
    excerpt = "".join(
        f"<mark>{escape(clean_body(piece))}</mark>" if marked else escape(clean_body(piece))
        for piece, marked in highlight_segments(alert.excerpt, alert.highlights)
    )
    meta = escape(clean_line(f"{', '.join(alert.topics)} · {alert.source} · alert {alert.id}"))
    return (
        f"<h3>{html_link(alert.url, title)}</h3>\n"
        f'<p style="color:#555">{meta}</p>\n'
        f"<p>{excerpt}</p>\n"
    )


def digest_html(alerts: Sequence[Alert]) -> str:
    """The text/html part: one escaped section per alert."""
    sections = "<hr>\n".join(_section(alert) for alert in alerts)
    heading = escape(digest_subject(alerts))
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{heading}</title>\n</head>\n<body>\n<h2>{heading}</h2>\n"
        f"{sections}</body>\n</html>\n"
    )
