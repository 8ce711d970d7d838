"""calls: one record per call, and the threads' callback marks (``unifier.store.schema_calls``)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("call_id", sa.String(512), primary_key=True),
        sa.Column("channel_kind", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("caller", sa.String(320), nullable=False),
        sa.Column("line", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("answered_by", sa.String(320), nullable=True),
        sa.Column("duration_s", sa.Integer, nullable=True),
        sa.Column("talk_s", sa.Integer, nullable=True),
        sa.Column("wait_s", sa.Integer, nullable=True),
        sa.Column("cause", sa.String(200), nullable=True),
        sa.Column("queue", sa.String(200), nullable=True),
        sa.Column("ivr_selection", sa.String(200), nullable=True),
        sa.Column("recordings", sa.Text, nullable=False),
        sa.Column("transcripts", sa.Text, nullable=False),
        sa.Column("voicemail", sa.Text, nullable=True),
        sa.Column("needs_callback", sa.Boolean, nullable=False),
    )
    op.create_index("ix_calls_message", "calls", ["tenant", "message_id"])
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("callback_due_at", TS, nullable=True))
        batch.add_column(sa.Column("callback_done_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("callback_done_at")
        batch.drop_column("callback_due_at")
    op.drop_index("ix_calls_message", table_name="calls")
    op.drop_table("calls")
