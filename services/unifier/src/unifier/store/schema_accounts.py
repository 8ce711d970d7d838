"""Tables of people and credentials: agents and admins per tenant, their sessions, API tokens.

Secrets are never stored: passwords as argon2 hashes, session and API tokens as SHA-256 of a
high-entropy random value (a lookup by hash; nothing to brute-force). Migration 0008.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

agents = sa.Table(
    "agents",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("agent_id", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),  # sign-in name, unique across tenants
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # "admin" | "agent"
    sa.Column("password_hash", sa.Text, nullable=False),
    # concurrent open conversations auto-assignment gives this agent at most
    sa.Column("capacity", sa.Integer, nullable=False, server_default="10"),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", TS, nullable=True),
    sa.Column("disabled_at", TS, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_seen_at", TS, nullable=True),  # presence: a live page or API call
)
sa.Index("ix_agents_email", agents.c.email, unique=True)
sessions = sa.Table(
    "agent_sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),  # sha256 hex of the cookie
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("agent_id", sa.String(64), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),  # echoed by every unsafe request
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_seen_at", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("client", sa.String(300), nullable=True),  # address and user agent, for the list
)
sa.Index("ix_agent_sessions_agent", sessions.c.tenant, sessions.c.agent_id)
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.String(64), primary_key=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),  # sha256 hex of the token
    sa.Column("created_by", sa.String(64), nullable=True),  # the admin's agent id
    sa.Column("created_at", TS, nullable=False),
    sa.Column("revoked_at", TS, nullable=True),
    sa.Column("last_used_at", TS, nullable=True),
)
sa.Index("ix_api_tokens_hash", api_tokens.c.token_hash, unique=True)
sa.Index("ix_api_tokens_tenant", api_tokens.c.tenant)
