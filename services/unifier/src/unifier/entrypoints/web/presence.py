"""Who else is here: ``POST /inbox/conversations/{id}/presence`` ({"state": "viewing" |
"typing" | "left"}) records the signed-in agent in the conversation (``PresenceBoard``, this
process's memory, with expiry) and broadcasts SSE ``presence``; ``GET`` renders
``_presence.html`` with the others ("Ana is viewing", "Ana is typing…"), never oneself.
Every request here also marks the agent as seen (``agents.last_seen_at``)."""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, page_principal, principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web.presence_board import Here, PresenceBoard
from unifier.entrypoints.web.templating import render
from unifier.store import assignment_rows

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
TOUCH_EVERY_S = 20.0  # last_seen_at is written at most this often per agent and process
_touched: dict[tuple[str, str], float] = {}


class PresenceBody(BaseModel):
    state: Literal["viewing", "typing", "left"]


def check_csrf(who: Principal, given: str | None) -> None:
    """Unsafe page requests echo the session's CSRF token in ``X-CSRF-Token`` (htmx sends it
    on every request from ``base.html``'s ``hx-headers``)."""
    if given is None or not hmac.compare_digest(given.encode(), who.csrf_token.encode()):
        raise Rejected(403, "csrf", "missing or wrong CSRF token")


def board(request: Request) -> PresenceBoard:
    presence: PresenceBoard = request.app.state.presence
    return presence


async def seen(request: Request, who: Principal) -> None:
    """Mark the agent as seen now (throttled): presence for auto-assignment."""
    key, now = (who.tenant, who.agent_id), time.monotonic()
    if now - _touched.get(key, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
        return
    _touched[key] = now
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.begin() as conn:
        await assignment_rows.touch_agent(conn, who.tenant, who.agent_id, datetime.now(UTC))


async def api_seen(request: Request, who: Annotated[Principal, Depends(principal)]) -> None:
    """Dependency of the agent API's routes: a request marks its agent as seen."""
    await seen(request, who)


async def known(request: Request, who: Principal, conversation_id: str) -> None:
    """404 unless the conversation is one of the agent's tenant."""
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        found = await assignment_rows.thread_assignee(conn, who.tenant, conversation_id)
    if found is None:
        raise Rejected(404, "not_found", f"conversation {conversation_id}")


def presence_html(request: Request, who: Principal, conversation_id: str) -> HTMLResponse:
    others = board(request).others(who.tenant, conversation_id, who.agent_id)
    return render("_presence.html", who, conversation_id=conversation_id, others=others)


@router.post("/inbox/conversations/{conversation_id}/presence", include_in_schema=False)
async def post_presence(
    request: Request,
    who: Who,
    conversation_id: str,
    body: PresenceBody,
    csrf: Annotated[str | None, Header(alias="X-CSRF-Token")] = None,
) -> Response:
    check_csrf(who, csrf)
    await known(request, who, conversation_id)
    here = Here(who.agent_id, who.name, body.state)
    board(request).put(who.tenant, conversation_id, here)
    news = {"conversation_id": conversation_id, "agent_id": who.agent_id, "name": who.name}
    request.app.state.live_feed.publish(who.tenant, news | {"state": body.state}, "presence")
    await seen(request, who)
    return Response(status_code=204)


@router.get(
    "/inbox/conversations/{conversation_id}/presence",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def get_presence(request: Request, who: Who, conversation_id: str) -> HTMLResponse:
    await known(request, who, conversation_id)
    return presence_html(request, who, conversation_id)
