"""item_sentences by sentence hash: is a new item's text something its source already said

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("item_sentences", schema=None) as batch_op:
        batch_op.create_index("ix_item_sentences_key_hash", ["key_hash"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("item_sentences", schema=None) as batch_op:
        batch_op.drop_index("ix_item_sentences_key_hash")
