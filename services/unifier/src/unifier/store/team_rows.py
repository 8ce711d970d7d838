"""The rows of teams: a team with its members and the inboxes it takes, its round-robin
pointer, and the queue of threads waiting for one of its agents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import upsert
from unifier.store.schema import threads
from unifier.store.schema_assignment import assignment_queue, team_inboxes, team_members, teams

_t, _q = threads.c, assignment_queue.c


class TeamRow(NamedTuple):
    tenant: str
    team_id: str
    name: str
    pointer: str | None
    members: tuple[str, ...]


async def auto_teams(conn: AsyncConnection) -> list[TeamRow]:
    """Every tenant's auto-assign teams with their members (agent-id order)."""
    t, m = teams.c, team_members.c
    q = (
        sa.select(t.tenant, t.team_id, t.name, t.last_assigned, m.agent_id)
        .select_from(
            teams.outerjoin(team_members, (m.tenant == t.tenant) & (m.team_id == t.team_id))
        )
        .where(t.auto_assign.is_(True))
        .order_by(t.tenant, t.team_id, m.agent_id)
    )
    out: dict[tuple[str, str], TeamRow] = {}
    for r in await conn.execute(q):
        key = (r.tenant, r.team_id)
        row = out.get(key) or TeamRow(r.tenant, r.team_id, r.name, r.last_assigned, ())
        extra = (r.agent_id,) if r.agent_id is not None else ()
        out[key] = row._replace(members=row.members + extra)
    return list(out.values())


async def inboxes_of(
    conn: AsyncConnection, tenant: str, team_ids: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(team id, channel kind, account or "*") of the given teams."""
    c = team_inboxes.c
    q = sa.select(c.team_id, c.channel_kind, c.account_id).where(
        c.tenant == tenant, c.team_id.in_(list(team_ids))
    )
    return [(r.team_id, r.channel_kind, r.account_id) for r in await conn.execute(q)]


async def set_pointer(conn: AsyncConnection, tenant: str, team_id: str, agent_id: str) -> None:
    t = teams.c
    await conn.execute(
        teams.update()
        .where(t.tenant == tenant, t.team_id == team_id)
        .values(last_assigned=agent_id)
    )


async def queued(conn: AsyncConnection, tenant: str, tid: str) -> tuple[str, str] | None:
    """(reason, explanation) of a waiting thread."""
    q = sa.select(_q.reason, _q.detail).where(_q.tenant == tenant, _q.thread_id == tid)
    row = (await conn.execute(q)).first()
    return None if row is None else (row.reason, row.detail)


async def enqueue(
    conn: AsyncConnection, tenant: str, tid: str, team_id: str, why: tuple[str, str], at: datetime
) -> None:
    row = {"tenant": tenant, "thread_id": tid, "team_id": team_id, "since": at}
    await upsert(
        conn, assignment_queue, [{**row, "reason": why[0], "detail": why[1]}], ["reason", "detail"]
    )


async def drop_stale_queue(conn: AsyncConnection, tenant: str) -> None:
    """Forget the waiting of threads since closed or assigned (by an agent, or merged away).
    Read first: a DELETE would take SQLite's write lock every round even with nothing to do."""
    settled = sa.select(_q.thread_id).where(
        _q.tenant == tenant,
        _t.tenant == _q.tenant,
        _t.thread_id == _q.thread_id,
        sa.or_(_t.open.is_(False), _t.assignee.is_not(None), _t.merged_into.is_not(None)),
    )
    stale = list((await conn.execute(settled)).scalars())
    if stale:
        await conn.execute(
            assignment_queue.delete().where(_q.tenant == tenant, _q.thread_id.in_(stale))
        )


async def queued_of(
    conn: AsyncConnection, tenant: str, tids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """thread id -> (reason, explanation) of those of ``tids`` that wait."""
    q = sa.select(_q.thread_id, _q.reason, _q.detail).where(
        _q.tenant == tenant, _q.thread_id.in_(list(tids))
    )
    return {r.thread_id: (r.reason, r.detail) for r in await conn.execute(q)}


async def dequeue(conn: AsyncConnection, tenant: str, tid: str) -> None:
    await conn.execute(assignment_queue.delete().where(_q.tenant == tenant, _q.thread_id == tid))


async def put_team(
    conn: AsyncConnection,
    tenant: str,
    team: tuple[str, str, bool],
    members: Sequence[str],
    inboxes: Sequence[tuple[str, str]],
    at: datetime,
) -> None:
    """Create or replace a team's name, auto-assign flag, members and inboxes (its pointer
    stays)."""
    tid, name, auto = team
    row = {"tenant": tenant, "team_id": tid, "name": name, "auto_assign": auto, "created_at": at}
    await upsert(conn, teams, [row], ["name", "auto_assign"])
    for table in (team_members, team_inboxes):
        await conn.execute(table.delete().where(table.c.tenant == tenant, table.c.team_id == tid))
    for a in sorted(set(members)):
        await conn.execute(sa.insert(team_members).values(tenant=tenant, team_id=tid, agent_id=a))
    for kind, account in sorted(set(inboxes)):
        values = {"tenant": tenant, "team_id": tid, "channel_kind": kind, "account_id": account}
        await conn.execute(sa.insert(team_inboxes).values(**values))


async def teams_of(conn: AsyncConnection, tenant: str) -> list[dict[str, object]]:
    """The tenant's teams with members and inboxes, by team id."""
    t, m, i = teams.c, team_members.c, team_inboxes.c
    members: dict[str, list[str]] = {}
    for tid, agent in await conn.execute(
        sa.select(m.team_id, m.agent_id).where(m.tenant == tenant)
    ):
        members.setdefault(tid, []).append(agent)
    inboxes: dict[str, list[dict[str, str]]] = {}
    q = sa.select(i.team_id, i.channel_kind, i.account_id).where(i.tenant == tenant)
    for tid, kind, account in await conn.execute(q):
        inboxes.setdefault(tid, []).append({"channel_kind": kind, "account_id": account})
    q = sa.select(t.team_id, t.name, t.auto_assign, t.last_assigned).where(t.tenant == tenant)
    return [
        {
            "team_id": r.team_id,
            "name": r.name,
            "auto_assign": bool(r.auto_assign),
            "last_assigned": r.last_assigned,
            "members": sorted(members.get(r.team_id, [])),
            "inboxes": inboxes.get(r.team_id, []),
        }
        for r in await conn.execute(q.order_by(t.team_id))
    ]


async def queued_team(conn: AsyncConnection, tenant: str, tid: str) -> str | None:
    """The team whose queue a thread waits in."""
    q = sa.select(_q.team_id).where(_q.tenant == tenant, _q.thread_id == tid)
    found: str | None = (await conn.execute(q)).scalar_one_or_none()
    return found
