"""The admin page of the tenant's canned responses (``/admin/canned``): list, add, edit,
delete. Bodies are shown as text; placeholders are substituted only when an agent inserts one
(``domain.placeholders``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.domain.placeholders import KNOWN
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.web.actions import failed
from unifier.entrypoints.web.templating import render
from unifier.service import canned
from unifier.store import canned_rows

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise Rejected(403, "forbidden", "only admins change canned responses")


async def _list(request: Request, who: Principal, notice: str = "") -> HTMLResponse:
    rows = await calls.read(request, lambda c: canned_rows.all_of(c, who.tenant))
    return render("_canned_list.html", who, canned=rows, notice=notice)


@router.get("/admin/canned", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, who: Who) -> HTMLResponse:
    try:
        _admin(who)
    except Rejected as exc:
        return failed(who, exc)
    rows = await calls.read(request, lambda c: canned_rows.all_of(c, who.tenant))
    return render("canned.html", who, canned=rows, notice="", placeholders=KNOWN)


async def _change(
    request: Request,
    who: Principal,
    command: Callable[[AsyncConnection], Awaitable[Any]],
    done: str,
) -> HTMLResponse:
    try:
        _admin(who)
        await calls.write(request, who.tenant, command)
    except Rejected as exc:
        return failed(who, exc)
    return await _list(request, who, done)


async def _fields(request: Request) -> tuple[str, str, str]:
    form = await request.form()
    return tuple(str(form.get(k) or "") for k in ("shortcut", "title", "body"))  # type: ignore[return-value]


@router.post("/admin/canned", response_class=HTMLResponse, include_in_schema=False)
async def create(request: Request, who: Who) -> HTMLResponse:
    shortcut, title, body = await _fields(request)
    return await _change(
        request, who, lambda c: canned.create(c, who.tenant, shortcut, title, body), "Added"
    )


@router.post("/admin/canned/{canned_id}", response_class=HTMLResponse, include_in_schema=False)
async def update(request: Request, who: Who, canned_id: str) -> HTMLResponse:
    shortcut, title, body = await _fields(request)

    def command(c: AsyncConnection) -> Awaitable[Any]:
        return canned.update(c, who.tenant, canned_id, shortcut, title, body)

    return await _change(request, who, command, "Saved")


@router.post(
    "/admin/canned/{canned_id}/delete", response_class=HTMLResponse, include_in_schema=False
)
async def delete(request: Request, who: Who, canned_id: str) -> HTMLResponse:
    return await _change(request, who, lambda c: canned.delete(c, who.tenant, canned_id), "Deleted")
