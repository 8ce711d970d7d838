"""The workspace: ``GET /inbox`` (list, thread and contact panes) and ``GET /inbox/list`` (the
list pane's fragment: the whole list, or with ``cursor`` the next rows to append).

The thread pane is loaded with htmx from ``/inbox/conversations/{id}`` when ``?c=<id>`` names a
conversation; the contact pane belongs to the contact page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web import list_model
from unifier.entrypoints.web.list_model import Filters
from unifier.entrypoints.web.templating import render
from unifier.store import inbox_rows

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
PageFilters = Annotated[Filters, Depends(list_model.filters_for("open"))]
LIST_BODY = "list-body"  # the element a filter change replaces (the URL follows it)


async def _model(
    request: Request, who: Principal, f: Filters, cursor: str | None, selected: str | None
) -> dict[str, Any]:
    runtime: ConsumerRuntime = request.app.state.runtime
    q = list_model.query(f, who.tenant, who.agent_id, datetime.now(UTC), cursor)
    async with runtime.engine.connect() as conn:
        rows, after = await list_model.load(conn, q)
        offered = await inbox_rows.choices(conn, who.tenant)
    return {
        "f": f,
        "rows": rows,
        "more_url": f.url("/inbox/list", cursor=after) if after else None,
        "selected": selected,
        "agents": offered["agents"],
        "labels": offered["labels"],
        "channels": list_model.CHANNELS,
        "open_url": lambda tid: f.url("/inbox", c=tid),
    }


@router.get("/inbox", response_class=HTMLResponse, include_in_schema=False)
async def inbox(request: Request, who: Who, f: PageFilters, c: str | None = None) -> HTMLResponse:
    return render("inbox.html", who, **await _model(request, who, f, None, c))


@router.get("/inbox/list", response_class=HTMLResponse, include_in_schema=False)
async def list_pane(
    request: Request,
    who: Who,
    f: PageFilters,
    cursor: str | None = None,
    c: str | None = None,
    hx_target: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """With ``cursor``: the next rows and their "Load more". Without: the list body; when a
    filter form asked for it, the address bar follows (``HX-Push-Url``)."""
    model = await _model(request, who, f, cursor, c)
    if cursor:
        return render("_list_rows.html", who, **model)
    response = render("_list.html", who, **model)
    if hx_target == LIST_BODY:
        response.headers["HX-Push-Url"] = f.url("/inbox", c=c)
    return response
