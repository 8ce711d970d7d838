"""Minimal admin pages: the tenant's agents (create, disable) and API tokens (create, revoke).
A new token's secret is shown once, on the page answering its creation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.entrypoints.api.auth import Principal, account_manager, page_principal
from unifier.entrypoints.web.templating import render
from unifier.service import accounts, sessions
from unifier.service.commands import CommandError
from unifier.store import account_rows

router = APIRouter(prefix="/admin", tags=["page"])
T = TypeVar("T")


async def admin(who: Annotated[Principal, Depends(page_principal)]) -> Principal:
    return account_manager(who)


Admin = Annotated[Principal, Depends(admin)]


async def _page(request: Request, who: Principal, status: int = 200, **model: Any) -> HTMLResponse:
    async with request.app.state.runtime.engine.connect() as conn:
        agents = await account_rows.list_agents(conn, who.tenant)
        tokens = await account_rows.list_tokens(conn, who.tenant)
    values = {"error": "", "notice": "", "new_token": "", **model}
    return render("admin.html", who, status, agents=agents, tokens=tokens, **values)


async def _do(
    request: Request, who: Principal, fn: Callable[[AsyncConnection], Awaitable[T]]
) -> T | HTMLResponse:
    try:
        async with request.app.state.runtime.engine.begin() as conn:
            return await fn(conn)
    except CommandError as exc:
        return await _page(request, who, exc.status, error=exc.detail)


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def overview(request: Request, who: Admin) -> HTMLResponse:
    return await _page(request, who)


@router.post("/agents", response_class=HTMLResponse, include_in_schema=False)
async def create_agent(
    request: Request,
    who: Admin,
    email: Annotated[str, Form(max_length=320)],
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form()] = "agent",
) -> HTMLResponse:
    done = await _do(
        request, who, lambda c: accounts.create_agent(c, who.tenant, email, name, role, password)
    )
    if isinstance(done, HTMLResponse):
        return done
    return await _page(request, who, 201, notice=f"{done.email} can sign in now.")


@router.post("/agents/{agent_id}/disable", response_class=HTMLResponse, include_in_schema=False)
async def disable_agent(request: Request, who: Admin, agent_id: str) -> HTMLResponse:
    done = await _do(request, who, lambda c: accounts.disable_agent(c, who.tenant, agent_id))
    if isinstance(done, HTMLResponse):
        return done
    return await _page(request, who, notice=f"Disabled; {done} session(s) ended.")


@router.post("/tokens", response_class=HTMLResponse, include_in_schema=False)
async def create_token(
    request: Request, who: Admin, name: Annotated[str, Form(max_length=200)]
) -> HTMLResponse:
    done = await _do(
        request, who, lambda c: sessions.create_token(c, who.tenant, name, who.agent_id)
    )
    if isinstance(done, HTMLResponse):
        return done
    row, secret = done
    return await _page(request, who, 201, new_token=secret, notice=f"Token {row.name} created.")


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse, include_in_schema=False)
async def revoke_token(request: Request, who: Admin, token_id: str) -> HTMLResponse:
    done = await _do(request, who, lambda c: sessions.revoke_token(c, who.tenant, token_id))
    if isinstance(done, HTMLResponse):
        return done
    return await _page(request, who, notice="Token revoked.")
