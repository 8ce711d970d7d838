"""Tables of routing and escalation (migration 0019): an agent's skills, concurrent limits per
channel kind and working hours; a team's required skills and where its conversations escalate;
the team a conversation was escalated to (it overrides its inbox's team); and the escalations
done, by the id of the event that caused them (an SLA warning escalates once).

Skill sets and limits are JSON (``["fr", "de"]``, ``{"chat": 3, "voice": 1}``); hours are a
calendar spec (``{"timezone": "Europe/Paris", "week": {"mon": ["09:00-17:00"]}}``, the format
of ``hotline.calendars`` files without iCal), null: always on shift.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import TS, metadata

S64 = sa.String(64)

agent_routing = sa.Table(
    "agent_routing",
    metadata,
    sa.Column("tenant", S64, primary_key=True),
    sa.Column("agent_id", S64, primary_key=True),
    sa.Column("languages", sa.Text, nullable=False),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("channels", sa.Text, nullable=False),
    sa.Column("limits", sa.Text, nullable=False),
    sa.Column("hours", sa.Text, nullable=True),
)
team_routing = sa.Table(
    "team_routing",
    metadata,
    sa.Column("tenant", S64, primary_key=True),
    sa.Column("team_id", S64, primary_key=True),
    sa.Column("languages", sa.Text, nullable=False),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("channels", sa.Text, nullable=False),
    sa.Column("escalate_team", S64, nullable=True),  # re-queued in that team
    sa.Column("escalate_agent", S64, nullable=True),  # a supervisor: assigned to them
)
thread_routes = sa.Table(  # a conversation escalated to a team waits in that team's queue
    "thread_routes",
    metadata,
    sa.Column("tenant", S64, primary_key=True),
    sa.Column("thread_id", S64, primary_key=True),
    sa.Column("team_id", S64, nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("at", TS, nullable=False),
)
escalations = sa.Table(
    "escalations",
    metadata,
    sa.Column("tenant", S64, primary_key=True),
    sa.Column("cause_id", S64, primary_key=True),  # the SLA event's id
    sa.Column("thread_id", S64, nullable=False),
    sa.Column("event_id", S64, nullable=False),  # the conversation.escalated.v1 written
    sa.Column("at", TS, nullable=False),
)
