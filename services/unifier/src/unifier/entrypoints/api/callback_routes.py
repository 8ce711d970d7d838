"""Call back: ``POST /api/tenants/{tenant}/conversations/{id}/callbacks`` records that the
customer will be called back (``service.callbacks``); the conversation stops needing one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import callbacks

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class CallbackBody(BaseModel):
    note: str | None = Field(default=None, max_length=callbacks.MAX_NOTE)


@router.post("/conversations/{conversation_id}/callbacks", status_code=201)
async def request_callback(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    body: CallbackBody | None = None,
) -> dict[str, Any]:
    """201 with the callback (``number``: whom to call, ``call_id``: the call it returns);
    404 for an unknown conversation, 422 ``no_number`` when the customer has no phone."""
    note = body.note if body else None
    event = await calls.write(
        request,
        tenant,
        lambda c: callbacks.request_callback(c, tenant, conversation_id, who.agent_id, note),
        [conversation_id],
    )
    return {
        "callback_id": event.callback_id,
        "conversation_id": conversation_id,
        "number": event.number,
        "call_id": event.call_id,
        "requested_by": event.requested_by,
        "at": event.occurred_at.isoformat(),
        "needs_callback": False,
    }
