"""identity claims: one contact per new identifier across unifier instances

A new contact claims each identifier it is created for that no contact held
(``unifier.domain.claims``); the primary key makes the second of two concurrent claims fail, and
that transaction is decided again (``unifier.entrypoints.batch_handler``). Identities stored before
this revision have no claim: they are found by the working-set load, so nobody claims them.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_claims",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(320), primary_key=True),
        sa.Column("claim_class", sa.String(32), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("identity_claims")
