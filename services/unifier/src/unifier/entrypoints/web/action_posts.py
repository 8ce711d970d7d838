"""The action forms of ``_thread_actions.html``: each runs its command and answers the
fragment refreshed (with a notice), or the error in the fragment's alert slot, changing
nothing. Merge and split also tell the page (``HX-Trigger: hotline:thread-moved``) which
conversation to show, since messages left the one on screen."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.domain import snoozing
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.web.actions import BASE, failed
from unifier.entrypoints.web.actions_model import load
from unifier.entrypoints.web.templating import render
from unifier.service import labels, snooze, thread_commands, waiting

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
Command = Callable[[AsyncConnection], Awaitable[Any]]


async def _run(
    request: Request, who: Principal, cid: str, command: Command, notice: str, moved: str = ""
) -> HTMLResponse:
    """``moved``: the conversation the page should show now (after a merge or split)."""
    try:
        await calls.write(request, who.tenant, command, [cid, moved] if moved else [cid])
        response = render(
            "_thread_actions.html", who, **await load(request, who, moved or cid, notice)
        )
    except Rejected as exc:
        return failed(who, exc)
    if moved:
        trigger = {"hotline:thread-moved": {"conversation": moved, "from": cid}}
        response.headers["HX-Trigger"] = json.dumps(trigger)
    return response


async def _form(request: Request) -> Any:
    return await request.form()


@router.post(BASE + "/actions/labels", response_class=HTMLResponse, include_in_schema=False)
async def change_labels(request: Request, who: Who, cid: str) -> HTMLResponse:
    form = await _form(request)
    add = [str(v) for v in form.getlist("add") if str(v).strip()]
    remove = [str(v) for v in form.getlist("remove")]
    if not add and not remove:
        return failed(who, Rejected(422, "bad_label", "type a label to add"))

    def command(c: AsyncConnection) -> Awaitable[list[str]]:
        return labels.change_labels(c, who.tenant, cid, who.agent_id, add=add, remove=remove)

    return await _run(request, who, cid, command, "Labels saved")


@router.post(BASE + "/actions/close", response_class=HTMLResponse, include_in_schema=False)
async def close(request: Request, who: Who, cid: str) -> HTMLResponse:
    """Resolve; the form's ``survey=0`` ("Resolve without survey") asks for no rating."""
    form = await request.form()
    policy = None if str(form.get("survey") or "1") == "0" else request.app.state.surveys

    def command(c: AsyncConnection) -> Awaitable[Any]:
        return thread_commands.set_open(
            c, who.tenant, cid, open_=False, by=who.agent_id, survey=policy
        )

    return await _run(request, who, cid, command, "Closed")


@router.post(BASE + "/actions/reopen", response_class=HTMLResponse, include_in_schema=False)
async def reopen(request: Request, who: Who, cid: str) -> HTMLResponse:
    def command(c: AsyncConnection) -> Awaitable[Any]:
        return thread_commands.set_open(c, who.tenant, cid, open_=True, by=who.agent_id)

    return await _run(request, who, cid, command, "Reopened")


def _until(form: Any) -> datetime:
    """A preset (1h, tomorrow, next_week) or the datetime input, in the browser's zone."""
    tz = snoozing.zone(str(form.get("tz") or "UTC"))
    preset, given = str(form.get("preset") or ""), str(form.get("until") or "")
    if preset:
        return snoozing.preset_until(preset, datetime.now(UTC), tz)
    if not given:
        raise snoozing.BadSnooze("pick a preset or a date and time")
    return snoozing.local_until(given, tz)


@router.post(BASE + "/actions/snooze", response_class=HTMLResponse, include_in_schema=False)
async def snooze_until(request: Request, who: Who, cid: str) -> HTMLResponse:
    try:
        until = _until(await _form(request))
    except snoozing.BadSnooze as exc:
        return failed(who, Rejected(422, "bad_snooze", str(exc)))

    def command(c: AsyncConnection) -> Awaitable[Any]:
        return snooze.snooze(c, who.tenant, cid, who.agent_id, until)

    return await _run(request, who, cid, command, "Snoozed")


@router.post(BASE + "/actions/unsnooze", response_class=HTMLResponse, include_in_schema=False)
async def unsnooze(request: Request, who: Who, cid: str) -> HTMLResponse:
    def command(c: AsyncConnection) -> Awaitable[Any]:
        return snooze.unsnooze(c, who.tenant, cid, who.agent_id)

    return await _run(request, who, cid, command, "Back in the inbox")


@router.post(BASE + "/actions/waiting", response_class=HTMLResponse, include_in_schema=False)
async def waiting_on_customer(request: Request, who: Who, cid: str) -> HTMLResponse:
    """Waiting on the customer (the SLA clocks pause) or not: the form's ``on`` says which."""
    on = str((await _form(request)).get("on") or "") == "true"

    def command(c: AsyncConnection) -> Awaitable[Any]:
        return waiting.set_waiting(c, who.tenant, cid, who.agent_id, on=on)

    notice = "Waiting on the customer" if on else "No longer waiting on the customer"
    return await _run(request, who, cid, command, notice)


@router.post(BASE + "/actions/merge", response_class=HTMLResponse, include_in_schema=False)
async def merge(request: Request, who: Who, cid: str) -> HTMLResponse:
    form = await _form(request)
    into = str(form.get("pasted") or "").strip() or str(form.get("into") or "").strip()
    if not into:
        return failed(
            who, Rejected(422, "no_target", "pick or paste the conversation to merge into")
        )

    def command(c: AsyncConnection) -> Awaitable[Any]:
        return thread_commands.merge_threads(c, who.tenant, cid, into, who.agent_id)

    return await _run(request, who, cid, command, f"Merged conversation {cid} into this one", into)


@router.post(BASE + "/actions/split", response_class=HTMLResponse, include_in_schema=False)
async def split(request: Request, who: Who, cid: str) -> HTMLResponse:
    ids = [str(v) for v in (await _form(request)).getlist("message_ids")]
    if not ids:
        return failed(who, Rejected(422, "no_messages", "select the messages to move"))
    made: list[str] = []

    async def command(c: AsyncConnection) -> None:
        new, _ = await thread_commands.split_thread(c, who.tenant, cid, ids, who.agent_id)
        made.append(new)

    try:
        await calls.write(request, who.tenant, command, [cid])
    except Rejected as exc:
        return failed(who, exc)
    notice = f"Moved {len(ids)} message(s) into conversation {made[0]}"
    response = render("_thread_actions.html", who, **await load(request, who, cid, notice))
    trigger = {"hotline:thread-moved": {"conversation": cid, "new": made[0]}}
    response.headers["HX-Trigger"] = json.dumps(trigger)
    return response
