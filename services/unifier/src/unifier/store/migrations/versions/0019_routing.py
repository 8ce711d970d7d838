"""routing and escalation: agents' skills, limits per channel kind and working hours, teams'
required skills and escalation targets, conversations escalated to a team, and escalations
done by cause (``unifier.store.schema_routing``)

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)
S64 = sa.String(64)


def _skills() -> list[sa.Column[str]]:
    return [
        sa.Column(name, sa.Text, nullable=False) for name in ("languages", "categories", "channels")
    ]


def upgrade() -> None:
    op.create_table(
        "agent_routing",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("agent_id", S64, primary_key=True),
        *_skills(),
        sa.Column("limits", sa.Text, nullable=False),
        sa.Column("hours", sa.Text, nullable=True),
    )
    op.create_table(
        "team_routing",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("team_id", S64, primary_key=True),
        *_skills(),
        sa.Column("escalate_team", S64, nullable=True),
        sa.Column("escalate_agent", S64, nullable=True),
    )
    op.create_table(
        "thread_routes",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("thread_id", S64, primary_key=True),
        sa.Column("team_id", S64, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_table(
        "escalations",
        sa.Column("tenant", S64, primary_key=True),
        sa.Column("cause_id", S64, primary_key=True),
        sa.Column("thread_id", S64, nullable=False),
        sa.Column("event_id", S64, nullable=False),
        sa.Column("at", TS, nullable=False),
    )


def downgrade() -> None:
    for name in ("escalations", "thread_routes", "team_routing", "agent_routing"):
        op.drop_table(name)
