"""Triage on arrival (migration 0018): each tenant's rules, its category models, the categories
agents set (the models' training labels), VIP contacts. What triage decided for a message is
stored with the message (``messages.triage``): no second row per message in the write path."""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

triage_rules = sa.Table(  # the tenant's ordered rules, one JSON document (domain.triage_rules)
    "triage_rules",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("doc", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(320), nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

triage_models = sa.Table(  # a tenant's category classifiers, newest version in use
    "triage_models",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("trained_at", TS, nullable=False),
    sa.Column("examples", sa.Integer, nullable=False),
    sa.Column("categories", sa.Text, nullable=False),  # JSON list
    sa.Column("model", sa.LargeBinary, nullable=False),  # pickled scikit-learn pipeline
)

category_labels = sa.Table(  # the category an agent gave a conversation: a training label
    "category_labels",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("by", sa.String(320), nullable=False),
    sa.Column("at", TS, nullable=False),
)

vip_contacts = sa.Table(  # contacts whose messages the priority rules may treat as VIP
    "vip_contacts",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("by", sa.String(320), nullable=False),
    sa.Column("at", TS, nullable=False),
)
