"""approved WhatsApp message templates per channel account (``unifier.store.schema_templates``)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_templates",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(320), primary_key=True),
        sa.Column("name", sa.String(512), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reply_templates")
