"""The tenant's SLA configuration rows: ordered policies, calendars, team calendars."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import upsert
from unifier.store.schema_sla import sla_calendars, sla_policies, sla_team_calendars

_p, _c, _tc = sla_policies.c, sla_calendars.c, sla_team_calendars.c


async def policies(conn: AsyncConnection, tenant: str) -> list[tuple[str, str]]:
    """(name, spec JSON) in order: the first match wins."""
    q = sa.select(_p.name, _p.spec).where(_p.tenant == tenant).order_by(_p.position, _p.name)
    return [(r.name, r.spec) for r in await conn.execute(q)]


async def replace_policies(
    conn: AsyncConnection, tenant: str, specs: list[tuple[str, str]], now: datetime
) -> None:
    """The tenant's whole ordered list becomes ``specs`` (name, JSON)."""
    await conn.execute(sa.delete(sla_policies).where(_p.tenant == tenant))
    rows = [
        {"tenant": tenant, "name": n, "position": i, "spec": s, "updated_at": now}
        for i, (n, s) in enumerate(specs)
    ]
    if rows:
        await conn.execute(sa.insert(sla_policies), rows)


async def calendars(conn: AsyncConnection, tenant: str) -> dict[str, str]:
    q = sa.select(_c.name, _c.spec).where(_c.tenant == tenant).order_by(_c.name)
    return {r.name: r.spec for r in await conn.execute(q)}


async def calendar_closures(conn: AsyncConnection, tenant: str) -> dict[str, str]:
    """Each calendar's imported iCal closures (JSON), for those that have an import."""
    q = sa.select(_c.name, _c.ical_closures).where(
        _c.tenant == tenant, _c.ical_closures.is_not(None)
    )
    return {r.name: r.ical_closures for r in await conn.execute(q)}


async def ical(conn: AsyncConnection, tenant: str, name: str) -> str | None:
    q = sa.select(_c.ical).where(_c.tenant == tenant, _c.name == name)
    found: str | None = (await conn.execute(q)).scalar_one_or_none()
    return found


async def put_ical(
    conn: AsyncConnection,
    tenant: str,
    name: str,
    source: str | None,
    closures: str | None,
    now: datetime,
) -> bool:
    """The calendar's iCal import (None, None: none); False when there is no such calendar."""
    values = {"ical": source, "ical_closures": closures, "updated_at": now}
    where = sa.and_(_c.tenant == tenant, _c.name == name)
    done = await conn.execute(sa.update(sla_calendars).where(where).values(**values))
    return bool(done.rowcount)


async def put_calendar(
    conn: AsyncConnection, tenant: str, name: str, spec: str, now: datetime
) -> None:
    row = {"tenant": tenant, "name": name, "spec": spec, "updated_at": now}
    await upsert(conn, sla_calendars, [row], ["spec", "updated_at"])


async def delete_calendar(conn: AsyncConnection, tenant: str, name: str) -> bool:
    done = await conn.execute(sa.delete(sla_calendars).where(_c.tenant == tenant, _c.name == name))
    return bool(done.rowcount)


async def team_calendars(conn: AsyncConnection, tenant: str) -> dict[str, str]:
    q = sa.select(_tc.team_id, _tc.calendar).where(_tc.tenant == tenant)
    return {r.team_id: r.calendar for r in await conn.execute(q)}


async def set_team_calendar(
    conn: AsyncConnection, tenant: str, team_id: str, calendar: str | None
) -> None:
    where = sa.and_(_tc.tenant == tenant, _tc.team_id == team_id)
    await conn.execute(sa.delete(sla_team_calendars).where(where))
    if calendar is not None:
        row = {"tenant": tenant, "team_id": team_id, "calendar": calendar}
        await conn.execute(sa.insert(sla_team_calendars), [row])
