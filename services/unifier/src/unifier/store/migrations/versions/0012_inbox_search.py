"""the inbox at millions of conversations: indexes for the list's names and channel filter and
for text search (make bench-inbox; ``unifier.store.schema_inbox``)

The GIN index on ``to_tsvector('simple', text)`` (``store.inbox_search``) is PostgreSQL's only.
The indexes are built in the migration's transaction, so writes to those tables wait for the
build (on the bench's 10,000,000 messages under load: ~9 minutes, bench/profiling.md). On a
big live store, build them first with ``CREATE INDEX CONCURRENTLY`` under the same names and
definitions: the migration then finds them (IF NOT EXISTS) and only records the revision.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
TEXT_SEARCH = "ix_messages_text_search"  # = store.schema_inbox.TEXT_SEARCH_INDEX


def upgrade() -> None:
    op.create_index(
        "ix_participants_contact",
        "thread_participants",
        ["tenant", "contact_id"],
        if_not_exists=True,
    )
    op.create_index(
        "ix_messages_thread_channel",
        "messages",
        ["tenant", "thread_id", "channel_kind"],
        if_not_exists=True,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {TEXT_SEARCH} ON messages "
            "USING gin (to_tsvector('simple', text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {TEXT_SEARCH}")
    op.drop_index("ix_messages_thread_channel", "messages")
    op.drop_index("ix_participants_contact", "thread_participants")
