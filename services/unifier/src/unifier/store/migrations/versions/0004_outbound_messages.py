"""outbound messages in the thread, edit history, expiring held effects

Agent replies become message rows (direction ``outbound``, author, reply id, status detail);
edits and deletions keep the earlier texts in ``history`` (a deleted text until retention
ends: a partial index finds those rows without touching inbound inserts); held effects get the
time they were held so they expire instead of waiting forever.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("direction", sa.String(length=8), nullable=False, server_default="inbound")
        )
        batch_op.add_column(sa.Column("author", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("reply_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("status_detail", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("history", sa.Text(), nullable=True))
    deleted_text = sa.text("deleted AND history IS NOT NULL")
    op.create_index(
        "ix_messages_deleted_text",
        "messages",
        ["at"],
        sqlite_where=deleted_text,
        postgresql_where=deleted_text,
    )
    with op.batch_alter_table("held_effects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    held = sa.table("held_effects", sa.column("held_at", sa.DateTime(timezone=True)))
    op.execute(held.update().values(held_at=sa.func.current_timestamp()))


def downgrade() -> None:
    with op.batch_alter_table("held_effects", schema=None) as batch_op:
        batch_op.drop_column("held_at")
    op.drop_index("ix_messages_deleted_text", table_name="messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        for name in ("history", "status_detail", "reply_id", "author", "direction"):
            batch_op.drop_column(name)
