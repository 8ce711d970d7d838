"""messages keyed by (tenant, provider message id, channel)

The event id (``message_id``) is a uuid5 of exactly these three, so its own unique index added
nothing but a random-key insert per message: in a 1,000,000-message SQLite store each such
insert dirtied a page of its own (~4 KB of WAL per message). The natural key becomes the
primary key; ``message_id`` stays as a column. The table is rebuilt the same way on SQLite and
PostgreSQL (SQLite cannot change a primary key in place).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    "message_id, tenant, channel_kind, provider_message_id, account_id, thread_id, contact_id,"
    " sender_handle, role, at, text, edited, deleted, reactions, status, rule, evidence,"
    " rule_version, payload"
)


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("channel_kind", sa.String(length=16), nullable=False),
        sa.Column("provider_message_id", sa.String(length=512), nullable=False),
        sa.Column("account_id", sa.String(length=320), nullable=False),
        sa.Column("thread_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("sender_handle", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("reactions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("rule_version", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
    ]


def _rebuild(*constraints: sa.Constraint) -> None:
    op.create_table("messages_rebuilt", *_columns(), *constraints)
    op.execute(f"INSERT INTO messages_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM messages")
    op.drop_index("ix_messages_thread", table_name="messages")
    op.drop_table("messages")
    op.rename_table("messages_rebuilt", "messages")
    op.create_index("ix_messages_thread", "messages", ["tenant", "thread_id", "at"])


KEY: Sequence[str] = ("tenant", "provider_message_id", "channel_kind")


def upgrade() -> None:
    _rebuild(sa.PrimaryKeyConstraint(*KEY, name="pk_messages"))


def downgrade() -> None:
    _rebuild(
        sa.PrimaryKeyConstraint("message_id", name="messages_pkey"),
        sa.UniqueConstraint(*KEY, name="uq_message"),
    )
