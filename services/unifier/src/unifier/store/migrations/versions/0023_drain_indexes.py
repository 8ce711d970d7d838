"""drain indexes: the threads' assignee, closed and SLA-due indexes hold only the rows their
queries can match (assigned, closed, with a due time), so the drain's new and updated threads
(unassigned, open, no SLA yet) maintain none of them; and one index of messages by thread
(tenant, thread, time, channel kind) instead of two, the channel filter's probe answered from
it (``unifier.store.schema``, ``schema_sla``, ``schema_inbox``; bench/profiling.md, "The
PostgreSQL drain and the indexes").

``ix_messages_thread`` is rebuilt in the migration's transaction: on a big live store, build
the new one first with ``CREATE INDEX CONCURRENTLY`` under another name, then run this.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None
PARTIAL = {  # name: (columns, the rows it holds)
    "ix_threads_assignee": (["tenant", "assignee", "last_message_at"], "assignee IS NOT NULL"),
    "ix_threads_closed": (["tenant", "closed_at"], "closed_at IS NOT NULL"),
    "ix_threads_sla_due": (["tenant", "sla_due_at"], "sla_due_at IS NOT NULL"),
}


BY_THREAD = ["tenant", "thread_id", "at"]


def upgrade() -> None:
    for name, (columns, rows) in PARTIAL.items():
        op.drop_index(name, table_name="threads")
        where = sa.text(rows)
        op.create_index(name, "threads", columns, sqlite_where=where, postgresql_where=where)
    op.drop_index("ix_messages_thread_channel", table_name="messages")
    op.drop_index("ix_messages_thread", table_name="messages")
    op.create_index("ix_messages_thread", "messages", [*BY_THREAD, "channel_kind"])


def downgrade() -> None:
    op.drop_index("ix_messages_thread", table_name="messages")
    op.create_index("ix_messages_thread", "messages", BY_THREAD)
    by_channel = ["tenant", "thread_id", "channel_kind"]
    op.create_index("ix_messages_thread_channel", "messages", by_channel)
    for name, (columns, _) in PARTIAL.items():
        op.drop_index(name, table_name="threads")
        op.create_index(name, "threads", columns)
