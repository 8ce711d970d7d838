"""The queue views: per team, the conversations waiting for one of its agents (longest waiting
first, how long and why) and its members with their load against their capacity (in total and
per channel kind), whether they are online and on shift, and their skills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service import routing as routing_config
from unifier.store import assignment_rows, names, routing_rows, team_rows
from unifier.store.routing_rows import QueuedRow


@dataclass(frozen=True)
class Waiting:
    row: QueuedRow
    wait_s: int  # seconds waited by now
    contact: str  # the customer's name as the inbox shows it


@dataclass(frozen=True)
class Member:
    agent_id: str
    name: str
    online: bool
    on_shift: bool
    load: int
    capacity: int
    kinds: list[tuple[str, int, int | None]]  # channel kind, open conversations, limit
    skills: list[str]  # "fr", "billing", "whatsapp": what the agent names (empty: any)


@dataclass(frozen=True)
class Queue:
    team_id: str
    name: str
    waiting: list[Waiting]
    members: list[Member]


async def board(conn: AsyncConnection, tenant: str, online: set[str], now: datetime) -> list[Queue]:
    teams = await team_rows.teams_of(conn, tenant)
    queued = await routing_rows.queues_of(conn, tenant)
    named: list[dict[str, Any]] = [{"contact_id": q.contact_id} for q in queued]
    await names.add_contact_names(conn, tenant, named)
    contacts = [str(n["contact_name"]) for n in named]
    members = await _members(conn, tenant, online, now)
    return [
        Queue(
            str(t["team_id"]),
            str(t["name"]),
            [
                Waiting(q, max(0, int((now - q.since).total_seconds())), contact)
                for q, contact in zip(queued, contacts, strict=True)
                if q.team_id == t["team_id"]
            ],
            [members[a] for a in _ids(t["members"]) if a in members],
        )
        for t in teams
    ]


def _ids(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


async def _members(
    conn: AsyncConnection, tenant: str, online: set[str], now: datetime
) -> dict[str, Member]:
    agents = await assignment_rows.agents_of(conn, tenant)
    ids = [a.agent_id for a in agents]
    loads = await assignment_rows.loads(conn, tenant, ids)
    by_kind = await routing_rows.kind_loads(conn, tenant, ids)
    configured = await routing_rows.agent_routing_of(conn, tenant)
    shift = routing_config.on_shift_now(configured, ids, now)
    out: dict[str, Member] = {}
    for a in agents:
        row = configured.get(a.agent_id)
        limits = row.limits if row else {}
        kinds = sorted({k for (who, k) in by_kind if who == a.agent_id} | set(limits))
        out[a.agent_id] = Member(
            a.agent_id,
            a.name,
            a.agent_id in online,
            a.agent_id in shift,
            loads.get(a.agent_id, 0),
            a.capacity,
            [(k, by_kind.get((a.agent_id, k), 0), limits.get(k)) for k in kinds],
            [v for values in row.skills for v in values] if row else [],
        )
    return out
