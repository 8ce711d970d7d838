"""Admin API of routing: an agent's skills, limits per channel kind and working hours; a team's
required skills and escalation targets; and the queues (waiting conversations and loads)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.api.calls import wake_assigner
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import queue_board
from unifier.service import routing as routing_config
from unifier.service.auto_assignment import online_of
from unifier.service.commands import CommandError
from unifier.store import assignment_rows, routing_rows
from unifier.store.routing_rows import AgentRouting

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]
Values = Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=200)]


class Hours(BaseModel):
    timezone: str = Field(max_length=64, description="IANA timezone, e.g. Europe/Paris")
    week: dict[str, list[str]] = Field(
        description='periods per weekday, e.g. {"mon": ["09:00-12:30", "13:30-17:00"]}'
    )
    country: str | None = Field(None, max_length=8, description="public holidays of (ISO 3166)")
    subdivision: str | None = Field(None, max_length=16)


class AgentRoutingBody(BaseModel):
    languages: Values = Field(default_factory=list, description="ISO 639-1; empty: any")
    categories: Values = Field(default_factory=list, description="empty: any")
    channels: Values = Field(default_factory=list, description="channel kinds; empty: any")
    limits: dict[str, int] = Field(
        default_factory=dict,
        description='concurrent conversations per channel kind, e.g. {"chat": 3}',
    )
    hours: Hours | None = Field(None, description="working hours; null: always on shift")


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


def _routing_json(row: AgentRouting) -> dict[str, Any]:
    languages, categories, channels = row.skills
    return {
        "agent_id": row.agent_id,
        "languages": languages,
        "categories": categories,
        "channels": channels,
        "limits": row.limits,
        "hours": row.hours,
    }


@router.put("/agents/{agent_id}/routing")
async def put_agent_routing(
    request: Request, tenant: str, who: Who, agent_id: str, body: AgentRoutingBody
) -> dict[str, Any]:
    """Set an agent's skills, limits per channel kind and working hours (admins)."""
    if not who.is_admin:
        raise Rejected(403, "forbidden", "only an admin sets routing")
    hours = None if body.hours is None else body.hours.model_dump(exclude_none=True)
    row = AgentRouting(
        agent_id, (body.languages, body.categories, body.channels), body.limits, hours
    )
    try:
        async with _runtime(request).engine.begin() as conn:
            saved = await routing_config.set_agent_routing(conn, tenant, row)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    wake_assigner(request)
    return _routing_json(saved)


@router.get("/agents/routing")
async def list_agent_routing(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    async with _runtime(request).engine.connect() as conn:
        rows = await routing_rows.agent_routing_of(conn, tenant)
    return [_routing_json(r) for r in rows.values()]


@router.get("/queues")
async def queues(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    """Per team: the waiting conversations (longest waiting first, why) and members' loads."""
    now = datetime.now(UTC)
    settings = request.app.state.hotline.settings
    local = request.app.state.presence.connected().get(tenant, set())
    async with _runtime(request).engine.connect() as conn:
        agents = await assignment_rows.agents_of(conn, tenant)
        online = online_of(agents, local, now, settings.presence_online_seconds)
        board = await queue_board.board(conn, tenant, online, now)
    return [_queue_json(q) for q in board]


def _queue_json(q: queue_board.Queue) -> dict[str, Any]:
    return {
        "team_id": q.team_id,
        "name": q.name,
        "waiting": [
            {
                "conversation_id": w.row.thread_id,
                "since": w.row.since.isoformat(),
                "wait_seconds": w.wait_s,
                "reason": w.row.reason,
                "explanation": w.row.explanation,
                "channel_kind": w.row.channel_kind,
                "language": w.row.language,
                "category": w.row.category,
            }
            for w in q.waiting
        ],
        "agents": [
            {
                "agent_id": m.agent_id,
                "online": m.online,
                "on_shift": m.on_shift,
                "open_conversations": m.load,
                "capacity": m.capacity,
                "per_channel": [
                    {"channel_kind": k, "open": n, "limit": lim} for k, n, lim in m.kinds
                ],
            }
            for m in q.members
        ],
    }
