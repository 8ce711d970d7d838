"""auto-assignment: teams, team members, the inboxes a team takes, the queue of threads
waiting for an agent, and two partial indexes on threads (open unassigned by activity; open
by assignee) for its rounds (``unifier.store.schema_assignment``)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)
S64 = sa.String(64)
WAITING = {"sqlite": "open = 1 AND assignee IS NULL", "postgresql": "open AND assignee IS NULL"}
OPEN = {"sqlite": "open = 1", "postgresql": "open"}


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("team_id", S64, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("auto_assign", sa.Boolean, nullable=False),
        sa.Column("last_assigned", S64, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("team_id", S64, primary_key=True),
        sa.Column("agent_id", S64, primary_key=True),
    )
    op.create_table(
        "team_inboxes",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("team_id", S64, primary_key=True),
        sa.Column("channel_kind", sa.String(16), primary_key=True),
        sa.Column("account_id", sa.String(320), primary_key=True),
    )
    op.create_table(
        "assignment_queue",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("thread_id", S64, primary_key=True),
        sa.Column("team_id", S64, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("since", TS, nullable=False),
    )

    for name, cols, where in (
        ("ix_threads_waiting", ["tenant", "last_message_at"], WAITING),
        ("ix_threads_open_assignee", ["tenant", "assignee"], OPEN),
    ):
        op.create_index(
            name,
            "threads",
            cols,
            sqlite_where=sa.text(where["sqlite"]),
            postgresql_where=sa.text(where["postgresql"]),
        )


def downgrade() -> None:
    op.drop_index("ix_threads_open_assignee", "threads")
    op.drop_index("ix_threads_waiting", "threads")
    for table in ("assignment_queue", "team_inboxes", "team_members", "teams"):
        op.drop_table(table)
