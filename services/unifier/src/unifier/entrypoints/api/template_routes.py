"""Admin API: the approved WhatsApp message templates of each channel account (the phone
number id), offered to agents once a customer's 24-hour window has closed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store import template_rows

router = APIRouter(prefix="/api/tenants/{tenant}/reply-templates", tags=["admin"])
Who = Annotated[Principal, Depends(principal)]


class TemplateIn(BaseModel):
    account_id: str = Field(min_length=1, max_length=320, description="WhatsApp phone number id")
    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: str = Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}(_[A-Za-z]+)?$")
    body: str = Field(min_length=1, max_length=1024, description="with {{1}}..{{n}}")
    category: Literal["MARKETING", "UTILITY", "AUTHENTICATION"] = "UTILITY"
    status: Literal["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"] = "APPROVED"


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise Rejected(403, "forbidden", "only admins manage message templates")


@router.get("")
async def list_templates(
    request: Request, tenant: str, who: Who, account_id: str | None = None
) -> list[dict[str, Any]]:
    async with _runtime(request).engine.connect() as conn:
        return await template_rows.list_templates(conn, tenant, account_id)


@router.post("", status_code=201)
async def add_template(request: Request, tenant: str, who: Who, body: TemplateIn) -> dict[str, Any]:
    _admin(who)
    row = {"tenant": tenant, **body.model_dump(), "updated_at": datetime.now(UTC)}
    try:
        async with _runtime(request).engine.begin() as conn:
            await template_rows.add_template(conn, row)
    except IntegrityError:
        raise Rejected(
            409, "exists", f"template {body.name} ({body.language}) of {body.account_id} exists"
        ) from None
    return {**row, "updated_at": row["updated_at"].isoformat()}


@router.delete("/{account_id}/{name}/{language}")
async def remove_template(
    request: Request, tenant: str, who: Who, account_id: str, name: str, language: str
) -> dict[str, str]:
    _admin(who)
    async with _runtime(request).engine.begin() as conn:
        removed = await template_rows.remove_template(conn, tenant, account_id, name, language)
    if not removed:
        raise Rejected(404, "not_found", f"template {name} ({language}) of {account_id}")
    return {"account_id": account_id, "name": name, "language": language, "status": "removed"}
