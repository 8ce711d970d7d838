"""messages keep the sender's display name

A nullable column: adding it rewrites nothing on PostgreSQL. Rows stored before it keep NULL
(their names are not decoded back out of ``payload``): the API then shows the contact's name
from newer messages, else the handle formatted by channel (``unifier.domain.names``).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sender_name", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("sender_name")
