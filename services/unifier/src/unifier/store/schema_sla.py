"""Tables of SLA (``unifier.domain.sla``): the tenant's calendars and ordered policies, which
calendar a team keeps, each conversation's cycles (the policy in force when each began) and
clocks (state, due and warning times, the events already emitted). Migration 0017.

On ``threads``: ``waiting_since`` (an agent set "waiting on the customer": a pause fact),
``sla_due_at`` (the earliest due time of a running clock: the inbox sorts by it),
``sla_status`` (the badge) and ``sla_next_at`` (when the scheduler looks at the thread next).
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata, threads

sla_calendars = sa.Table(  # a calendar's spec: hotline.calendars file keys, as JSON
    "sla_calendars",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Column("ical", sa.Text, nullable=True),  # an imported iCal file, as sent (migration 0022)
    sa.Column("ical_closures", sa.Text, nullable=True),  # JSON: the dates and hours it closes
)
sla_team_calendars = sa.Table(  # a team's own calendar (else the tenant's "default")
    "sla_team_calendars",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("calendar", sa.String(64), nullable=False),
)
sla_policies = sa.Table(  # ordered by position: the first match wins
    "sla_policies",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("spec", sa.Text, nullable=False),  # JSON: targets, hours, warn_at, match
    sa.Column("updated_at", TS, nullable=False),
)
sla_cycles = sa.Table(  # the policy a cycle began under (a later policy change keeps it)
    "sla_cycles",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("spec", sa.Text, nullable=False),  # the policy's JSON then ("" for none)
    sa.Column("started_at", TS, nullable=False),
)
sla_clocks = sa.Table(
    "sla_clocks",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("target", sa.String(16), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # running|paused|fulfilled|breached|stopped
    sa.Column("started_at", TS, nullable=False),
    sa.Column("due_at", TS, nullable=True),
    sa.Column("warn_at", TS, nullable=True),
    sa.Column("warned_at", TS, nullable=True),
    sa.Column("ended_at", TS, nullable=True),
    sa.Column("emitted", sa.String(64), nullable=False),  # "warning,breached": events sent
    sa.Column("updated_at", TS, nullable=False),
)
NEXT = "sla_next_at IS NOT NULL"
sa.Index(  # the scheduler's pick: threads whose next threshold has come, across tenants
    "ix_threads_sla_next",
    threads.c.sla_next_at,
    sqlite_where=sa.text(NEXT),
    postgresql_where=sa.text(NEXT),
)
DUE = "sla_due_at IS NOT NULL"  # only threads with a running clock (migration 0023)
sa.Index(
    "ix_threads_sla_due",
    threads.c.tenant,
    threads.c.sla_due_at,
    sqlite_where=sa.text(DUE),
    postgresql_where=sa.text(DUE),
)
