"""Managing a tenant's SLA configuration (the admin API, the SLA file): the ordered policies
(replaced as a whole: order is meaning, the first match wins), named calendars and the calendar
each team counts on. Everything is checked before anything is written: a bad policy or calendar
is a 422 naming it, and nothing changed. Open cycles keep the policy they began under; a
recompute (``hotline sla recompute``) applies a change to them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.files import spec_of as calendar_spec
from hotline.calendars.week import CalendarError
from unifier.domain.sla import BadPolicy
from unifier.service import sla_ical
from unifier.service.commands import CommandError
from unifier.service.sla_specs import (
    NAME,
    EscalationSpec,
    PolicySpec,
    as_json,
    decode,
    encode,
    spec_of,
)
from unifier.store import assignment_rows, team_rows
from unifier.store import sla_config_rows as rows


def check_policies(raw: list[Any]) -> list[PolicySpec]:
    try:
        specs = [spec_of(r) for r in raw]
    except BadPolicy as exc:
        raise CommandError(422, "bad_policy", str(exc)) from None
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise CommandError(422, "bad_policy", "policy names must be unique")
    return specs


async def set_policies(
    conn: AsyncConnection, tenant: str, raw: list[Any], *, targets_must_exist: bool = False
) -> list[dict[str, Any]]:
    """The ordered list; ``targets_must_exist`` (the API): an escalation team or supervisor a
    policy names must be a team or agent of the tenant (a file applied at start may name them
    before they exist; escalation skips a missing one and says so)."""
    specs = check_policies(raw)
    if targets_must_exist:
        await _check_targets(conn, tenant, specs)
    now = datetime.now(UTC)
    await rows.replace_policies(conn, tenant, [(s.name, encode(s)) for s in specs], now)
    return [as_json(s) for s in specs]


async def _check_targets(conn: AsyncConnection, tenant: str, specs: list[PolicySpec]) -> None:
    teams = {str(t["team_id"]) for t in await team_rows.teams_of(conn, tenant)}
    for spec in specs:
        named = spec.escalation or EscalationSpec()
        if named.team_id is not None and named.team_id not in teams:
            why = f"policy {spec.name}: escalation team {named.team_id} is not a team"
            raise CommandError(422, "unknown_team", why)
        agent = named.supervisor
        if agent is not None and await assignment_rows.agent(conn, tenant, agent) is None:
            why = f"policy {spec.name}: supervisor {agent} is not an agent"
            raise CommandError(422, "unknown_agent", why)


async def policies(conn: AsyncConnection, tenant: str) -> list[dict[str, Any]]:
    return [as_json(decode(text)) for _, text in await rows.policies(conn, tenant)]


def check_calendar(name: str, raw: Any) -> str:
    """The calendar's spec as stored (JSON); an iCal file comes by its own call (sla_ical)."""
    if not NAME.match(name):
        raise CommandError(422, "bad_calendar", f"calendar name {name!r}: letters, digits, _.:-")
    if isinstance(raw, dict) and raw.get("ical"):
        raise CommandError(422, "bad_calendar", f"{name}: PUT the iCal file to .../{name}/ical")
    try:
        spec = calendar_spec(raw, name)
    except CalendarError as exc:
        raise CommandError(422, "bad_calendar", str(exc)) from None
    return json.dumps(_builtins(spec), sort_keys=True)


def _builtins(spec: Any) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(spec)
    out.pop("ical", None)
    return out


async def put_calendar(conn: AsyncConnection, tenant: str, name: str, raw: Any) -> None:
    """The calendar's spec (an iCal import it has is kept, read again on its timezone)."""
    spec = check_calendar(name, raw)
    await rows.put_calendar(conn, tenant, name, spec, datetime.now(UTC))
    await sla_ical.reread(conn, tenant, name, json.loads(spec)["timezone"])


async def calendars(conn: AsyncConnection, tenant: str) -> dict[str, Any]:
    return {n: json.loads(text) for n, text in (await rows.calendars(conn, tenant)).items()}


async def delete_calendar(conn: AsyncConnection, tenant: str, name: str) -> None:
    if name in (await rows.team_calendars(conn, tenant)).values():
        raise CommandError(409, "calendar_in_use", f"a team counts on calendar {name}")
    if not await rows.delete_calendar(conn, tenant, name):
        raise CommandError(404, "not_found", f"calendar {name}")


async def set_team_calendar(
    conn: AsyncConnection, tenant: str, team_id: str, calendar: str | None
) -> None:
    if calendar is not None and calendar not in await rows.calendars(conn, tenant):
        raise CommandError(422, "unknown_calendar", f"calendar {calendar}: add it first")
    await rows.set_team_calendar(conn, tenant, team_id, calendar)
