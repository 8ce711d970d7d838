"""Internal notes on a conversation: ``POST /api/tenants/{tenant}/conversations/{id}/notes``.
A note is for agents (conversation.note.added.v1 on the unified stream), never sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import notes
from unifier.service.commands import CommandError

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=notes.MAX_NOTE)


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(
    request: Request, tenant: str, who: Who, conversation_id: str, body: NoteBody
) -> dict[str, str]:
    runtime: ConsumerRuntime = request.app.state.runtime
    try:
        async with runtime.engine.begin() as conn:
            event = await notes.add_note(conn, tenant, conversation_id, who.agent_id, body.text)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    runtime.relay.notify()
    request.app.state.live_feed.publish(tenant, {"conversations": [conversation_id]})
    return {
        "note_id": event.note_id,
        "conversation_id": conversation_id,
        "author": event.author,
        "at": event.occurred_at.isoformat(),
    }
