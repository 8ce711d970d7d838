"""contacts by merged_into

The working-set load reads a thread's participants for the batch's contacts only (a busy shared
thread has tens of thousands), so it needs the contacts merged into each of them.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_merged_into", ["tenant", "merged_into"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_merged_into")
