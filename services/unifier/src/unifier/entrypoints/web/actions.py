"""The conversation actions as page routes (htmx): the ``_thread_actions.html`` fragment, the
action POSTs answering it refreshed (or a clear error in its place), and a canned response
rendered for the reply box. Without ``HX-Request`` the fragment comes as a small page with the
conversation's messages and activity (the thread pane includes the fragment itself)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.web.actions_model import load, page_model
from unifier.entrypoints.web.templating import render
from unifier.service import canned

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
BASE = "/inbox/conversations/{cid}"


@router.get(BASE + "/actions", response_class=HTMLResponse, include_in_schema=False)
async def actions(request: Request, who: Who, cid: str) -> HTMLResponse:
    try:
        if request.headers.get("HX-Request"):
            return render("_thread_actions.html", who, **await load(request, who, cid))
        model = await calls.read(request, lambda c: page_model(c, who.tenant, cid))
    except Rejected as exc:
        return failed(who, exc)
    return render("thread_actions_page.html", who, **model)


@router.get(BASE + "/canned/{canned_id}", include_in_schema=False)
async def canned_text(request: Request, who: Who, cid: str, canned_id: str) -> JSONResponse:
    """The canned response's text for this conversation and agent; ``unknown``: placeholders
    left as written."""
    out = await calls.read(
        request, lambda c: canned.rendered(c, who.tenant, cid, canned_id, who.name)
    )
    return JSONResponse({"text": out.text, "unknown": list(out.unknown)})


def failed(who: Principal, exc: Rejected) -> HTMLResponse:
    """The error in the fragment's alert slot (actions.js swaps it there)."""
    return render(
        "_thread_actions_error.html",
        who,
        status_code=exc.status,
        reason=exc.reason,
        detail=exc.detail,
    )
