"""Accounts over the API: ``/api/me``; the tenant's agents (list, create, disable) and API
tokens (list, create, revoke) for admins. A token's secret is in the creation answer only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, account_manager, anyone, principal
from unifier.service import accounts, sessions
from unifier.service.commands import CommandError
from unifier.store import account_rows
from unifier.store.account_rows import AgentRow

router = APIRouter(prefix="/api", tags=["accounts"])
T = TypeVar("T")


async def admin(who: Annotated[Principal, Depends(principal)]) -> Principal:
    return account_manager(who)


Admin = Annotated[Principal, Depends(admin)]


class AgentBody(BaseModel):
    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Literal["admin", "agent"] = "agent"
    password: str = Field(min_length=1, max_length=1024)


class TokenBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)


async def _run(request: Request, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    try:
        async with request.app.state.runtime.engine.begin() as conn:
            return await fn(conn)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc


def _agent(row: AgentRow) -> dict[str, Any]:
    keep = ("agent_id", "email", "name", "role", "locked_until", "disabled_at", "created_at")
    return {k: getattr(row, k) for k in keep}


@router.get("/me")
async def me(who: Annotated[Principal, Depends(anyone)]) -> dict[str, Any]:
    """Who these credentials are (the CSRF token is the session's own, for scripts on our page)."""
    return {k: v for k, v in asdict(who).items() if k != "csrf_token"}


@router.get("/tenants/{tenant}/agents")
async def list_agents(request: Request, who: Admin) -> list[dict[str, Any]]:
    rows = await _run(request, lambda c: account_rows.list_agents(c, who.tenant))
    return [_agent(r) for r in rows]


@router.post("/tenants/{tenant}/agents", status_code=201)
async def create_agent(request: Request, who: Admin, body: AgentBody) -> dict[str, Any]:
    row = await _run(
        request,
        lambda c: accounts.create_agent(
            c, who.tenant, body.email, body.name, body.role, body.password
        ),
    )
    return _agent(row)


@router.post("/tenants/{tenant}/agents/{agent_id}/disable")
async def disable_agent(request: Request, who: Admin, agent_id: str) -> dict[str, Any]:
    ended = await _run(request, lambda c: accounts.disable_agent(c, who.tenant, agent_id))
    return {"agent_id": agent_id, "status": "disabled", "sessions_ended": ended}


@router.get("/tenants/{tenant}/tokens")
async def list_tokens(request: Request, who: Admin) -> list[dict[str, Any]]:
    rows = await _run(request, lambda c: account_rows.list_tokens(c, who.tenant))
    return [asdict(r) for r in rows]


@router.post("/tenants/{tenant}/tokens", status_code=201)
async def create_token(request: Request, who: Admin, body: TokenBody) -> dict[str, Any]:
    row, secret = await _run(
        request, lambda c: sessions.create_token(c, who.tenant, body.name, who.agent_id)
    )
    return {**asdict(row), "token": secret}


@router.delete("/tenants/{tenant}/tokens/{token_id}")
async def revoke_token(request: Request, who: Admin, token_id: str) -> dict[str, Any]:
    await _run(request, lambda c: sessions.revoke_token(c, who.tenant, token_id))
    return {"token_id": token_id, "status": "revoked"}
