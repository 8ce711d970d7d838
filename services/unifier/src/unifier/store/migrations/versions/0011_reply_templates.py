"""reserved: approved WhatsApp message templates per channel account

Empty until that work lands; the number is taken so parallel branches chain without conflict.

Revision ID: 0011
Revises: 0010
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
