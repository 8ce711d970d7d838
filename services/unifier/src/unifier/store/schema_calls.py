"""Calls: one record per call, folded from its events (``unifier.domain.calls``). Migration 0015.

The call's item in the thread is a ``messages`` row keyed (channel kind, call id) whose thread
is the call's (merges and splits move it like any message); this table holds what the call
was. Lists (recordings, transcripts) and the voicemail are JSON, as in ``hotline.unified``.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

calls = sa.Table(
    "calls",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("call_id", sa.String(512), primary_key=True),  # the provider's call id
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("account_id", sa.String(320), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),  # the call's item in its thread
    sa.Column("direction", sa.String(8), nullable=False),  # inbound | outbound
    sa.Column("caller", sa.String(320), nullable=False),  # the customer's number
    sa.Column("line", sa.String(320), nullable=False),  # our number, extension or queue
    sa.Column("status", sa.String(16), nullable=False),  # ringing | answered | ended
    sa.Column("outcome", sa.String(16), nullable=True),  # hotline.events.CallOutcome
    sa.Column("started_at", TS, nullable=True),
    sa.Column("answered_at", TS, nullable=True),
    sa.Column("ended_at", TS, nullable=True),
    sa.Column("answered_by", sa.String(320), nullable=True),
    sa.Column("duration_s", sa.Integer, nullable=True),
    sa.Column("talk_s", sa.Integer, nullable=True),
    sa.Column("wait_s", sa.Integer, nullable=True),
    sa.Column("cause", sa.String(200), nullable=True),
    sa.Column("queue", sa.String(200), nullable=True),
    sa.Column("ivr_selection", sa.String(200), nullable=True),
    sa.Column("recordings", sa.Text, nullable=False),  # JSON list of CallRecordingInfo
    sa.Column("transcripts", sa.Text, nullable=False),  # JSON list of CallTranscriptInfo
    sa.Column("voicemail", sa.Text, nullable=True),  # JSON CallVoicemailInfo
    sa.Column("needs_callback", sa.Boolean, nullable=False),
)
sa.Index("ix_calls_message", calls.c.tenant, calls.c.message_id)
sa.Index("ix_calls_started", calls.c.tenant, calls.c.started_at)  # the report's calls (0021)
