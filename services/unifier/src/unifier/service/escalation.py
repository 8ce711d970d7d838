"""Escalation when an SLA warning fires: the conversation's team (the team it was escalated to,
else the team that queued it, else its inbox's team) says where it goes. ``escalate_team``:
it is taken from its assignee and waits in that team's queue (the next round offers it to that
team's members, as routing says); ``escalate_agent``: it is assigned to that supervisor. Each
escalation is a ``conversation.escalated.v1`` through the outbox, with the warning as its
cause, and an activity row; its id is a pure function of the warning's, and the warning is
recorded as escalated in the same transaction, so a repeat of the warning does nothing.

A conversation that is closed, merged away or unknown, or whose team has no escalation
target, is not escalated (nothing is written). A supervisor who is no longer an enabled agent
is not assigned (the event says so; the team target, if any, still applies): the caller's
transaction (the SLA scheduler's) never fails on a stale policy.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain import routing
from unifier.domain.sla_events import SlaEvent
from unifier.service.assignment import Why, assign
from unifier.service.routing import needs
from unifier.store import assignment_rows, routing_rows, team_rows
from unifier.store.assignment_rows import ThreadSlot
from unifier.store.routing_rows import TeamRouting
from unifier.store.write import write_outbox

ESCALATED = "escalated"  # the reason of the queue entry and of the assignment
SLA_WARNING = "sla.warning"


async def escalate_on_warning(conn: AsyncConnection, tenant: str, warning: SlaEvent) -> None:
    """Escalate ``warning``'s conversation as its team's policy says, once per warning."""
    if warning.kind != SLA_WARNING or await routing_rows.escalated(conn, tenant, warning.event_id):
        return
    slot = await assignment_rows.thread_slot(conn, tenant, warning.conversation)
    if slot is None:
        return
    team = await _team_of(conn, tenant, slot)
    policy = (await routing_rows.team_routing_of(conn, tenant)).get(team or "")
    if policy is None or not (policy.escalate_team or policy.escalate_agent):
        return
    detail = f"{warning.target} warning of SLA policy {warning.policy} at {warning.at.isoformat()}"
    supervisor = policy.escalate_agent
    if supervisor is not None and not await _assignable(conn, tenant, supervisor):
        detail += f"; supervisor {supervisor} cannot be assigned (unknown or disabled)"
        policy = policy._replace(escalate_agent=None)
    await _apply(conn, tenant, slot, policy, detail)
    await _record(conn, tenant, (slot, policy), warning, detail)


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
    conn: AsyncConnection, tenant: str, slot: ThreadSlot, policy: TeamRouting, detail: str
) -> None:
    """Re-queue in the escalation team and/or assign to the supervisor."""
    now = datetime.now(UTC)
    target = policy.escalate_team
    why = Why(ESCALATED, target or policy.team_id, target or policy.team_id, detail)
    assignee = policy.escalate_agent
    if target is not None:
        await routing_rows.set_route(conn, tenant, slot.thread_id, target, ESCALATED, now)
    if assignee != slot.assignee and (assignee is not None or target is not None):
        await assign(conn, tenant, slot.thread_id, None, assignee=assignee, why=why)
    if assignee is None and target is not None:
        await team_rows.enqueue(conn, tenant, slot.thread_id, target, (ESCALATED, detail), now)


async def _record(
    conn: AsyncConnection,
    tenant: str,
    done: tuple[ThreadSlot, TeamRouting],
    warning: SlaEvent,
    detail: str,
) -> None:
    slot, policy = done
    now = datetime.now(UTC)
    event = un.ConversationEscalated(
        event_id=un.unified_event_id(tenant, "escalated", warning.event_id),
        tenant=tenant,
        occurred_at=now,
        conversation_id=slot.thread_id,
        reason=SLA_WARNING,
        cause_id=warning.event_id,
        detail=detail,
        from_team_id=policy.team_id,
        team_id=policy.escalate_team,
        supervisor=policy.escalate_agent,
        previous=slot.assignee,
    )
    info: dict[str, str | None] = {
        "reason": SLA_WARNING,
        "cause": warning.event_id,
        "explanation": detail,
    }
    info |= {"team": policy.escalate_team, "supervisor": policy.escalate_agent}
    await assignment_rows.add_activity(conn, tenant, slot.thread_id, ESCALATED, None, info, now)
    await write_outbox(conn, [event])
    await routing_rows.add_escalation(
        conn, tenant, warning.event_id, slot.thread_id, event.event_id, now
    )
