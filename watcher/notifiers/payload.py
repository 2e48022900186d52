"""The webhook JSON body of an alert, its canonical bytes and its signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from watcher.digests import digest_id
from watcher.models import Alert


def utc_timestamp(moment: datetime) -> str:
    """`moment` as UTC ISO 8601 with seconds precision and a 'Z' (naive means UTC)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def alert_payload(alert: Alert) -> dict[str, object]:
    """Exactly the SPEC webhook JSON object, keys in SPEC order."""
    return {
        "id": alert.id,
        "topics": list(alert.topics),
        "source": alert.source,
        "url": alert.url,
        "title": alert.title,
        "kind": alert.kind,
        "excerpt": alert.excerpt,
        "detected_at": utc_timestamp(alert.detected_at),
        "also_seen": [{"source": seen.source, "url": seen.url} for seen in alert.also_seen],
    }


def payload_bytes(alert: Alert) -> bytes:
    """The compact, deterministic UTF-8 JSON body that is sent and signed."""
    text = json.dumps(alert_payload(alert), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def digest_payload(alerts: Sequence[Alert]) -> dict[str, object]:
    """A digest body (an extension of SPEC): a stable id and the SPEC payload of each alert."""
    return {
        "id": digest_id(alert.id for alert in alerts),
        "digest": True,
        "alerts": [alert_payload(alert) for alert in alerts],
    }


def digest_bytes(alerts: Sequence[Alert]) -> bytes:
    """The compact UTF-8 JSON body of a digest, sent and signed like a single alert."""
    text = json.dumps(digest_payload(alerts), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """The X-Watcher-Signature value: "sha256=" and the hex HMAC-SHA256 of `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
