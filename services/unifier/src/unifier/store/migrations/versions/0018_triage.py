"""triage on arrival: results per message, rules, category models, agents' category labels and
VIP contacts (``unifier.store.schema_triage``)

Revision ID: 0018
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "triage_results",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("aspect", sa.String(16), primary_key=True),
        sa.Column("thread_id", sa.String(64), nullable=False),
        sa.Column("value", sa.String(64), nullable=True),
        sa.Column("applied", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_triage_results_thread", "triage_results", ["tenant", "thread_id"])
    op.create_table(
        "triage_rules",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "triage_models",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("trained_at", TS, nullable=False),
        sa.Column("examples", sa.Integer, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("model", sa.LargeBinary, nullable=False),
    )
    for name in ("category_labels", "vip_contacts"):
        key = "thread_id" if name == "category_labels" else "contact_id"
        extra = [sa.Column("category", sa.String(64), nullable=False)] if key == "thread_id" else []
        op.create_table(
            name,
            sa.Column("tenant", sa.String(64), primary_key=True),
            sa.Column(key, sa.String(64), primary_key=True),
            *extra,
            sa.Column("by", sa.String(320), nullable=False),
            sa.Column("at", TS, nullable=False),
        )


def downgrade() -> None:
    for name in ("vip_contacts", "category_labels", "triage_models", "triage_rules"):
        op.drop_table(name)
    op.drop_index("ix_triage_results_thread", table_name="triage_results")
    op.drop_table("triage_results")
