"""Agent API: snooze a conversation until a time, wake it early; its activity."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel

from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import snooze
from unifier.service.commands import CommandError
from unifier.store import activity_rows, thread_rows

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class SnoozeBody(BaseModel):
    until: AwareDatetime


def _answer(tid: str, until: datetime | None) -> dict[str, Any]:
    return {"conversation_id": tid, "snoozed_until": until.isoformat() if until else None}


@router.post("/conversations/{conversation_id}/snooze")
async def snooze_conversation(
    request: Request, tenant: str, who: Who, conversation_id: str, body: SnoozeBody
) -> dict[str, Any]:
    event = await calls.write(
        request,
        tenant,
        lambda c: snooze.snooze(c, tenant, conversation_id, who.agent_id, body.until),
        [conversation_id],
    )
    return _answer(conversation_id, event.until)


@router.post("/conversations/{conversation_id}/unsnooze")
async def unsnooze_conversation(
    request: Request, tenant: str, who: Who, conversation_id: str
) -> dict[str, Any]:
    await calls.write(
        request,
        tenant,
        lambda c: snooze.unsnooze(c, tenant, conversation_id, who.agent_id),
        [conversation_id],
    )
    return _answer(conversation_id, None)


@router.get("/conversations/{conversation_id}/activity")
async def conversation_activity(
    request: Request, tenant: str, who: Who, conversation_id: str
) -> list[dict[str, Any]]:
    """What agents and rules did to the conversation (closed, labels, snoozed, woken, merged,
    split, ...), oldest first, each with its actor and reason."""

    async def found(conn: Any) -> list[dict[str, Any]]:
        if await thread_rows.head(conn, tenant, conversation_id) is None:
            raise CommandError(404, "not_found", f"conversation {conversation_id}")
        return await activity_rows.of_thread(conn, tenant, conversation_id)

    return await calls.read(request, found)
