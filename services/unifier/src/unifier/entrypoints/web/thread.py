"""The thread pane: ``GET /inbox/conversations/{id}`` — the whole page without ``HX-Request``,
the pane (for ``#thread``) with it; ``…/timeline`` the timeline alone, for live refreshes that
leave the composer (draft, Idempotency-Key, status) untouched. Viewing marks the thread read.

The page reads one committed state (``store.engine.snapshot``: a batch committing meanwhile is
shown whole or not at all) and then marks read, in a short transaction of its own, the
messages that state counted: one arriving in between stays unread."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web import images
from unifier.entrypoints.web.templating import render
from unifier.service import timeline
from unifier.store.engine import snapshot

router = APIRouter(prefix="/inbox/conversations", tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
HxRequest = Annotated[str | None, Header(alias="HX-Request", include_in_schema=False)]


def runtime_of(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


async def thread_model(request: Request, who: Principal, tid: str) -> dict[str, Any] | None:
    engine = runtime_of(request).engine
    async with snapshot(engine) as conn:
        thread = await timeline.thread_view(conn, who.tenant, tid)
        if thread is None:
            return None
        reach = await timeline.reply_channels(conn, who.tenant, tid, thread["contact_id"])
        attached = await images.stored(conn, who.tenant, thread)
    async with engine.begin() as conn:
        await timeline.mark_read(conn, who.tenant, tid, who.agent_id, thread["message_count"])
    await images.mark(request, attached)  # which attachments show inline
    return {"thread": thread, "channels": reach, "idempotency_key": str(uuid.uuid4())}


def not_found(who: Principal, tid: str, pane: bool) -> HTMLResponse:
    """Unknown here: another tenant's id reads exactly as an id that does not exist."""
    name = "_thread_missing.html" if pane else "thread.html"
    return render(name, who, status_code=404, thread=None, missing=tid)


@router.get("/{tid}", response_class=HTMLResponse, include_in_schema=False)
async def thread_page(request: Request, who: Who, tid: str, hx: HxRequest = None) -> HTMLResponse:
    model = await thread_model(request, who, tid)
    if model is None:
        return not_found(who, tid, pane=bool(hx))
    return render("_thread.html" if hx else "thread.html", who, only_timeline=False, **model)


@router.get("/{tid}/timeline", response_class=HTMLResponse, include_in_schema=False)
async def thread_timeline(request: Request, who: Who, tid: str) -> HTMLResponse:
    model = await thread_model(request, who, tid)
    if model is None:
        return not_found(who, tid, pane=True)
    return render("_thread.html", who, only_timeline=True, **model)
