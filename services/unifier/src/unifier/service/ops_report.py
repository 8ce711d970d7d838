"""The operations report as the API and the page read it: the store's facts for the window,
the teams' inboxes, the SLA clocks' outcomes and the CSAT answers, and the names of the teams
and agents its rows and filters show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.ops_groups import NO_TEAM, UNASSIGNED
from unifier.domain.ops_quality import Quality
from unifier.domain.ops_report import Row, Scope, report
from unifier.store import assignment_rows, ops_quality_rows, ops_rows, team_rows


@dataclass(frozen=True)
class Report:
    scope: Scope
    rows: list[Row]
    total: Row
    teams: dict[str, str]  # team id: name ("(no team)" included)
    agents: dict[str, str]  # agent id: name ("(unassigned)" included)

    def label(self, key: str) -> str:
        """A row's name as shown: the team's or agent's name for those groups, else the key."""
        names = {"team": self.teams, "agent": self.agents}.get(self.scope.group, {})
        return names.get(key, key)


async def quality_sources(conn: AsyncConnection, tenant: str, threads: Sequence[str]) -> Quality:
    """The SLA clocks' outcomes and the CSAT answers of ``threads``, one store query each."""
    sla = await ops_quality_rows.sla_outcomes(conn, tenant, threads)
    csat = await ops_quality_rows.csat_answers(conn, tenant, threads)
    return Quality(sla=sla, csat=csat)


async def operations(conn: AsyncConnection, tenant: str, scope: Scope) -> Report:
    w = scope.window
    convs = await ops_rows.conversations(conn, tenant, w.start, w.end)
    missed = await ops_rows.missed_calls(conn, tenant, w.start, w.end)
    carried = await ops_rows.carried(conn, tenant, w.start, w.end)
    teams = {str(t["team_id"]): str(t["name"]) for t in await team_rows.teams_of(conn, tenant)}
    inboxes = await team_rows.inboxes_of(conn, tenant, list(teams))
    quality = await quality_sources(conn, tenant, [c.thread_id for c in convs])
    full = Scope(scope.group, w, scope.only, inboxes)
    rows, total = report(convs, missed, full, quality, carried)
    teams[NO_TEAM] = NO_TEAM
    agents = {a.agent_id: a.name for a in await assignment_rows.agents_of(conn, tenant)}
    agents[UNASSIGNED] = UNASSIGNED
    return Report(scope, rows, total, teams, agents)
