"""SLA: calendars, ordered policies, team calendars, each conversation's cycles and clocks,
and on threads the waiting-on-customer flag, earliest due time, badge status and the
scheduler's next look (``unifier.store.schema_sla``)

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)
NEXT = "sla_next_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "sla_calendars",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "sla_team_calendars",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("calendar", sa.String(64), nullable=False),
    )
    op.create_table(
        "sla_policies",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "sla_cycles",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("thread_id", sa.String(64), primary_key=True),
        sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("started_at", TS, nullable=False),
    )
    _clocks()
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("waiting_since", TS, nullable=True))
        batch.add_column(sa.Column("sla_due_at", TS, nullable=True))
        batch.add_column(sa.Column("sla_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("sla_next_at", TS, nullable=True))
    op.create_index(
        "ix_threads_sla_next",
        "threads",
        ["sla_next_at"],
        sqlite_where=sa.text(NEXT),
        postgresql_where=sa.text(NEXT),
    )
    op.create_index("ix_threads_sla_due", "threads", ["tenant", "sla_due_at"])


def _clocks() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("thread_id", sa.String(64), primary_key=True),
        sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("target", sa.String(16), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("warn_at", TS, nullable=True),
        sa.Column("warned_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("emitted", sa.String(64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_threads_sla_due", "threads")
    op.drop_index("ix_threads_sla_next", "threads")
    with op.batch_alter_table("threads") as batch:
        for column in ("sla_next_at", "sla_status", "sla_due_at", "waiting_since"):
            batch.drop_column(column)
    for table in ("sla_clocks", "sla_cycles", "sla_policies", "sla_team_calendars"):
        op.drop_table(table)
    op.drop_table("sla_calendars")
