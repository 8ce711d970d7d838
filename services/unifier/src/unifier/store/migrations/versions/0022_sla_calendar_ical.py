"""sla calendar ical: a stored calendar's imported iCal file and the closures read from it
(``unifier.service.sla_ical``)

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sla_calendars") as table:
        table.add_column(sa.Column("ical", sa.Text, nullable=True))
        table.add_column(sa.Column("ical_closures", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sla_calendars") as table:
        table.drop_column("ical_closures")
        table.drop_column("ical")
