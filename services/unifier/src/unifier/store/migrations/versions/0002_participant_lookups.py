"""participant and merge lookups by contact

The working-set load reads a thread's participants for the batch's contacts only (a busy shared
thread has tens of thousands), so it looks them up by contact, and finds the contacts merged
into a canonical one by ``merged_into``.

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
    with op.batch_alter_table("thread_participants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_participants_contact", ["tenant", "contact_id", "thread_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("thread_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_contact")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_merged_into")
