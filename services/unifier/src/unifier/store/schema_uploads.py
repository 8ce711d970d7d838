"""Files an agent uploaded to attach to a reply: which tenant may use which blob. The blob store
is content-addressed and shared, so a ref alone says nothing about who may send it; a reply may
carry only refs its own tenant uploaded. Migration 0013.

``mime_type`` is the type the unifier decided from the bytes (``domain.upload_types``), never
the one the browser declared; ``filename`` is cleaned of paths and control characters."""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

reply_uploads = sa.Table(
    "reply_uploads",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("ref", sa.String(128), primary_key=True),  # blob:sha256/<hex>
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("mime_type", sa.String(127), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(255), nullable=False),
    sa.Column("uploaded_at", TS, nullable=False),
)
