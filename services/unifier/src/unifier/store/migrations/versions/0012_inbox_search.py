"""reserved: indexes for the inbox at millions of conversations (make bench-inbox)

Empty until that work lands; the number is taken so parallel branches chain without conflict.

Revision ID: 0012
Revises: 0011
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
