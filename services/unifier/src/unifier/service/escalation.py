"""Escalation when an SLA warning fires. The warning's SLA policy (the copy its cycle began
under) may name the target (``escalation``: a team and/or a supervisor); else the
conversation's team (the team it was escalated to, else the team that queued it, else its
inbox's team) says where it goes. A target team: the conversation is taken from its assignee
and waits in that team's queue (the next round offers it to that team's members, as routing
says); a supervisor: it is assigned to them. Each escalation is a ``conversation.escalated.v1``
through the outbox, with the warning as its cause and the reason (the policy, the clock, which
configuration named the target), and an activity row; its id is a pure function of the
warning's, and the warning is recorded as escalated in the same transaction, so a repeat of
the warning does nothing.

A conversation that is closed, merged away or unknown, or for which neither its policy nor its
team names a target, is not escalated (nothing is written). A supervisor who is no longer an
enabled agent is not assigned, and a team that no longer exists gets nothing queued (the event
says so; the other target, if any, still applies): the caller's transaction (the SLA
scheduler's) never fails on a stale policy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain import routing
from unifier.domain.sla_events import SlaEvent
from unifier.service.assignment import Why, assign
from unifier.service.routing import needs
from unifier.service.sla_specs import decode
from unifier.store import assignment_rows, routing_rows, sla_rows, team_rows
from unifier.store.assignment_rows import ThreadSlot
from unifier.store.write import write_outbox

ESCALATED = "escalated"  # the reason of the queue entry and of the assignment
SLA_WARNING = "sla.warning"


class Route(NamedTuple):
    """Where an escalation goes, and which configuration said so (``sla_policy``, ``team``)."""

    from_team: str | None
    team: str | None
    supervisor: str | None
    by: str


async def escalate_on_warning(conn: AsyncConnection, tenant: str, warning: SlaEvent) -> None:
    """Escalate ``warning``'s conversation as its policy or team says, once per warning."""
    if warning.kind != SLA_WARNING or await routing_rows.escalated(conn, tenant, warning.event_id):
        return
    slot = await assignment_rows.thread_slot(conn, tenant, warning.conversation)
    if slot is None:
        return
    route = await _route(conn, tenant, slot, warning)
    if route is None:
        return
    said = "the SLA policy" if route.by == "sla_policy" else f"team {route.from_team}"
    detail = (
        f"{warning.target} warning of SLA policy {warning.policy} at {warning.at.isoformat()}"
        f"; target named by {said}"
    )
    route, detail = await _checked(conn, tenant, route, detail)
    await _apply(conn, tenant, slot, route, detail)
    await _record(conn, tenant, (slot, route), warning, detail)


async def _route(
    conn: AsyncConnection, tenant: str, slot: ThreadSlot, warning: SlaEvent
) -> Route | None:
    team = await _team_of(conn, tenant, slot)
    cycles = await sla_rows.cycles(conn, tenant, [slot.thread_id])
    spec = cycles.get(slot.thread_id, {}).get(warning.cycle)
    named = decode(spec).escalation if spec else None
    if named is not None and (named.team_id or named.supervisor):
        return Route(team, named.team_id, named.supervisor, "sla_policy")
    policy = (await routing_rows.team_routing_of(conn, tenant)).get(team or "")
    if policy is None or not (policy.escalate_team or policy.escalate_agent):
        return None
    return Route(policy.team_id, policy.escalate_team, policy.escalate_agent, "team")


async def _checked(
    conn: AsyncConnection, tenant: str, route: Route, detail: str
) -> tuple[Route, str]:
    """``route`` without a target that no longer exists, and ``detail`` saying so."""
    supervisor, team = route.supervisor, route.team
    if supervisor is not None and not await _assignable(conn, tenant, supervisor):
        detail += f"; supervisor {supervisor} cannot be assigned (unknown or disabled)"
        route = route._replace(supervisor=None)
    teams = {str(t["team_id"]) for t in await team_rows.teams_of(conn, tenant)}
    if team is not None and team not in teams:
        detail += f"; team {team} is not a team (removed?): nothing queued"
        route = route._replace(team=None)
    return route, detail


async def _assignable(conn: AsyncConnection, tenant: str, agent_id: str) -> bool:
    found = await assignment_rows.agent(conn, tenant, agent_id)
    return found is not None and not found.disabled


async def _team_of(conn: AsyncConnection, tenant: str, slot: ThreadSlot) -> str | None:
    routed = await routing_rows.routes_of(conn, tenant, [slot.thread_id])
    if slot.thread_id in routed:
        return routed[slot.thread_id]
    queued = await team_rows.queued_team(conn, tenant, slot.thread_id)
    if queued is not None:
        return queued
    teams = [str(t["team_id"]) for t in await team_rows.teams_of(conn, tenant)]
    inboxes = await team_rows.inboxes_of(conn, tenant, teams)
    requires = {
        t: routing.skills_of(*r.requires)
        for t, r in (await routing_rows.team_routing_of(conn, tenant)).items()
    }
    return routing.team_for(needs(slot), slot.account_id, inboxes, requires)


async def _apply(
    conn: AsyncConnection, tenant: str, slot: ThreadSlot, route: Route, detail: str
) -> None:
    """Re-queue in the escalation team and/or assign to the supervisor."""
    now = datetime.now(UTC)
    target, assignee = route.team, route.supervisor
    why = Why(ESCALATED, target or route.from_team, target or route.from_team, detail)
    if target is not None:
        await routing_rows.set_route(conn, tenant, slot.thread_id, target, ESCALATED, now)
    if assignee != slot.assignee and (assignee is not None or target is not None):
        await assign(conn, tenant, slot.thread_id, None, assignee=assignee, why=why)
    if assignee is None and target is not None:
        await team_rows.enqueue(conn, tenant, slot.thread_id, target, (ESCALATED, detail), now)


async def _record(
    conn: AsyncConnection,
    tenant: str,
    done: tuple[ThreadSlot, Route],
    warning: SlaEvent,
    detail: str,
) -> None:
    slot, route = done
    now = datetime.now(UTC)
    event = un.ConversationEscalated(
        event_id=un.unified_event_id(tenant, "escalated", warning.event_id),
        tenant=tenant,
        occurred_at=now,
        conversation_id=slot.thread_id,
        reason=SLA_WARNING,
        cause_id=warning.event_id,
        detail=detail,
        from_team_id=route.from_team,
        team_id=route.team,
        supervisor=route.supervisor,
        previous=slot.assignee,
        policy=warning.policy,
        target=warning.target,
        cycle=warning.cycle,
        n=warning.n,
        named_by=route.by,
    )
    info: dict[str, str | None] = {
        "reason": SLA_WARNING,
        "cause": warning.event_id,
        "explanation": detail,
    }
    info |= {"team": route.team, "supervisor": route.supervisor, "named_by": route.by}
    await assignment_rows.add_activity(conn, tenant, slot.thread_id, ESCALATED, None, info, now)
    await write_outbox(conn, [event])
    await routing_rows.add_escalation(
        conn, tenant, warning.event_id, slot.thread_id, event.event_id, now
    )
