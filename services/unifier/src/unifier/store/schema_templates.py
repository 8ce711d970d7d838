"""Approved WhatsApp message templates per channel account (the phone number id): what an agent
may send once the customer's 24-hour window has closed. Migration 0011.

``body`` holds the template's body text with its placeholders ``{{1}}``..``{{n}}``; ``status``
is the provider's review status (only ``APPROVED`` ones are offered)."""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

reply_templates = sa.Table(
    "reply_templates",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(320), primary_key=True),
    sa.Column("name", sa.String(512), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("category", sa.String(32), nullable=False),  # MARKETING | UTILITY | AUTHENTICATION
    sa.Column("status", sa.String(16), nullable=False),  # APPROVED | PENDING | REJECTED | ...
    sa.Column("updated_at", TS, nullable=False),
)
