"""A tenant's SLA configuration as the clocks use it: its ordered policies, the calendar each
team counts business hours on (the team's own, else the tenant's ``default``; no calendar:
every hour counts), and the team that takes a thread."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.files import calendar_of, spec_of
from hotline.calendars.ical import Closures
from unifier.domain.routing import needs_of, team_for
from unifier.domain.sla import BusinessTime, CalendarTime, Policy, Subject, select
from unifier.service import sla_ical
from unifier.service.sla_specs import decode, policy_of
from unifier.store import sla_config_rows as rows
from unifier.store import sla_rows

DEFAULT_CALENDAR = "default"


@dataclass
class SlaConfig:
    specs: list[tuple[str, str]]  # (name, JSON) in order
    policies: list[Policy]
    calendars: dict[str, BusinessTime]
    team_calendars: dict[str, str]
    inboxes: list[tuple[str, str, str]]

    def select(self, subject: Subject) -> tuple[Policy, str] | None:
        """The first policy that matches, with its spec (JSON)."""
        policy = select(self.policies, subject)
        if policy is None:
            return None
        return policy, dict(self.specs)[policy.name]

    def team(self, channel_kind: str, account: str | None) -> str | None:
        """The inbox's team, before any skill: the team a policy's ``teams`` names."""
        if account is None:
            return None
        return team_for(needs_of(channel_kind, None, None), account, self.inboxes, {})

    def time_of(self, team: str | None) -> BusinessTime:
        name = self.team_calendars.get(team or "", DEFAULT_CALENDAR)
        return self.calendars.get(name) or self.calendars.get(DEFAULT_CALENDAR) or CalendarTime()


def _closures(text: str | None) -> Closures | None:
    return None if text is None else sla_ical.decode(text)


async def load_config(conn: AsyncConnection, tenant: str) -> SlaConfig:
    specs = await rows.policies(conn, tenant)
    closures = await rows.calendar_closures(conn, tenant)
    calendars: dict[str, BusinessTime] = {
        name: calendar_of(spec_of(json.loads(text), name), _closures(closures.get(name)))
        for name, text in (await rows.calendars(conn, tenant)).items()
    }
    return SlaConfig(
        specs,
        [policy_of(decode(text)) for _, text in specs],
        calendars,
        await rows.team_calendars(conn, tenant),
        await sla_rows.inboxes(conn, tenant),
    )
