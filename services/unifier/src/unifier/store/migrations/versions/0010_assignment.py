"""reserved: teams, team members and the inboxes they take (auto-assignment)

Empty until that work lands; the number is taken so parallel branches chain without conflict.

Revision ID: 0010
Revises: 0009
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
