"""Agent API of assignment: assign/unassign a conversation, who is online now, and the teams
that auto-assign (an admin sets them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.api.calls import wake_assigner
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service.assignment import assign
from unifier.service.auto_assignment import online_of
from unifier.service.commands import CommandError
from unifier.service.teams import set_team
from unifier.store import assignment_rows as rows
from unifier.store import routing_rows, team_rows
from unifier.store.routing_rows import TeamRouting

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class AssignBody(BaseModel):
    assignee: str | None = Field(description="an agent id of the tenant; null: unassign")


class Inbox(BaseModel):
    channel_kind: str = Field(min_length=1, max_length=16)
    account_id: str = Field("*", min_length=1, max_length=320, description='"*": every account')


Values = Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=200)]


class Requires(BaseModel):
    """The skills a conversation must match for the team to take it (empty: any)."""

    languages: Values = Field(default_factory=list)
    categories: Values = Field(default_factory=list)
    channels: Values = Field(default_factory=list)


class Escalation(BaseModel):
    """Where the team's conversations go when an SLA warning fires: re-queued in a team and/or
    assigned to a supervisor (both null: an event only)."""

    team_id: str | None = Field(None, max_length=64)
    supervisor: str | None = Field(None, max_length=64, description="an agent id")


class TeamBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    auto_assign: bool = True
    members: list[str] = Field(default_factory=list, max_length=1000)
    inboxes: list[Inbox] = Field(default_factory=list, max_length=1000)
    requires: Requires = Field(default_factory=Requires)
    escalation: Escalation = Field(default_factory=Escalation)


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


@router.post("/conversations/{conversation_id}/assign")
async def assign_conversation(
    request: Request, tenant: str, who: Who, conversation_id: str, body: AssignBody
) -> dict[str, Any]:
    try:
        async with _runtime(request).engine.begin() as conn:
            event = await assign(
                conn, tenant, conversation_id, who.agent_id, assignee=body.assignee
            )
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    _runtime(request).relay.notify()
    wake_assigner(request)
    news = {"conversations": [conversation_id]}
    request.app.state.live_feed.publish(tenant, news)
    request.app.state.live_feed.publish(tenant, news | {"assignee": body.assignee}, "assignment")
    return {
        "conversation_id": conversation_id,
        "assignee": event.assignee,
        "previous": event.previous,
        "reason": event.reason,
        "event_id": event.event_id,
    }


@router.get("/agents/online")
async def agents_online(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    """Enabled agents with the workspace's live stream open on this instance or seen within
    ``presence_online_seconds``, with their open conversations and capacity."""
    async with _runtime(request).engine.connect() as conn:
        agents = await rows.agents_of(conn, tenant)
        local = request.app.state.presence.connected().get(tenant, set())
        settings = request.app.state.hotline.settings
        online = online_of(agents, local, datetime.now(UTC), settings.presence_online_seconds)
        loads = await rows.loads(conn, tenant, sorted(online))
    return [
        {
            "agent_id": a.agent_id,
            "name": a.name,
            "live": a.agent_id in local,
            "last_seen_at": a.last_seen_at.isoformat() if a.last_seen_at else None,
            "open_conversations": loads.get(a.agent_id, 0),
            "capacity": a.capacity,
        }
        for a in agents
        if a.agent_id in online
    ]


@router.get("/teams")
async def list_teams(request: Request, tenant: str, who: Who) -> list[dict[str, object]]:
    async with _runtime(request).engine.connect() as conn:
        teams = await team_rows.teams_of(conn, tenant)
        routing = await routing_rows.team_routing_of(conn, tenant)
    for team in teams:
        found = routing.get(str(team["team_id"]))
        languages, categories, channels = found.requires if found else ([], [], [])
        team["requires"] = {"languages": languages, "categories": categories, "channels": channels}
        team["escalation"] = {
            "team_id": found.escalate_team if found else None,
            "supervisor": found.escalate_agent if found else None,
        }
    return teams


@router.put("/teams/{team_id}")
async def put_team(
    request: Request, tenant: str, who: Who, team_id: str, body: TeamBody
) -> dict[str, str]:
    """Create or replace a team: its members (agents of the tenant) and the inboxes it takes;
    with ``auto_assign`` their waiting conversations go round robin to its online members."""
    if not who.is_admin:
        raise Rejected(403, "forbidden", "only an admin sets teams")
    inboxes = [(i.channel_kind, i.account_id) for i in body.inboxes]
    team = (team_id, body.name, body.auto_assign)
    needs = body.requires
    routing = TeamRouting(
        team_id,
        (needs.languages, needs.categories, needs.channels),
        body.escalation.team_id,
        body.escalation.supervisor,
    )
    try:
        async with _runtime(request).engine.begin() as conn:
            await set_team(conn, tenant, team, body.members, inboxes, routing)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    if (assigner := getattr(request.app.state, "assigner", None)) is not None:
        assigner.wake()
    return {"team_id": team_id, "status": "saved"}
