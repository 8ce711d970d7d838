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
from unifier.entrypoints.api.template_sync import fetch_templates
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


class SyncIn(BaseModel):
    account_id: str = Field(min_length=1, max_length=320, description="WhatsApp phone number id")
    business_account_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_]+$", description="its WABA id"
    )


@router.post("/sync")
async def sync_templates(request: Request, tenant: str, who: Who, body: SyncIn) -> dict[str, Any]:
    """The account's templates become the provider's (``GET /{waba-id}/message_templates``)."""
    _admin(who)
    settings = _runtime(request).settings
    if settings.whatsapp_token is None:
        raise Rejected(409, "not_configured", "no WhatsApp access token (HOTLINE_WHATSAPP_TOKEN)")
    token = settings.whatsapp_token.get_secret_value()
    found = await fetch_templates(settings.whatsapp_api_base, token, body.business_account_id)
    now = datetime.now(UTC)
    unique = {(t["name"], t["language"]): t for t in found}  # one row per name and language
    rows = [
        {"tenant": tenant, "account_id": body.account_id, **t, "updated_at": now}
        for t in unique.values()
    ]
    async with _runtime(request).engine.begin() as conn:
        dropped = await template_rows.replace_templates(conn, tenant, body.account_id, rows)
    approved = sum(1 for t in rows if t["status"] == template_rows.APPROVED)
    return {
        "account_id": body.account_id,
        "synced": len(rows),
        "approved": approved,
        "dropped": dropped,
    }
