"""Teams for auto-assignment, set by an admin: members must be agents of the tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service.commands import CommandError
from unifier.service.routing import check_team_routing
from unifier.store import assignment_rows, routing_rows, team_rows
from unifier.store.routing_rows import TeamRouting


async def set_team(
    conn: AsyncConnection,
    tenant: str,
    team: tuple[str, str, bool],
    members: Sequence[str],
    inboxes: Sequence[tuple[str, str]],
    routing: TeamRouting | None = None,
) -> None:
    """``team``: (id, name, auto_assign); ``inboxes``: (channel kind, account id or "*");
    ``routing``: its required skills and escalation targets (None: none)."""
    known = {a.agent_id for a in await assignment_rows.agents_of(conn, tenant)}
    unknown = sorted(set(members) - known)
    if unknown:
        raise CommandError(422, "unknown_agent", f"not agents of {tenant}: {', '.join(unknown)}")
    checked = await check_team_routing(
        conn, tenant, routing or TeamRouting(team[0], ([], [], []), None, None)
    )
    await team_rows.put_team(conn, tenant, team, members, inboxes, datetime.now(UTC))
    await routing_rows.put_team_routing(conn, tenant, checked)
