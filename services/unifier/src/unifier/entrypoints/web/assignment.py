"""The assignment fragment of the thread pane: ``GET /inbox/conversations/{id}/assign``
renders ``_thread_assign.html`` (assignee select, "Assign to me", Unassign, why a thread
waits) with ``_presence.html``; the whole page without ``HX-Request``. ``POST`` the same path
(form field ``assignee``, empty: unassign) answers with the refreshed fragment and a message,
with the command's status (``static/js/assignment.js`` swaps error answers too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import HTMLResponse

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.calls import wake_assigner
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web.presence import board, check_csrf, seen
from unifier.entrypoints.web.templating import render
from unifier.service.assignment import assign
from unifier.service.auto_assignment import online_of
from unifier.service.commands import CommandError
from unifier.store import assignment_rows as rows
from unifier.store import team_rows

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
PATH = "/inbox/conversations/{conversation_id}/assign"


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


async def assignment_model(request: Request, who: Principal, tid: str) -> dict[str, Any]:
    """What ``_assign_pane.html`` (``_thread_assign.html`` + ``_presence.html``) renders, for a
    pane that includes it (add ``message``/``error``: "" when there is none)."""
    async with _runtime(request).engine.connect() as conn:
        current = await rows.thread_assignee(conn, who.tenant, tid)
        if current is None:
            raise Rejected(404, "not_found", f"conversation {tid}")
        agents = await rows.agents_of(conn, who.tenant)
        waiting = await team_rows.queued(conn, who.tenant, tid)
    settings = request.app.state.hotline.settings
    local = board(request).connected().get(who.tenant, set())
    online = online_of(agents, local, datetime.now(UTC), settings.presence_online_seconds)
    names = {a.agent_id: a.name for a in agents}
    return {
        "conversation_id": tid,
        "assignee": current[0],
        "assignee_name": names.get(current[0] or "", current[0]),
        "agents": agents,
        "online": online,
        "queued": waiting if current[0] is None else None,
        "others": board(request).others(who.tenant, tid, who.agent_id),
    }


async def fragment(
    request: Request, who: Principal, tid: str, status: int = 200, **message: str
) -> HTMLResponse:
    model = await assignment_model(request, who, tid) | {"message": "", "error": ""} | message
    page = "assign_page.html" if request.headers.get("HX-Request") is None else "_assign_pane.html"
    return render(page, who, status_code=status, **model)


@router.get(PATH, response_class=HTMLResponse, include_in_schema=False)
async def get_assign(request: Request, who: Who, conversation_id: str) -> HTMLResponse:
    await seen(request, who)
    return await fragment(request, who, conversation_id)


@router.post(PATH, response_class=HTMLResponse, include_in_schema=False)
async def post_assign(
    request: Request,
    who: Who,
    conversation_id: str,
    assignee: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str | None, Header(alias="X-CSRF-Token")] = None,
) -> HTMLResponse:
    check_csrf(who, csrf)
    target = assignee or None
    try:
        async with _runtime(request).engine.begin() as conn:
            event = await assign(conn, who.tenant, conversation_id, who.agent_id, assignee=target)
            names = {a.agent_id: a.name for a in await rows.agents_of(conn, who.tenant)}
    except CommandError as exc:
        if exc.status == 404:
            raise Rejected(404, exc.reason, exc.detail) from exc
        return await fragment(request, who, conversation_id, exc.status, error=exc.detail)
    _runtime(request).relay.notify()
    wake_assigner(request)
    news = {"conversations": [conversation_id]}
    request.app.state.live_feed.publish(who.tenant, news)
    request.app.state.live_feed.publish(who.tenant, news | {"assignee": target}, "assignment")
    name = names.get(event.assignee or "", event.assignee)
    done = f"Assigned to {name}" if event.assignee else "Unassigned"
    return await fragment(request, who, conversation_id, message=done)
