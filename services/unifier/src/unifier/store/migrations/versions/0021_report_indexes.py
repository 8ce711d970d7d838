"""report indexes: the operations report's windows over threads (opened, closed, owed a call
back) and calls (started) (``unifier.store.ops_rows``)

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_threads_opened", "threads", ["tenant", "opened_at"])
    op.create_index("ix_threads_closed", "threads", ["tenant", "closed_at"])
    owed = sa.text("callback_due_at IS NOT NULL")
    op.create_index(
        "ix_threads_callback_due", "threads", ["tenant"], sqlite_where=owed, postgresql_where=owed
    )
    op.create_index("ix_calls_started", "calls", ["tenant", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_calls_started", table_name="calls")
    op.drop_index("ix_threads_callback_due", table_name="threads")
    op.drop_index("ix_threads_closed", table_name="threads")
    op.drop_index("ix_threads_opened", table_name="threads")
