"""surveys: one satisfaction survey per resolution and its answers
(``unifier.store.schema_surveys``)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("survey_id", sa.String(64), primary_key=True),
        sa.Column("thread_id", sa.String(64), nullable=False),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("channel_kind", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(320), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("agent", sa.String(320), nullable=False),
        sa.Column("reply_id", sa.String(64), nullable=False),
        sa.Column("scale", sa.Integer, nullable=False),
        sa.Column("asked_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("answers", sa.Integer, nullable=False),
        sa.Column("late_answers", sa.Integer, nullable=False),
    )
    op.create_index("ix_surveys_thread", "surveys", ["tenant", "thread_id"])
    op.create_index("ix_surveys_recipient", "surveys", ["tenant", "channel_kind", "recipient"])
    op.create_table(
        "survey_answers",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("survey_answers")
    op.drop_index("ix_surveys_recipient", "surveys")
    op.drop_index("ix_surveys_thread", "surveys")
    op.drop_table("surveys")
