"""triage on arrival: each message's results (``messages.triage``), rules, category models,
agents' category labels and VIP contacts (``unifier.store.schema_triage``)

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("triage", sa.Text, nullable=True))
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
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("triage")
