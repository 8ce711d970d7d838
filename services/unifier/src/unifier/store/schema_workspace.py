"""Tables of the agent workspace: labels, internal notes, the thread's activity (assignments,
merges, closes... with their reason), canned responses and what each agent has read.

Assignment and snooze live on ``threads`` (``assignee``, ``snoozed_until``). Migration 0009.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

labels = sa.Table(  # the tenant's label catalogue
    "labels",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("label", sa.String(64), primary_key=True),
    sa.Column("color", sa.String(16), nullable=True),
    sa.Column("created_at", TS, nullable=False),
)
thread_labels = sa.Table(
    "thread_labels",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("label", sa.String(64), primary_key=True),
)
sa.Index("ix_thread_labels_label", thread_labels.c.tenant, thread_labels.c.label)
notes = sa.Table(  # internal notes: agents only, never sent to the customer
    "thread_notes",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("note_id", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),  # agent id
    sa.Column("at", TS, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
sa.Index("ix_thread_notes_thread", notes.c.tenant, notes.c.thread_id, notes.c.at)
activity = sa.Table(  # system events shown in the thread: assigned, merged, split, closed, ...
    "thread_activity",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=True),  # agent id; NULL: the system (a rule)
    sa.Column("detail", sa.Text, nullable=False),  # JSON: reason, from/to, labels, ...
)
sa.Index("ix_thread_activity_thread", activity.c.tenant, activity.c.thread_id, activity.c.at)
canned = sa.Table(
    "canned_responses",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("canned_id", sa.String(64), primary_key=True),
    sa.Column("shortcut", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # {{contact.name}}, {{agent.name}}, ...
    sa.Column("updated_at", TS, nullable=False),
)
sa.Index("ix_canned_shortcut", canned.c.tenant, canned.c.shortcut, unique=True)
reads = sa.Table(  # unread = the thread's message_count - seen_count
    "thread_reads",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("agent_id", sa.String(64), primary_key=True),
    sa.Column("seen_count", sa.Integer, nullable=False),
    sa.Column("read_at", TS, nullable=False),
)
