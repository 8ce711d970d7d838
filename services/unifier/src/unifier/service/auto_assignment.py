"""One round of auto-assignment over every tenant's auto-assign teams: threads of an offline
agent (past the grace period) move on with reason ``agent_offline``; unassigned open threads
of the teams' inboxes (or escalated to a team), longest waiting first, go round robin to the
members who cover their needs (skills), are online and on shift and below capacity (in total
and for the channel kind); the rest wait, queued with the reason
(``unifier.domain.assignment`` and ``unifier.domain.routing`` decide, this applies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain import assignment as dom
from unifier.domain import routing
from unifier.service import routing as routing_config
from unifier.service.assignment import Why, assign, wait
from unifier.service.commands import CommandError
from unifier.store import assignment_rows as rows
from unifier.store import routing_rows, team_rows
from unifier.store.assignment_rows import AgentRow, ThreadSlot
from unifier.store.team_rows import TeamRow


@dataclass(frozen=True)
class Timing:
    online_s: float = 60.0  # seen this recently (a request, or the live stream's heartbeat)
    grace_s: float = 120.0  # offline this much longer before their threads move
    batch: int = 500  # threads looked at per tenant and round


Changed = list[tuple[str, str]]  # (tenant, thread id)


async def run_round(
    conn: AsyncConnection, now: datetime, local: Mapping[str, set[str]], timing: Timing
) -> Changed:
    """``local``: per tenant, the agents whose live stream is open on this instance."""
    changed: Changed = []
    for tenant, group in groupby(await team_rows.auto_teams(conn), key=lambda t: t.tenant):
        teams = list(group)
        changed += await _tenant_round(conn, tenant, teams, now, local.get(tenant, set()), timing)
    return changed


def online_of(
    agents: Sequence[AgentRow], local: set[str], now: datetime, online_s: float
) -> set[str]:
    """Enabled agents with a live stream open here (``local``) or seen within ``online_s``."""
    since = now - timedelta(seconds=online_s)
    return {
        a.agent_id
        for a in agents
        if not a.disabled
        and (a.agent_id in local or (a.last_seen_at is not None and a.last_seen_at >= since))
    }


def _gone(agents: Sequence[AgentRow], online: set[str], now: datetime, timing: Timing) -> list[str]:
    """Agents offline past the grace period."""
    at = now.timestamp()
    return [
        a.agent_id
        for a in agents
        if a.agent_id not in online
        and dom.offline_past_grace(
            a.last_seen_at.timestamp() if a.last_seen_at else None,
            at,
            timing.online_s,
            timing.grace_s,
        )
    ]


async def _tenant_round(
    conn: AsyncConnection,
    tenant: str,
    teams: list[TeamRow],
    now: datetime,
    local: set[str],
    timing: Timing,
) -> Changed:
    agents = await rows.agents_of(conn, tenant)
    online = online_of(agents, local, now, timing.online_s)
    inboxes = await team_rows.inboxes_of(conn, tenant, [t.team_id for t in teams])
    await routing_rows.drop_settled_routes(conn, tenant)
    kinds = sorted({k for _, k, _ in inboxes} | await routing_rows.routed_kinds(conn, tenant))
    if not kinds:
        return []
    await team_rows.drop_stale_queue(conn, tenant)
    slots = await _slots(conn, tenant, kinds, _gone(agents, online, now, timing), timing.batch)
    floor = await _floor(conn, tenant, teams, agents, (online, now))
    queue = await team_rows.queued_of(conn, tenant, [s.thread_id for s in slots if not s.assignee])
    teams_of = await routing_config.teams_of(conn, tenant, slots, inboxes)
    changed: Changed = []
    for team in teams:
        mine = [s for s in slots if teams_of.get(s.thread_id) == team.team_id]
        changed += await _team_round(conn, tenant, team, floor, (mine, queue))
    return changed


async def _slots(
    conn: AsyncConnection, tenant: str, kinds: list[str], gone: list[str], batch: int
) -> list[ThreadSlot]:
    """The threads to place: those of agents gone offline first, then the waiting ones."""
    moving = await rows.open_slots(conn, tenant, kinds, assignees=gone, limit=batch)
    waiting = await rows.open_slots(conn, tenant, kinds, assignees=None, limit=batch)
    return moving + routing.longest_waiting_first(waiting)


async def _floor(
    conn: AsyncConnection,
    tenant: str,
    teams: list[TeamRow],
    agents: Sequence[AgentRow],
    seen: tuple[set[str], datetime],
) -> dom.Floor:
    """``seen``: who is online, and now (for working hours)."""
    online, now = seen
    members = sorted({m for t in teams for m in t.members})
    configured = await routing_rows.agent_routing_of(conn, tenant)
    return dom.Floor(
        frozenset(online),
        await rows.loads(conn, tenant, members),
        {a.agent_id: a.capacity for a in agents},
        {a.agent_id: a.name for a in agents},
        skills=routing_config.floor_skills(configured),
        limits={a: r.limits for a, r in configured.items()},
        kind_loads=await routing_rows.kind_loads(conn, tenant, members),
        on_shift=routing_config.on_shift_now(configured, members, now),
    )


async def _team_round(
    conn: AsyncConnection,
    tenant: str,
    row: TeamRow,
    floor: dom.Floor,
    work: tuple[list[ThreadSlot], dict[str, tuple[str, str]]],
) -> Changed:
    """``work``: the team's threads (an offline agent's, then waiting ones) and the queue."""
    team = dom.Team(row.team_id, row.name, row.members, row.pointer)
    slots, queue = work
    changed: Changed = []
    for slot in slots:
        reason = dom.ROUND_ROBIN if slot.assignee is None else dom.AGENT_OFFLINE
        [chosen], team = dom.place(team, floor, 1, reason, routing_config.needs(slot))
        if await _apply(conn, tenant, row, slot, (chosen, queue.get(slot.thread_id))):
            changed.append((tenant, slot.thread_id))
    if team.pointer != row.pointer and team.pointer is not None:
        await team_rows.set_pointer(conn, tenant, row.team_id, team.pointer)
    return changed


async def _apply(
    conn: AsyncConnection,
    tenant: str,
    team: TeamRow,
    slot: ThreadSlot,
    decided: tuple[dom.Pick, tuple[str, str] | None],
) -> bool:
    """Assign, move or queue one thread (``decided``: the pick and its queue entry); True when
    something an agent sees changed."""
    chosen, before = decided
    moving = slot.assignee is not None
    waits = (team.team_id, team.name), (chosen.reason, chosen.explanation)
    if chosen.assignee is None and not moving:
        return await wait(conn, tenant, slot.thread_id, *waits, before=before)
    reason = dom.AGENT_OFFLINE if moving else chosen.reason
    why = Why(reason, team.team_id, team.name, chosen.explanation)
    try:
        await assign(
            conn,
            tenant,
            slot.thread_id,
            None,
            assignee=chosen.assignee,
            why=why,
            expect=slot.assignee,
        )
    except CommandError:  # an agent assigned it since this round looked: theirs stands
        return False
    if chosen.assignee is None:
        await wait(conn, tenant, slot.thread_id, *waits)
    return True
