"""identities keyed by verification level, with link evidence; suggestions agents decide;
messages remember the contact they resolved to before merges

Identities are keyed by (tenant, kind, value, level) instead of ``verified``: the same address
may be recorded at several levels (site-signed by the widget, DMARC-aligned by mail), each with
its own evidence. Existing rows get the level ``Identifier.trust()`` derives from ``verified``.
SQLite cannot change a primary key in place, so the table is rebuilt the same way on both.

Revision ID: 0005
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COMMON = "tenant, kind, value, verified, contact_id, source, channel_kind, account_id, handle"


def _identity_columns(*, levels: bool) -> list[sa.Column[Any]]:
    cols: list[sa.Column[Any]] = [
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("channel_kind", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(320), nullable=False),
        sa.Column("handle", sa.String(320), nullable=False),
    ]
    if levels:
        cols += [
            sa.Column("level", sa.String(32), nullable=False),
            sa.Column("link_event_id", sa.String(64), nullable=True),
            sa.Column("rule", sa.String(64), nullable=True),
            sa.Column("evidence", sa.Text, nullable=True),
        ]
    return cols


def _rebuild_identities(*, levels: bool) -> None:
    key = ("tenant", "kind", "value", "level" if levels else "verified")
    op.create_table(
        "identities_rebuilt",
        *_identity_columns(levels=levels),
        # PostgreSQL names are per schema: the old table's key still holds the other name
        sa.PrimaryKeyConstraint(*key, name="pk_identities" if levels else "identities_pkey"),
    )
    names = _COMMON
    if levels:
        derived = "CASE WHEN verified THEN 'provider_verified' ELSE 'unverified' END"
        op.execute(
            f"INSERT INTO identities_rebuilt ({names}, level) SELECT {names}, {derived}"
            " FROM identities"
        )
    else:  # one row per (kind, value, verified): other levels of it are dropped
        op.execute(
            f"INSERT INTO identities_rebuilt ({names}) SELECT {names} FROM identities"
            " ORDER BY level ON CONFLICT DO NOTHING"
        )
    op.drop_index("ix_identities_contact", table_name="identities")
    op.drop_index("ix_identities_value", table_name="identities")
    op.drop_table("identities")
    op.rename_table("identities_rebuilt", "identities")
    op.create_index("ix_identities_contact", "identities", ["tenant", "contact_id"])
    op.create_index("ix_identities_value", "identities", ["tenant", "value"])


_SUGGESTION_COLUMNS = (
    ("status", sa.String(16)),
    ("kind", sa.String(32)),
    ("value", sa.String(320)),
    ("level", sa.String(32)),
    ("source_event_id", sa.String(64)),
    ("rule", sa.String(64)),
    ("decided_by", sa.String(200)),
    ("decided_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    _rebuild_identities(levels=True)
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("suggestion_id", sa.String(64), nullable=True))
        for name, type_ in _SUGGESTION_COLUMNS:
            default = "open" if name == "status" else None
            batch.add_column(
                sa.Column(name, type_, nullable=name != "status", server_default=default)
            )
    op.execute("UPDATE suggestions SET suggestion_id = contact_id || ':' || suggested_contact_id")
    with op.batch_alter_table("suggestions") as batch:
        batch.alter_column("suggestion_id", existing_type=sa.String(64), nullable=False)
        batch.create_index("ix_suggestions_id", ["tenant", "suggestion_id"], unique=True)
        batch.create_index("ix_suggestions_suggested", ["tenant", "suggested_contact_id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("resolved_contact_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("resolved_contact_id")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_index("ix_suggestions_suggested")
        batch.drop_index("ix_suggestions_id")
        for name, _ in reversed(_SUGGESTION_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("suggestion_id")
    _rebuild_identities(levels=False)
