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


def _rebuild(*constraints: sa.Constraint) -> None:
    """messages -> a copy of its columns with ``constraints``, rows copied, then swapped in."""
    bind = op.get_bind()
    old = sa.Table("messages", sa.MetaData(), autoload_with=bind)
    columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in old.columns]
    op.create_table("messages_rebuilt", *columns, *constraints)
    names = ", ".join(c.name for c in old.columns)
    op.execute(f"INSERT INTO messages_rebuilt ({names}) SELECT {names} FROM messages")
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
