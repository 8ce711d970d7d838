"""The queue views and the routing admin page.

``GET /queues`` (any agent): per team, the conversations waiting for one of its agents,
longest waiting first, with how long and why they wait, and the members with their load
against their capacity (in total and per channel kind), online and on shift. Customer text
(subjects) and explanations are rendered autoescaped, as everywhere.

``GET /admin/routing`` (admins): each agent's skills, limits per channel kind and working
hours, one form each; ``POST /admin/routing/{agent_id}`` saves one (a 422 names what is
wrong and changes nothing). The form's text fields: ``fr, de``; ``chat=3, email=10``; a
timezone and one line per day ``mon-fri 09:00-12:30 13:30-17:00``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.calls import wake_assigner
from unifier.entrypoints.web.admin import Admin
from unifier.entrypoints.web.presence import board as presence_board
from unifier.entrypoints.web.presence import seen
from unifier.entrypoints.web.routing_forms import (
    RoutingForm,
    TeamForm,
    form_of,
    routing_of,
    team_form_of,
    team_routing_of,
)
from unifier.entrypoints.web.templating import render
from unifier.service import queue_board
from unifier.service import routing as routing_config
from unifier.service.auto_assignment import online_of
from unifier.service.commands import CommandError
from unifier.store import assignment_rows, routing_rows, team_rows

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
Text = Annotated[str, Form(max_length=2000)]


def waited(seconds: int) -> str:
    """A wait for people: "45 s", "12 min", "3 h 05 min", "2 d 4 h"."""
    minutes, hours = seconds // 60, seconds // 3600
    if seconds < 60:
        return f"{seconds} s"
    if hours < 1:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h {minutes % 60:02d} min"
    return f"{hours // 24} d {hours % 24} h"


@router.get("/queues", response_class=HTMLResponse, include_in_schema=False)
async def queues_page(request: Request, who: Who) -> HTMLResponse:
    await seen(request, who)
    now = datetime.now(UTC)
    settings = request.app.state.hotline.settings
    local = presence_board(request).connected().get(who.tenant, set())
    async with request.app.state.runtime.engine.connect() as conn:
        agents = await assignment_rows.agents_of(conn, who.tenant)
        online = online_of(agents, local, now, settings.presence_online_seconds)
        queues = await queue_board.board(conn, who.tenant, online, now)
    return render("queues.html", who, queues=queues, waited=waited)


async def _admin_page(
    request: Request, who: Principal, status: int = 200, **model: Any
) -> HTMLResponse:
    async with request.app.state.runtime.engine.connect() as conn:
        agents = await assignment_rows.agents_of(conn, who.tenant)
        configured = await routing_rows.agent_routing_of(conn, who.tenant)
        teams = await team_rows.teams_of(conn, who.tenant)
        team_routing = await routing_rows.team_routing_of(conn, who.tenant)
    forms = [(a, form_of(configured.get(a.agent_id))) for a in agents]
    team_forms = [(t, team_form_of(team_routing.get(str(t["team_id"])))) for t in teams]
    values = {"error": "", "notice": "", **model}
    return render(
        "routing_admin.html", who, status, forms=forms, team_forms=team_forms, agents=agents,
        teams=teams, **values,
    )  # fmt: skip


@router.get("/admin/routing", response_class=HTMLResponse, include_in_schema=False)
async def routing_page(request: Request, who: Admin) -> HTMLResponse:
    return await _admin_page(request, who)


@router.post("/admin/routing/{agent_id}", response_class=HTMLResponse, include_in_schema=False)
async def save_routing(
    request: Request,
    who: Admin,
    agent_id: str,
    languages: Text = "",
    categories: Text = "",
    channels: Text = "",
    limits: Text = "",
    timezone: Annotated[str, Form(max_length=64)] = "",
    week: Text = "",
) -> HTMLResponse:
    form = RoutingForm(languages, categories, channels, limits, timezone, week)
    try:
        row = routing_of(agent_id, form)
        async with request.app.state.runtime.engine.begin() as conn:
            await routing_config.set_agent_routing(conn, who.tenant, row)
    except CommandError as exc:
        return await _admin_page(request, who, exc.status, error=exc.detail)
    wake_assigner(request)
    return await _admin_page(request, who, notice=f"Routing of {agent_id} saved.")


@router.post("/admin/routing/teams/{team_id}", response_class=HTMLResponse, include_in_schema=False)
async def save_team_routing(
    request: Request,
    who: Admin,
    team_id: str,
    languages: Text = "",
    categories: Text = "",
    channels: Text = "",
    escalate_team: Annotated[str, Form(max_length=64)] = "",
    supervisor: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    form = TeamForm(languages, categories, channels, escalate_team, supervisor)
    try:
        async with request.app.state.runtime.engine.begin() as conn:
            await routing_config.set_team_routing(conn, who.tenant, team_routing_of(team_id, form))
    except CommandError as exc:
        return await _admin_page(request, who, exc.status, error=exc.detail)
    wake_assigner(request)
    return await _admin_page(request, who, notice=f"Routing of team {team_id} saved.")
