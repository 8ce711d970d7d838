"""Agent API: the tenant's label catalogue and a conversation's labels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import labels
from unifier.store import label_rows

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class LabelBody(BaseModel):
    label: str = Field(max_length=200)
    color: str | None = Field(None, description="#rrggbb")


class LabelChange(BaseModel):
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)


@router.get("/labels")
async def list_labels(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    return await calls.read(request, lambda c: label_rows.catalogue(c, tenant))


@router.post("/labels", status_code=201)
async def create_label(
    request: Request, tenant: str, who: Who, body: LabelBody
) -> dict[str, str | None]:
    """Add a label to the catalogue (the name normalised: "Billing Issue" -> "billing-issue")."""
    return await calls.write(
        request, tenant, lambda c: labels.create_label(c, tenant, body.label, body.color)
    )


@router.post("/conversations/{conversation_id}/labels")
async def change_labels(
    request: Request, tenant: str, who: Who, conversation_id: str, body: LabelChange
) -> dict[str, Any]:
    """Add and remove labels (names new to the tenant join its catalogue)."""
    after = await calls.write(
        request,
        tenant,
        lambda c: labels.change_labels(
            c, tenant, conversation_id, who.agent_id, add=body.add, remove=body.remove
        ),
        [conversation_id],
    )
    return {"conversation_id": conversation_id, "labels": after}
