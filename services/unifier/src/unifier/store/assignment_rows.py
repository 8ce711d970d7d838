"""The rows assignment reads and writes: agents (who exists, capacity, last seen), a thread's
assignee and activity, open threads by inbox and assignee, loads (teams: ``team_rows``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import when
from unifier.store.schema import messages, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_assignment import assignment_queue
from unifier.store.schema_workspace import activity

_a, _t, _m = agents.c, threads.c, messages.c


class AgentRow(NamedTuple):
    agent_id: str
    name: str
    capacity: int
    disabled: bool
    last_seen_at: datetime | None


class ThreadSlot(NamedTuple):
    """An open thread as assignment sees it: its inbox, its assignee, what triage found (its
    needs) and since when it waits (in the queue, else its last message)."""

    thread_id: str
    channel_kind: str
    account_id: str
    assignee: str | None
    language: str | None
    category: str | None
    waiting_since: datetime


def _agent(r: Any) -> AgentRow:
    seen = None if r.last_seen_at is None else when(r.last_seen_at)
    return AgentRow(r.agent_id, r.name, r.capacity, r.disabled_at is not None, seen)


_AGENT_COLS = (_a.agent_id, _a.name, _a.capacity, _a.disabled_at, _a.last_seen_at)


async def agents_of(conn: AsyncConnection, tenant: str) -> list[AgentRow]:
    q = sa.select(*_AGENT_COLS).where(_a.tenant == tenant).order_by(_a.name, _a.agent_id)
    return [_agent(r) for r in await conn.execute(q)]


async def agent(conn: AsyncConnection, tenant: str, agent_id: str) -> AgentRow | None:
    q = sa.select(*_AGENT_COLS).where(_a.tenant == tenant, _a.agent_id == agent_id)
    row = (await conn.execute(q)).first()
    return None if row is None else _agent(row)


async def add_agent(
    conn: AsyncConnection, tenant: str, agent_id: str, at: datetime, *, capacity: int = 10
) -> None:
    """An agent row without a password (nobody can sign in with it): tests and dev seeds."""
    values = {"tenant": tenant, "agent_id": agent_id, "name": agent_id, "role": "agent"}
    email = f"{agent_id}@{tenant}.agents.invalid"
    await conn.execute(
        sa.insert(agents).values(
            **values, email=email, password_hash="!", capacity=capacity, created_at=at
        )
    )


async def touch_agent(conn: AsyncConnection, tenant: str, agent_id: str, at: datetime) -> None:
    await conn.execute(
        agents.update().where(_a.tenant == tenant, _a.agent_id == agent_id).values(last_seen_at=at)
    )


async def seen_since(conn: AsyncConnection, tenant: str, since: datetime) -> set[str]:
    """The tenant's enabled agents seen at or after ``since``."""
    q = sa.select(_a.agent_id).where(
        _a.tenant == tenant, _a.disabled_at.is_(None), _a.last_seen_at >= since
    )
    return set((await conn.execute(q)).scalars())


async def thread_assignee(
    conn: AsyncConnection, tenant: str, tid: str, *, lock: bool = False
) -> tuple[str | None] | None:
    """None: no such thread; else a 1-tuple of its assignee. ``lock``: hold the row until the
    transaction ends (PostgreSQL), so a concurrent assignment waits and then sees this one's."""
    q = sa.select(_t.assignee).where(_t.tenant == tenant, _t.thread_id == tid)
    q = q.with_for_update() if lock else q
    row = (await conn.execute(q)).first()
    return None if row is None else (row.assignee,)


async def set_assignee(conn: AsyncConnection, tenant: str, tid: str, who: str | None) -> None:
    await conn.execute(
        threads.update().where(_t.tenant == tenant, _t.thread_id == tid).values(assignee=who)
    )


async def add_activity(
    conn: AsyncConnection,
    tenant: str,
    tid: str,
    kind: str,
    actor: str | None,
    detail: Mapping[str, Any],
    at: datetime,
) -> None:
    row = {"tenant": tenant, "activity_id": str(uuid.uuid4()), "thread_id": tid, "at": at}
    detail_json = json.dumps(dict(detail), sort_keys=True)
    await conn.execute(
        sa.insert(activity).values(**row, kind=kind, actor=actor, detail=detail_json)
    )


async def activity_of(conn: AsyncConnection, tenant: str, tid: str) -> list[dict[str, Any]]:
    c = activity.c
    q = (
        sa.select(c.kind, c.actor, c.detail, c.at)
        .where(c.tenant == tenant, c.thread_id == tid)
        .order_by(c.at, c.activity_id)
    )
    return [
        {"kind": r.kind, "actor": r.actor, "detail": json.loads(r.detail), "at": when(r.at)}
        for r in await conn.execute(q)
    ]


def first_account() -> sa.ScalarSelect[Any]:
    """The account the thread's first message came in on (its inbox)."""
    return (
        sa.select(_m.account_id)
        .where(_m.tenant == _t.tenant, _m.thread_id == _t.thread_id)
        .order_by(_m.at)
        .limit(1)
        .scalar_subquery()
    )


async def open_slots(
    conn: AsyncConnection,
    tenant: str,
    kinds: Sequence[str],
    *,
    assignees: Sequence[str] | None,
    limit: int,
) -> list[ThreadSlot]:
    """Open threads of the channel kinds, longest waiting first (in the queue since, else
    their last message): unassigned ones when ``assignees`` is None, else those assigned to
    one of ``assignees``."""
    q_ = assignment_queue.c
    who = _t.assignee.is_(None) if assignees is None else _t.assignee.in_(list(assignees))
    since = sa.func.coalesce(q_.since, _t.last_message_at).label("since")
    queue = (q_.tenant == _t.tenant) & (q_.thread_id == _t.thread_id)
    q = (
        sa.select(_t.thread_id, _t.channel_kind, first_account().label("account"), _t.assignee)
        .add_columns(_t.language, _t.category, since)
        .select_from(threads.outerjoin(assignment_queue, queue))
        .where(_t.tenant == tenant, _t.open, _t.merged_into.is_(None), who)
        .where(_t.channel_kind.in_(list(kinds)))
        .order_by(since, _t.thread_id)
        .limit(limit)
    )
    return [
        ThreadSlot(r[0], r[1], r[2] or "", r[3], r[4], r[5], when(r[6]))
        for r in await conn.execute(q)
    ]


async def loads(conn: AsyncConnection, tenant: str, agent_ids: Sequence[str]) -> dict[str, int]:
    """Open threads held per agent (per channel kind: ``routing_rows.kind_loads``)."""
    q = (
        sa.select(_t.assignee, sa.func.count())
        .where(_t.tenant == tenant, _t.open, _t.assignee.in_(list(agent_ids)))
        .group_by(_t.assignee)
    )
    return {r[0]: int(r[1]) for r in await conn.execute(q)}


async def thread_slot(conn: AsyncConnection, tenant: str, tid: str) -> ThreadSlot | None:
    """An open thread as assignment sees it (None: no such open thread)."""
    q = (
        sa.select(_t.thread_id, _t.channel_kind, first_account(), _t.assignee)
        .add_columns(_t.language, _t.category, _t.last_message_at)
        .where(_t.tenant == tenant, _t.thread_id == tid, _t.open, _t.merged_into.is_(None))
    )
    r = (await conn.execute(q)).first()
    return None if r is None else ThreadSlot(r[0], r[1], r[2] or "", r[3], r[4], r[5], when(r[6]))
