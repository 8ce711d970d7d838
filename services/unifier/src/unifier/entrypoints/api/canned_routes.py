"""Agent API: the tenant's canned responses (admins write them, every agent reads them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import canned
from unifier.store import canned_rows

router = APIRouter(prefix="/api/tenants/{tenant}/canned", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


class CannedBody(BaseModel):
    shortcut: str = Field(max_length=64)
    title: str = Field(max_length=400)
    body: str = Field(max_length=canned.MAX_BODY * 2)


def admin(who: Principal) -> None:
    if not who.is_admin:
        raise Rejected(403, "forbidden", "only admins change canned responses")


@router.get("")
async def list_canned(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    return await calls.read(request, lambda c: canned_rows.all_of(c, tenant))


@router.get("/{canned_id}")
async def get_canned(request: Request, tenant: str, who: Who, canned_id: str) -> dict[str, Any]:
    return await calls.read(request, lambda c: canned.get(c, tenant, canned_id))


@router.post("", status_code=201)
async def create_canned(
    request: Request, tenant: str, who: Who, body: CannedBody
) -> dict[str, Any]:
    admin(who)
    return await calls.write(
        request, tenant, lambda c: canned.create(c, tenant, body.shortcut, body.title, body.body)
    )


@router.put("/{canned_id}")
async def update_canned(
    request: Request, tenant: str, who: Who, canned_id: str, body: CannedBody
) -> dict[str, Any]:
    admin(who)
    return await calls.write(
        request,
        tenant,
        lambda c: canned.update(c, tenant, canned_id, body.shortcut, body.title, body.body),
    )


@router.delete("/{canned_id}", status_code=204)
async def delete_canned(request: Request, tenant: str, who: Who, canned_id: str) -> Response:
    admin(who)
    await calls.write(request, tenant, lambda c: canned.delete(c, tenant, canned_id))
    return Response(status_code=204)
