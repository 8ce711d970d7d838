"""The contact panel, ``/inbox/contacts/{id}``: who the customer is (identities with how each
was proven and linked), their conversations, merged contacts to unmerge, "Merge with…" and
the link suggestions to accept or dismiss. The whole page without ``HX-Request``, the
``<aside id="contact">`` pane with it; every action answers with the refreshed pane and what
happened, a refusal with its status and reason (``static/js/contact.js`` swaps those in)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web.contact_model import Notice, candidates, panel_model, refusal
from unifier.entrypoints.web.templating import render
from unifier.service import commands, suggestions
from unifier.service.commands import CommandError
from unifier.store import queries
from unifier.store.contact_panel import own_labels

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
Action = Callable[[AsyncConnection], Awaitable[str]]  # does it, says what it did


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


async def _panel(
    request: Request,
    who: Who,
    cid: str,
    notice: Notice | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    async with _runtime(request).engine.connect() as conn:
        model = await panel_model(conn, who.tenant, cid)
    if model is None:
        notice, status = Notice("error", f"No contact {cid} in this workspace."), 404
    page = "_contact.html" if request.headers.get("HX-Request") == "true" else "contact_page.html"
    return render(page, who, status, panel=model, notice=notice, **{"confirm": None, **extra})


async def _act(request: Request, who: Who, cid: str, action: Action) -> HTMLResponse:
    try:
        async with _runtime(request).engine.begin() as conn:
            done = await action(conn)
    except CommandError as exc:
        return await _panel(request, who, cid, refusal(exc), exc.status)
    _runtime(request).relay.notify()
    request.app.state.live_feed.publish(who.tenant, {"conversations": [], "contacts": [cid]})
    return await _panel(request, who, cid, Notice("ok", done))


@router.get("/inbox/contacts/{cid}", response_class=HTMLResponse, include_in_schema=False)
async def contact(request: Request, who: Who, cid: str) -> HTMLResponse:
    return await _panel(request, who, cid)


@router.get(
    "/inbox/contacts/{cid}/candidates", response_class=HTMLResponse, include_in_schema=False
)
async def find(
    request: Request, who: Who, cid: str, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """Contacts to merge with, by name, email or phone (this contact's own group left out)."""
    async with _runtime(request).engine.connect() as conn:
        found = await candidates(conn, who.tenant, cid, q)
    return render("_contact_candidates.html", who, panel={"contact_id": cid}, q=q, found=found)


@router.get("/inbox/contacts/{cid}/merge", response_class=HTMLResponse, include_in_schema=False)
async def confirm_merge(request: Request, who: Who, cid: str, other: str) -> HTMLResponse:
    """The panel asking to confirm "Merge with…" (nothing changes until it is confirmed)."""
    async with _runtime(request).engine.connect() as conn:
        try:
            await _mergeable(conn, who.tenant, cid, other)
        except CommandError as exc:
            return await _panel(request, who, cid, refusal(exc), exc.status)
        found = await queries.get_contact(conn, who.tenant, other)
    return await _panel(request, who, cid, confirm=found)


async def _mergeable(conn: AsyncConnection, tenant: str, cid: str, other: str) -> None:
    if other == cid:
        raise CommandError(409, "same_contact", "a contact cannot be merged with itself")
    for each in (cid, other):
        if await queries.get_contact(conn, tenant, each) is None:
            raise CommandError(404, "not_found", f"contact {each}")
    if other in await queries.members(conn, tenant, await commands.root_of(conn, tenant, cid)):
        raise CommandError(
            409, "already_merged", f"contact {other} is already merged with this one"
        )


@router.post("/inbox/contacts/{cid}/merge", response_class=HTMLResponse, include_in_schema=False)
async def merge(
    request: Request, who: Who, cid: str, other: Annotated[str, Form()]
) -> HTMLResponse:
    async def action(conn: AsyncConnection) -> str:
        await _mergeable(conn, who.tenant, cid, other)
        names = await own_labels(conn, who.tenant, [cid, other])
        await commands.merge_contacts(conn, who.tenant, other, cid, who.agent_id)
        return f"Merged {names[other]} into {names[cid]}. Unmerge it below to undo."

    return await _act(request, who, cid, action)


@router.post("/inbox/contacts/{cid}/unmerge", response_class=HTMLResponse, include_in_schema=False)
async def unmerge(
    request: Request, who: Who, cid: str, member: Annotated[str, Form()]
) -> HTMLResponse:
    async def action(conn: AsyncConnection) -> str:
        name = (await own_labels(conn, who.tenant, [member]))[member]
        if member not in await queries.members(conn, who.tenant, cid):
            raise CommandError(409, "not_merged", f"{name} is not merged into this contact")
        done = await commands.unmerge_contact(conn, who.tenant, member, who.agent_id)
        back = done.restored_messages
        return f"Unmerged {name}; {back} message(s) of the merged period given back to it."

    return await _act(request, who, cid, action)


@router.post(
    "/inbox/contacts/{cid}/suggestions/{sid}/{verdict}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def decide(request: Request, who: Who, cid: str, sid: str, verdict: str) -> HTMLResponse:
    async def action(conn: AsyncConnection) -> str:
        if verdict == "accept":
            merged = await suggestions.accept(conn, who.tenant, cid, sid, who.agent_id)
            name = (await own_labels(conn, who.tenant, [merged.merged_contact_id]))[
                merged.merged_contact_id
            ]
            return f"Accepted: {name} is the same person and is merged into this contact."
        if verdict == "dismiss":
            gone = await suggestions.dismiss(conn, who.tenant, cid, sid, who.agent_id)
            name = (await own_labels(conn, who.tenant, [gone.suggested_contact_id]))[
                gone.suggested_contact_id
            ]
            return f"Dismissed: {name} is a different person; this pair is not suggested again."
        raise CommandError(404, "not_found", f"no action {verdict!r} on suggestions")

    return await _act(request, who, cid, action)
