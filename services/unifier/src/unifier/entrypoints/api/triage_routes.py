"""Agent API for triage: the tenant's rules, a conversation's category (an agent's, which the
category model learns from), VIP contacts, the category models and training one now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import triage_admin
from unifier.store import triage_rows

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class CategoryBody(BaseModel):
    category: str = Field(min_length=1, max_length=40)


class VipBody(BaseModel):
    vip: bool


def _admin(who: Principal) -> None:
    if not who.manages_accounts:
        raise Rejected(403, "forbidden", "only an admin sets triage rules and trains models")


@router.get("/triage/rules")
async def get_rules(request: Request, tenant: str, who: Who) -> dict[str, Any]:
    """The tenant's triage rules (README "Triage"); ``{}``: none."""
    return await calls.read(request, lambda c: triage_admin.rules(c, tenant))


@router.put("/triage/rules")
async def put_rules(
    request: Request, tenant: str, who: Who, doc: Annotated[Any, Body()]
) -> dict[str, Any]:
    """Replace the rules; a bad document is answered 422 with what is wrong."""
    _admin(who)
    return await calls.write(
        request, tenant, lambda c: triage_admin.put_rules(c, tenant, doc, who.agent_id)
    )


@router.put("/conversations/{conversation_id}/category")
async def put_category(
    request: Request, tenant: str, who: Who, conversation_id: str, body: CategoryBody
) -> dict[str, str]:
    """An agent's category for the conversation (kept over triage's; the model's label)."""
    return await calls.write(
        request,
        tenant,
        lambda c: triage_admin.set_category(
            c, tenant, conversation_id, body.category, who.agent_id
        ),
        [conversation_id],
    )


@router.put("/contacts/{contact_id}/vip")
async def put_vip(
    request: Request, tenant: str, who: Who, contact_id: str, body: VipBody
) -> dict[str, Any]:
    """Mark a contact VIP (or not): priority rules with ``"vip": true`` match their messages."""
    await calls.write(
        request,
        tenant,
        lambda c: triage_admin.set_vip(c, tenant, contact_id, body.vip, who.agent_id),
    )
    return {"contact_id": contact_id, "vip": body.vip}


@router.get("/triage/models")
async def list_models(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    """The tenant's category models, newest (in use) first."""
    return await calls.read(request, lambda c: triage_rows.models_of(c, tenant))


@router.post("/triage/train")
async def train_now(request: Request, tenant: str, who: Who) -> dict[str, Any]:
    """Train the category model now on the categories agents gave (at least 10, 2 kinds)."""
    _admin(who)
    return await triage_admin.train(calls.runtime(request).engine, tenant)
