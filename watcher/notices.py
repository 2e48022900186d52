"""Source health notices: a plain value that every notifier can send (no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

NoticeKind = Literal["source_failing", "source_recovered"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A source started failing (after `failures` checks in a row) or came back."""

    kind: NoticeKind
    source: str
    url: str
    failures: int
    error: str | None
    at: datetime

    @property
    def subject(self) -> str:
        """One line for a subject or a chat message."""
        if self.kind == "source_failing":
            return f"watcher: source {self.source!r} is failing ({self.failures} checks in a row)"
        return f"watcher: source {self.source!r} has recovered"

    def text(self) -> str:
        """A few plain-text lines: what happened, where, and the last error."""
        lines = [self.subject, f"URL: {self.url}"]
        if self.error:
            lines.append(f"Last error: {self.error}")
        if self.kind == "source_recovered":
            lines.append("Changes made while it was failing are recorded silently.")
        return "\n".join(lines)


def notice_payload(notice: Notice) -> dict[str, object]:
    """The webhook JSON object of a notice (`type` tells it from an alert)."""
    at = notice.at.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return {
        "type": notice.kind,
        "source": notice.source,
        "url": notice.url,
        "failures": notice.failures,
        "error": notice.error,
        "detected_at": at,
    }


def notice_bytes(notice: Notice) -> bytes:
    """The compact UTF-8 JSON body of a notice."""
    return json.dumps(notice_payload(notice), ensure_ascii=False, separators=(",", ":")).encode()
