"""Tables of auto-assignment: teams, their members, the inboxes each takes, and the queue of
threads waiting for an agent (with the reason they wait). Migration 0010.

An inbox is a channel kind and an account id (``"*"``: every account of that kind). A team's
round-robin pointer is the agent it gave the last thread to; the next thread goes to the next
member after it (``unifier.domain.assignment``).
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata, threads

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("auto_assign", sa.Boolean, nullable=False),
    sa.Column("last_assigned", sa.String(64), nullable=True),  # the round-robin pointer
    sa.Column("created_at", TS, nullable=False),
)
team_members = sa.Table(
    "team_members",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("agent_id", sa.String(64), primary_key=True),
)
team_inboxes = sa.Table(
    "team_inboxes",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("channel_kind", sa.String(16), primary_key=True),
    sa.Column("account_id", sa.String(320), primary_key=True),  # "*": any account of the kind
)
assignment_queue = sa.Table(  # unassigned threads an auto-assign team could not place yet
    "assignment_queue",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),  # no_agent_online | all_at_capacity | …
    sa.Column("detail", sa.Text, nullable=False),  # the explanation shown to agents
    sa.Column("since", TS, nullable=False),
)

# What each round reads, without scanning closed or historical rows: the open unassigned
# threads (oldest activity first) and the open threads per assignee (loads, offline moves).
WAITING = {"sqlite": "open = 1 AND assignee IS NULL", "postgresql": "open AND assignee IS NULL"}
OPEN = {"sqlite": "open = 1", "postgresql": "open"}
sa.Index(
    "ix_threads_waiting",
    threads.c.tenant,
    threads.c.last_message_at,
    sqlite_where=sa.text(WAITING["sqlite"]),
    postgresql_where=sa.text(WAITING["postgresql"]),
)
sa.Index(
    "ix_threads_open_assignee",
    threads.c.tenant,
    threads.c.assignee,
    sqlite_where=sa.text(OPEN["sqlite"]),
    postgresql_where=sa.text(OPEN["postgresql"]),
)
