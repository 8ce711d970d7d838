"""thread traits: the language, category and priority triage gives a conversation and each
message, which routing and SLA policies match on (``unifier.store.schema``)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
        batch.add_column(sa.Column("category", sa.String(64), nullable=True))
        batch.add_column(sa.Column("priority", sa.String(16), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("priority")
        batch.drop_column("category")
        batch.drop_column("language")
