"""Channel accounts: a provider account (WhatsApp phone number id, Meta page id, Telegram bot
id, Slack team id, mailbox, widget site key) and the tenant it routes to. Migration 0014.

One provider account routes to exactly one tenant, so (kind, account_id) is the key across
tenants. ``settings`` is non-secret JSON; ``secrets`` is JSON ``{name: [{"value", "set_at"}]}``
with at most two values per name, newest first (rotation: both are valid until one is retired),
each value Fernet-sealed (``hotline.accounts.sealing``, key HOTLINE_CHANNEL_SECRETS_KEY).
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

channel_accounts = sa.Table(
    "channel_accounts",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # hotline.events.ChannelKind
    sa.Column("account_id", sa.String(320), primary_key=True),  # the provider's own id
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON object, non-secret
    sa.Column("secrets", sa.Text, nullable=False),  # JSON, every value sealed
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # +1 on every change
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)
sa.Index("ix_channel_accounts_tenant", channel_accounts.c.tenant, channel_accounts.c.kind)
