"""the agent workspace: assignee and snooze on threads, labels, notes, activity, canned
responses, read marks (``unifier.store.schema_workspace``)

Both new thread columns are nullable: adding them rewrites nothing on PostgreSQL.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)
S64 = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("assignee", S64, nullable=True))
        batch.add_column(sa.Column("snoozed_until", TS, nullable=True))
    op.create_index("ix_threads_assignee", "threads", ["tenant", "assignee", "last_message_at"])
    op.create_table(
        "labels",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("label", S64, primary_key=True),
        sa.Column("color", sa.String(16), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "thread_labels",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("thread_id", S64, primary_key=True),
        sa.Column("label", S64, primary_key=True),
    )
    op.create_index("ix_thread_labels_label", "thread_labels", ["tenant", "label"])
    op.create_table(
        "thread_notes",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("note_id", S64, primary_key=True),
        sa.Column("thread_id", S64, nullable=False),
        sa.Column("author", S64, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_thread_notes_thread", "thread_notes", ["tenant", "thread_id", "at"])
    op.create_table(
        "thread_activity",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("activity_id", S64, primary_key=True),
        sa.Column("thread_id", S64, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", S64, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_thread_activity_thread", "thread_activity", ["tenant", "thread_id", "at"])
    op.create_table(
        "canned_responses",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("canned_id", S64, primary_key=True),
        sa.Column("shortcut", S64, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_canned_shortcut", "canned_responses", ["tenant", "shortcut"], unique=True)
    op.create_table(
        "thread_reads",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("thread_id", S64, primary_key=True),
        sa.Column("agent_id", S64, primary_key=True),
        sa.Column("seen_count", sa.Integer, nullable=False),
        sa.Column("read_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("thread_reads", "canned_responses", "thread_activity", "thread_notes"):
        op.drop_table(table)
    op.drop_table("thread_labels")
    op.drop_table("labels")
    op.drop_index("ix_threads_assignee", "threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("snoozed_until")
        batch.drop_column("assignee")
