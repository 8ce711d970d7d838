"""Satisfaction surveys: one per resolution (``cycle``) of a conversation, and every answer
taken (``unifier.domain.surveys``). Migration 0020.

``surveys`` holds the current answer (the latest accepted one); ``survey_answers`` keeps each
answer by the event that carried it, so a redelivered message is the same answer.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("survey_id", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), nullable=False),
    sa.Column("cycle", sa.Integer, nullable=False),  # the how-manieth close of the thread
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("account_id", sa.String(320), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),  # the customer's channel address
    sa.Column("agent", sa.String(320), nullable=False),  # who resolved it
    sa.Column("reply_id", sa.String(64), nullable=False),  # the outbound message asking
    sa.Column("scale", sa.Integer, nullable=False),
    sa.Column("asked_at", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("score", sa.Integer, nullable=True),  # the latest accepted answer
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("answered_at", TS, nullable=True),
    sa.Column("answers", sa.Integer, nullable=False),  # accepted answers so far
    sa.Column("late_answers", sa.Integer, nullable=False),
)
sa.Index("ix_surveys_thread", surveys.c.tenant, surveys.c.thread_id)
sa.Index("ix_surveys_recipient", surveys.c.tenant, surveys.c.channel_kind, surveys.c.recipient)
survey_answers = sa.Table(
    "survey_answers",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),  # the message or page post
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("at", TS, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
)
