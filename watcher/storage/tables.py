"""The database schema: one MetaData that Alembic migrations and every query share."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite, which stores no time zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# One row per configured source: HTTP validators, health, and whether its baseline is recorded.
source_state = Table(
    "source_state",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(64)),
    Column("baselined", Boolean, nullable=False, default=False),
    Column("last_check_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("last_error", Text),
    Column("failure_streak", Integer, nullable=False, default=0),
    # Whether notifiers were told this source is failing (so they hear it once, and recovery once).
    Column("failing_notified", Boolean, nullable=False, default=False),
    Column("lease_owner", String(200)),
    Column("lease_until", UTCDateTime()),
)

# A deferred baseline: a page's or feed's first document kept as fetched (still compressed),
# until the source first changes and the document is extracted to compare against.
baseline_documents = Table(
    "baseline_documents",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("content_type", Text),
    Column("coding", String(40), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False),
)

# One row per item (page, article, feed entry) of a source: its latest snapshot.
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("key", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    # An article whose fetch failed during the baseline: its first real text is recorded silently.
    Column("pending", Boolean, nullable=False, default=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    UniqueConstraint("source", "key_hash", name="uq_items_source_key"),
)

# Every sentence an item has said, so that removed-then-restored text is not news again.
item_sentences = Table(
    "item_sentences",
    metadata,
    Column(
        "item_id",
        Integer,
        ForeignKey("items.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("key_hash", String(32), primary_key=True),
    Column("sentence_key", Text, nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    # Which items said a sentence: a new item whose text its source already said is no news.
    Index("ix_item_sentences_key_hash", "key_hash"),
)

# The outbox: an alert is stored here in the same transaction as the snapshot that found it.
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("source", String(200), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("topics", JSON, nullable=False),
    Column("excerpt", Text, nullable=False),
    Column("highlights", JSON, nullable=False),
    Column("also_seen", JSON, nullable=False),
    Column("story", JSON, nullable=False),
    Index("ix_alerts_created_at", "created_at"),
)

# Source health notices ("failing", "recovered"): stored in the transaction that flips
# `failing_notified`, then delivered through the outbox like alerts, so none is lost.
notices = Table(
    "notices",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("error", Text),
    Index("ix_notices_created_at", "created_at"),
)

# One delivery per alert (or notice) and notifier that takes it: pending, sent or failed.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(40), ForeignKey("alerts.id", ondelete="CASCADE")),
    Column("notice_id", String(40), ForeignKey("notices.id", ondelete="CASCADE")),
    Column("notifier", String(200), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("claimed_by", String(200)),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime()),
    # Goes out inside one digest message (a digest notifier, or rate-limit overflow).
    Column("digest", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("alert_id", "notifier", name="uq_deliveries_alert_notifier"),
    UniqueConstraint("notice_id", "notifier", name="uq_deliveries_notice_notifier"),
    # A delivery carries exactly one thing: an alert or a notice.
    CheckConstraint("(alert_id IS NULL) <> (notice_id IS NULL)", name="ck_deliveries_one_subject"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)
