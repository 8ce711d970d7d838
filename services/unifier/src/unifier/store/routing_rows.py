"""The rows of routing: agents' skills, limits and hours, teams' required skills and escalation
targets, open threads per agent and channel kind, the team a thread was escalated to, and the
escalations done by cause (``schema_routing``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore, upsert, when
from unifier.store.schema import threads
from unifier.store.schema_assignment import assignment_queue
from unifier.store.schema_routing import agent_routing, escalations, team_routing, thread_routes

_t = threads.c
SkillLists = tuple[list[str], list[str], list[str]]  # languages, categories, channels


class AgentRouting(NamedTuple):
    agent_id: str
    skills: SkillLists
    limits: dict[str, int]
    hours: dict[str, Any] | None  # a calendar spec; None: always on shift


class TeamRouting(NamedTuple):
    team_id: str
    requires: SkillLists
    escalate_team: str | None
    escalate_agent: str | None


def _skills(r: Any) -> SkillLists:
    return json.loads(r.languages), json.loads(r.categories), json.loads(r.channels)


def _skill_values(skills: SkillLists) -> dict[str, str]:
    names = ("languages", "categories", "channels")
    return {n: json.dumps(sorted(set(v))) for n, v in zip(names, skills, strict=True)}


async def agent_routing_of(conn: AsyncConnection, tenant: str) -> dict[str, AgentRouting]:
    c = agent_routing.c
    q = sa.select(agent_routing).where(c.tenant == tenant).order_by(c.agent_id)
    return {
        r.agent_id: AgentRouting(
            r.agent_id,
            _skills(r),
            json.loads(r.limits),
            None if r.hours is None else json.loads(r.hours),
        )
        for r in await conn.execute(q)
    }


async def put_agent_routing(conn: AsyncConnection, tenant: str, row: AgentRouting) -> None:
    values = {
        "tenant": tenant,
        "agent_id": row.agent_id,
        **_skill_values(row.skills),
        "limits": json.dumps(row.limits, sort_keys=True),
        "hours": None if row.hours is None else json.dumps(row.hours, sort_keys=True),
    }
    await upsert(
        conn, agent_routing, [values], [k for k in values if k not in ("tenant", "agent_id")]
    )


async def team_routing_of(conn: AsyncConnection, tenant: str) -> dict[str, TeamRouting]:
    c = team_routing.c
    q = sa.select(team_routing).where(c.tenant == tenant).order_by(c.team_id)
    return {
        r.team_id: TeamRouting(r.team_id, _skills(r), r.escalate_team, r.escalate_agent)
        for r in await conn.execute(q)
    }


async def put_team_routing(conn: AsyncConnection, tenant: str, row: TeamRouting) -> None:
    values = {
        "tenant": tenant,
        "team_id": row.team_id,
        **_skill_values(row.requires),
        "escalate_team": row.escalate_team,
        "escalate_agent": row.escalate_agent,
    }
    await upsert(
        conn, team_routing, [values], [k for k in values if k not in ("tenant", "team_id")]
    )


async def kind_loads(
    conn: AsyncConnection, tenant: str, agent_ids: Sequence[str]
) -> dict[tuple[str, str], int]:
    """Open threads held per (agent, channel kind)."""
    q = (
        sa.select(_t.assignee, _t.channel_kind, sa.func.count())
        .where(_t.tenant == tenant, _t.open, _t.assignee.in_(list(agent_ids)))
        .group_by(_t.assignee, _t.channel_kind)
    )
    return {(r[0], r[1]): int(r[2]) for r in await conn.execute(q)}


async def routes_of(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, str]:
    """thread id -> the team it was escalated to, for those of ``tids`` that were."""
    c = thread_routes.c
    q = sa.select(c.thread_id, c.team_id).where(c.tenant == tenant, c.thread_id.in_(list(tids)))
    return {r.thread_id: r.team_id for r in await conn.execute(q)}


async def set_route(
    conn: AsyncConnection, tenant: str, tid: str, team_id: str, reason: str, at: datetime
) -> None:
    row = {"tenant": tenant, "thread_id": tid, "team_id": team_id, "reason": reason, "at": at}
    await upsert(conn, thread_routes, [row], ["team_id", "reason", "at"])


async def escalated(conn: AsyncConnection, tenant: str, cause_id: str) -> bool:
    c = escalations.c
    q = sa.select(c.event_id).where(c.tenant == tenant, c.cause_id == cause_id)
    return (await conn.execute(q)).first() is not None


async def add_escalation(
    conn: AsyncConnection, tenant: str, cause_id: str, tid: str, event_id: str, at: datetime
) -> None:
    row = {"tenant": tenant, "cause_id": cause_id, "thread_id": tid, "event_id": event_id}
    await insert_ignore(conn, escalations, [{**row, "at": at}])


class QueuedRow(NamedTuple):
    team_id: str
    thread_id: str
    reason: str
    explanation: str
    since: datetime
    subject: str
    channel_kind: str
    language: str | None
    category: str | None
    contact_id: str


async def queues_of(conn: AsyncConnection, tenant: str, limit: int = 500) -> list[QueuedRow]:
    """The tenant's waiting conversations, per team longest waiting first."""
    q_ = assignment_queue.c
    q = (
        sa.select(q_.team_id, q_.thread_id, q_.reason, q_.detail, q_.since)
        .add_columns(_t.subject, _t.channel_kind, _t.language, _t.category, _t.contact_id)
        .join(threads, (_t.tenant == q_.tenant) & (_t.thread_id == q_.thread_id))
        .where(q_.tenant == tenant, _t.open, _t.assignee.is_(None))
        .order_by(q_.team_id, q_.since, q_.thread_id)
        .limit(limit)
    )
    return [
        QueuedRow(r[0], r[1], r[2], r[3], when(r[4]), r[5] or "", r[6], r[7], r[8], r[9])
        for r in await conn.execute(q)
    ]


async def drop_settled_routes(conn: AsyncConnection, tenant: str) -> None:
    """Forget the escalation team of threads since closed or merged away (a reopened one is
    routed afresh). Read first, as ``team_rows.drop_stale_queue`` does."""
    c = thread_routes.c
    settled = sa.select(c.thread_id).where(
        c.tenant == tenant,
        _t.tenant == c.tenant,
        _t.thread_id == c.thread_id,
        sa.or_(_t.open.is_(False), _t.merged_into.is_not(None)),
    )
    stale = list((await conn.execute(settled)).scalars())
    if stale:
        await conn.execute(thread_routes.delete().where(c.tenant == tenant, c.thread_id.in_(stale)))


async def routed_kinds(conn: AsyncConnection, tenant: str) -> set[str]:
    """The channel kinds of the open threads escalated to a team (a round loads them even when
    no team's inbox is of that kind)."""
    c = thread_routes.c
    q = (
        sa.select(_t.channel_kind)
        .distinct()
        .where(c.tenant == tenant, _t.tenant == c.tenant, _t.thread_id == c.thread_id, _t.open)
    )
    return set((await conn.execute(q)).scalars())
