"""``hotline sla recompute`` on both databases: after a policy change the shadow run shows what
would change (policy, state, due time, the events to emit) and writes nothing; --apply writes
it, once (a second run finds nothing to change or emit)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import T0, ident, message
from unifier.entrypoints.sla_recompute import recompute
from unifier.service import sla_admin, sla_refresh
from unifier.store.schema import outbox
from unifier.store.schema_sla import sla_clocks

SLOW = {"name": "slow", "first_response": "1h", "hours": "calendar"}
FAST = {"name": "fast", "first_response": "5m", "hours": "calendar"}


async def _sla_events(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        q = sa.select(outbox.c.event_type).where(outbox.c.event_type.like("sla.%"))
        return sorted(r.event_type for r in await conn.execute(q))


async def _policies(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return {r.policy for r in await conn.execute(sa.select(sla_clocks.c.policy))}


async def test_shadow_then_apply(engine: AsyncEngine, dsn: str) -> None:
    tenant, now = "r" + uuid.uuid4().hex[:8], datetime.now(UTC)
    asked = message(
        "q1", tenant=tenant, ids=[ident("email", "a@x.test")], at=now - T0 - timedelta(minutes=10)
    )
    plan = await decide_batch(engine, tenant, [asked])
    [tid] = plan.touched_threads
    async with engine.begin() as conn:
        await sla_admin.set_policies(conn, tenant, [SLOW])
        await sla_refresh.refresh(conn, tenant, [tid], now)
        await sla_admin.set_policies(conn, tenant, [FAST])
    assert await _policies(engine) == {"slow"} and await _sla_events(engine) == []

    shadow = await recompute(dsn, tenant, apply=False)
    assert (shadow.threads, shadow.changed, shadow.events) == (1, 1, 2)
    change = shadow.examples[0]
    assert change["policy"] == ["slow", "fast"] and change["state"] == ["running", "breached"]
    assert change["due_at"][1] == (asked.received_at + timedelta(minutes=5)).isoformat()
    assert {e.get("event") for e in shadow.examples[1:]} == {"sla.warning", "sla.breached"}
    assert await _policies(engine) == {"slow"} and await _sla_events(engine) == []  # unwritten

    applied = await recompute(dsn, tenant, apply=True)
    assert (applied.changed, applied.events) == (1, 2)
    assert await _policies(engine) == {"fast"}
    assert await _sla_events(engine) == ["sla.breached.v1", "sla.warning.v1"]
    again = await recompute(dsn, tenant, apply=True)
    assert (again.changed, again.events) == (0, 0)
    assert len(await _sla_events(engine)) == 2
