"""SLA API: the tenant's policies and calendars (an admin sets them), a team's calendar, a
conversation's clocks, and the agent's "waiting on the customer" toggle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import sla_admin, sla_ical, sla_refresh, waiting
from unifier.service.commands import CommandError
from unifier.store import thread_rows

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["sla"])
Who = Annotated[Principal, Depends(principal)]


class PoliciesBody(BaseModel):
    policies: list[dict[str, Any]] = Field(max_length=200, description="in order: first match")


class TeamCalendarBody(BaseModel):
    calendar: str | None = Field(description="a calendar's name; null: the tenant's default")


class WaitingBody(BaseModel):
    waiting: bool


def _admin(who: Principal) -> None:
    """Admins, and the operator's configured token (it sets a new tenant up)."""
    if not who.manages_accounts:
        raise Rejected(403, "forbidden", "only an admin sets SLA policies and calendars")


@router.get("/sla/policies")
async def get_policies(request: Request, tenant: str, who: Who) -> list[dict[str, Any]]:
    return await calls.read(request, lambda c: sla_admin.policies(c, tenant))


@router.put("/sla/policies")
async def put_policies(
    request: Request, tenant: str, who: Who, body: PoliciesBody
) -> list[dict[str, Any]]:
    """Replace the ordered list; conversations already in a cycle keep its policy until
    ``hotline sla recompute --apply``; new cycles take the first match of this list."""
    _admin(who)
    return await calls.write(
        request,
        tenant,
        lambda c: sla_admin.set_policies(c, tenant, body.policies, targets_must_exist=True),
    )


@router.get("/sla/calendars")
async def get_calendars(request: Request, tenant: str, who: Who) -> dict[str, Any]:
    return await calls.read(request, lambda c: sla_admin.calendars(c, tenant))


@router.put("/sla/calendars/{name}")
async def put_calendar(
    request: Request, tenant: str, who: Who, name: str, body: dict[str, Any]
) -> dict[str, str]:
    _admin(who)
    await calls.write(request, tenant, lambda c: sla_admin.put_calendar(c, tenant, name, body))
    return {"calendar": name, "status": "saved"}


@router.delete("/sla/calendars/{name}")
async def delete_calendar(request: Request, tenant: str, who: Who, name: str) -> dict[str, str]:
    _admin(who)
    await calls.write(request, tenant, lambda c: sla_admin.delete_calendar(c, tenant, name))
    return {"calendar": name, "status": "deleted"}


@router.put("/sla/calendars/{name}/ical")
async def put_calendar_ical(request: Request, tenant: str, who: Who, name: str) -> dict[str, Any]:
    """An iCalendar file (the raw body, e.g. ``text/calendar``) whose events close the calendar;
    it replaces the calendar's earlier import. 413 over ``MAX_ICAL_BYTES``, 422 a bad file."""
    _admin(who)
    data = await _body(request, sla_ical.MAX_ICAL_BYTES)
    now = datetime.now(UTC)
    return await calls.write(
        request, tenant, lambda c: sla_ical.import_ical(c, tenant, name, data, now)
    )


@router.get("/sla/calendars/{name}/ical")
async def get_calendar_ical(request: Request, tenant: str, who: Who, name: str) -> Response:
    text = await calls.read(request, lambda c: sla_ical.source(c, tenant, name))
    return Response(text, media_type="text/calendar; charset=utf-8")


@router.delete("/sla/calendars/{name}/ical")
async def delete_calendar_ical(
    request: Request, tenant: str, who: Who, name: str
) -> dict[str, str]:
    _admin(who)
    now = datetime.now(UTC)
    await calls.write(request, tenant, lambda c: sla_ical.remove(c, tenant, name, now))
    return {"calendar": name, "status": "ical removed"}


async def _body(request: Request, limit: int) -> bytes:
    """The raw body, refused (413) as soon as it is longer than ``limit``."""
    if int(request.headers.get("content-length") or 0) > limit:
        raise Rejected(413, "too_large", f"the iCal file is larger than {limit} bytes")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise Rejected(413, "too_large", f"the iCal file is larger than {limit} bytes")
    return bytes(data)


@router.put("/sla/teams/{team_id}/calendar")
async def put_team_calendar(
    request: Request, tenant: str, who: Who, team_id: str, body: TeamCalendarBody
) -> dict[str, str | None]:
    _admin(who)
    await calls.write(
        request, tenant, lambda c: sla_admin.set_team_calendar(c, tenant, team_id, body.calendar)
    )
    return {"team_id": team_id, "calendar": body.calendar}


@router.post("/conversations/{conversation_id}/waiting")
async def set_waiting(
    request: Request, tenant: str, who: Who, conversation_id: str, body: WaitingBody
) -> dict[str, Any]:
    """Waiting on the customer (the SLA clocks pause) or not; the customer's next message
    clears it by itself."""
    since = await calls.write(
        request,
        tenant,
        lambda c: waiting.set_waiting(c, tenant, conversation_id, who.agent_id, on=body.waiting),
        [conversation_id],
    )
    return {
        "conversation_id": conversation_id,
        "waiting_since": since.isoformat() if since else None,
    }


@router.get("/conversations/{conversation_id}/sla")
async def conversation_sla(
    request: Request, tenant: str, who: Who, conversation_id: str
) -> dict[str, Any]:
    """The conversation's clocks as of now (computed from its stored facts; nothing written)."""

    async def found(conn: Any) -> dict[str, Any]:
        if await thread_rows.head(conn, tenant, conversation_id) is None:
            raise CommandError(404, "not_found", f"conversation {conversation_id}")
        now = datetime.now(UTC)
        plans = await sla_refresh.plan(conn, tenant, [conversation_id], now, lock=False)
        return plans[0].describe()

    return await calls.read(request, found)
