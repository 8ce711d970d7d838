"""channel accounts as runtime configuration (``unifier.store.schema_channels``)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("account_id", sa.String(320), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("secrets", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_channel_accounts_tenant", "channel_accounts", ["tenant", "kind"])


def downgrade() -> None:
    op.drop_index("ix_channel_accounts_tenant", table_name="channel_accounts")
    op.drop_table("channel_accounts")
