"""Bulk actions on conversations: ``POST /api/tenants/{tenant}/conversations/bulk`` with
``{"ids": [...], "action": "close", ...parameters}``, answered per id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.api.live_feed import LiveFeed
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import bulk
from unifier.service.commands import CommandError

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class BulkBody(BaseModel):
    """Other fields are the action's parameters (assign: ``assignee``; label: ``labels``)."""

    model_config = ConfigDict(extra="allow")
    ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=bulk.MAX_IDS
    )
    action: str = Field(min_length=1, max_length=32)


@router.post("/conversations/bulk")
async def bulk_action(request: Request, tenant: str, who: Who, body: BulkBody) -> dict[str, Any]:
    """Run ``action`` on each conversation in its own transaction: ``results`` has one entry per
    distinct id, ``{"id", "ok": true}`` or ``{"id", "ok": false, "error", "detail"}``. An
    unknown action or parameters it does not take: 422, nothing done."""
    command = bulk.command_for(body.action)
    if command is None:
        detail = f"{body.action!r} is not one of {', '.join(bulk.actions())}"
        raise Rejected(422, "unknown_action", detail)
    params = dict(body.model_extra or {})
    try:
        bulk.check(body.action, command, params)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    runtime: ConsumerRuntime = request.app.state.runtime
    results = await bulk.run(runtime.engine.begin, command, tenant, body.ids, who.agent_id, params)
    done = [r.id for r in results if r.ok]
    if done:
        runtime.relay.notify()
        live_feed: LiveFeed = request.app.state.live_feed
        live_feed.publish(tenant, {"conversations": done})
    return {"action": body.action, "results": [r.as_dict() for r in results]}
