"""Routing settings, set by an admin: an agent's skills, concurrent limits per channel kind and
working hours; a team's required skills and where its conversations escalate. Everything is
checked before anything is written (a 422 names what is wrong, nothing changes)."""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.calendar import Calendar
from hotline.calendars.week import CalendarError, parse_week
from hotline.events import ChannelKind
from unifier.domain import routing
from unifier.service.commands import CommandError
from unifier.store import assignment_rows, routing_rows, team_rows
from unifier.store.assignment_rows import ThreadSlot
from unifier.store.routing_rows import AgentRouting, SkillLists, TeamRouting

CHANNELS = frozenset(typing.get_args(ChannelKind))
LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 (639-3 for those without a 2-letter code)
CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Hours(msgspec.Struct, forbid_unknown_fields=True):
    """An agent's shift: the calendar file format without iCal (``hotline.calendars``)."""

    timezone: str
    week: dict[str, list[str]]
    country: str | None = None
    subdivision: str | None = None


def _bad(reason: str, detail: str) -> CommandError:
    return CommandError(422, reason, detail)


def check_skills(skills: SkillLists) -> SkillLists:
    """Lower-cased, checked skill lists (languages, categories, channel kinds)."""
    languages, categories, channels = ([v.strip().lower() for v in vs] for vs in skills)
    for value in languages:
        if not LANGUAGE.match(value):
            raise _bad("bad_language", f"{value!r} is not an ISO 639-1 language code (e.g. fr)")
    for value in categories:
        if not CATEGORY.match(value):
            raise _bad("bad_category", f"{value!r}: a category is letters, digits, . _ -")
    for value in channels:
        if value not in CHANNELS:
            raise _bad(
                "bad_channel", f"{value!r} is not a channel kind ({', '.join(sorted(CHANNELS))})"
            )
    return languages, categories, channels


def check_limits(limits: Mapping[str, int]) -> dict[str, int]:
    for kind, limit in limits.items():
        if kind not in CHANNELS:
            raise _bad("bad_channel", f"limit for {kind!r}: not a channel kind")
        if not 0 <= limit <= 10_000:
            raise _bad("bad_limit", f"limit for {kind}: {limit} is not between 0 and 10000")
    return dict(limits)


def shift_of(spec: Mapping[str, Any]) -> Calendar:
    """The calendar of an hours spec; CommandError 422 names what is wrong."""
    try:
        hours = msgspec.convert(dict(spec), Hours)
        zone = ZoneInfo(hours.timezone)
        days = (
            holidays.country_holidays(hours.country, subdiv=hours.subdivision)
            if hours.country
            else frozenset()
        )
        return Calendar(zone, parse_week(hours.week), holidays=days)
    except (msgspec.ValidationError, CalendarError, ValueError, NotImplementedError) as exc:
        raise _bad("bad_hours", str(exc)) from exc
    except ZoneInfoNotFoundError as exc:
        raise _bad("bad_hours", f"timezone: {exc}") from exc


async def set_agent_routing(conn: AsyncConnection, tenant: str, row: AgentRouting) -> AgentRouting:
    if await assignment_rows.agent(conn, tenant, row.agent_id) is None:
        raise CommandError(404, "not_found", f"agent {row.agent_id}")
    if row.hours is not None:
        shift_of(row.hours)
    checked = row._replace(skills=check_skills(row.skills), limits=check_limits(row.limits))
    await routing_rows.put_agent_routing(conn, tenant, checked)
    return checked


async def check_team_routing(conn: AsyncConnection, tenant: str, row: TeamRouting) -> TeamRouting:
    """``row`` checked: an escalation supervisor must be an agent of the tenant and an
    escalation team one of its teams (or the team itself)."""
    supervisor, target = row.escalate_agent, row.escalate_team
    if supervisor is not None and await assignment_rows.agent(conn, tenant, supervisor) is None:
        raise _bad("unknown_agent", f"escalation supervisor {supervisor} is not an agent")
    teams = {str(t["team_id"]) for t in await team_rows.teams_of(conn, tenant)}
    if target is not None and target not in teams | {row.team_id}:
        raise _bad("unknown_team", f"escalation team {target} is not a team of {tenant}")
    return row._replace(requires=check_skills(row.requires))


async def set_team_routing(conn: AsyncConnection, tenant: str, row: TeamRouting) -> TeamRouting:
    """A team's required skills and escalation targets (its members and inboxes stay)."""
    teams = {str(t["team_id"]) for t in await team_rows.teams_of(conn, tenant)}
    if row.team_id not in teams:
        raise CommandError(404, "not_found", f"team {row.team_id}")
    checked = await check_team_routing(conn, tenant, row)
    await routing_rows.put_team_routing(conn, tenant, checked)
    return checked


def floor_skills(rows: Mapping[str, AgentRouting]) -> dict[str, routing.Skills]:
    return {a: routing.skills_of(*r.skills) for a, r in rows.items()}


def shifts(rows: Mapping[str, AgentRouting]) -> dict[str, Calendar | None]:
    """Each configured agent's shift; an hours spec that no longer builds (a timezone since
    removed) counts as no hours, so the agent is not silently never on shift."""
    out: dict[str, Calendar | None] = {}
    for agent, row in rows.items():
        try:
            out[agent] = None if row.hours is None else shift_of(row.hours)
        except CommandError:
            out[agent] = None
    return out


def on_shift_now(
    rows: Mapping[str, AgentRouting], agents: Sequence[str], now: datetime
) -> frozenset[str]:
    return frozenset(routing.on_shift(shifts(rows), agents, now))


def needs(slot: ThreadSlot) -> routing.Needs:
    return routing.needs_of(slot.channel_kind, slot.language, slot.category)


async def teams_of(
    conn: AsyncConnection,
    tenant: str,
    slots: Sequence[ThreadSlot],
    inboxes: Sequence[tuple[str, str, str]],
) -> dict[str, str | None]:
    """thread id -> the team whose queue takes it: the team it was escalated to, else its
    inbox's team that its needs meet (``routing.team_for``)."""
    requires = {
        t: routing.skills_of(*r.requires)
        for t, r in (await routing_rows.team_routing_of(conn, tenant)).items()
    }
    routes = await routing_rows.routes_of(conn, tenant, [s.thread_id for s in slots])
    return {
        s.thread_id: routes.get(s.thread_id)
        or routing.team_for(needs(s), s.account_id, inboxes, requires)
        for s in slots
    }
