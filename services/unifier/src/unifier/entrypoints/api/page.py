"""The agent inbox page: server-rendered (Jinja2), live via server-sent events, a reply box."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from unifier.entrypoints.api.auth import authorize
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store import queries

router = APIRouter(tags=["page"])
Tenant = Annotated[str, Depends(authorize)]
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)


async def _model(request: Request, tenant: str, selected: str | None) -> dict[str, Any]:
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        conversations = await queries.list_conversations(conn, tenant, limit=100)
        selected = selected or (conversations[0]["thread_id"] if conversations else None)
        thread = await queries.get_thread(conn, tenant, selected) if selected else None
    return {
        "tenant": tenant,
        "conversations": conversations,
        "thread": thread,
        "idempotency_key": str(uuid.uuid4()),
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home() -> HTMLResponse:
    """Where `make run` points: pick the tenant and paste its API token."""
    return HTMLResponse(_env.get_template("home.html").render())


@router.get("/inbox/{tenant}", response_class=HTMLResponse)
async def inbox(request: Request, tenant: Tenant, c: str | None = None) -> HTMLResponse:
    model = await _model(request, tenant, c)
    html = _env.get_template("inbox.html").render(**model, page=True)
    # the legacy page's inline script; goes with this page when the workspace replaces it
    return HTMLResponse(
        html, headers={"Content-Security-Policy": "default-src 'self' 'unsafe-inline'"}
    )


@router.get("/inbox/{tenant}/fragment", response_class=HTMLResponse)
async def fragment(request: Request, tenant: Tenant, c: str | None = None) -> HTMLResponse:
    model = await _model(request, tenant, c)
    return HTMLResponse(_env.get_template("inbox.html").render(**model, page=False))
