"""``hotline sla recompute`` on both databases: after a policy change the shadow run shows what
would change (policy, state, due time, the events to emit) and writes nothing; --apply writes
it, once (a second run finds nothing to change or emit). It looks at open conversations only:
a resolved one, whose plan would change nothing, is not counted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import T0, ident, message
from unifier.entrypoints.sla_recompute import changes, recompute, recompute_tenant
from unifier.service import sla_admin, sla_refresh, thread_commands
from unifier.store.schema import outbox
from unifier.store.schema_sla import sla_clocks

SLOW = {"name": "slow", "first_response": "1h", "hours": "calendar"}
FAST = {"name": "fast", "first_response": "5m", "hours": "calendar"}


async def _sla_events(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        q = sa.select(outbox.c.event_type).where(outbox.c.event_type.like("sla.%"))
        return sorted(r.event_type for r in await conn.execute(q))


async def _policies(engine: AsyncEngine, tid: str) -> set[str]:
    q = sa.select(sla_clocks.c.policy).where(sla_clocks.c.thread_id == tid)
    async with engine.connect() as conn:
        return {r.policy for r in await conn.execute(q)}


def asked_at(now: datetime) -> timedelta:
    """Ten minutes before ``now``, as the factory's offset from its T0."""
    return now - T0 - timedelta(minutes=10)


async def test_shadow_then_apply(engine: AsyncEngine, dsn: str) -> None:
    tenant, now = "r" + uuid.uuid4().hex[:8], datetime.now(UTC)
    asked = message("q1", tenant=tenant, ids=[ident("email", "a@x.test")], at=asked_at(now))
    resolved = message(
        "q2", tenant=tenant, ids=[ident("email", "b@x.test")], handle="b@x.test", at=asked_at(now)
    )
    plan = await decide_batch(engine, tenant, [asked, resolved])
    tid, done = plan.touched_threads
    async with engine.begin() as conn:
        await sla_admin.set_policies(conn, tenant, [SLOW])
        await sla_refresh.refresh(conn, tenant, [tid, done], now)
        await thread_commands.set_open(conn, tenant, done, open_=False, by="a1")
        await sla_admin.set_policies(conn, tenant, [FAST])
    assert await _policies(engine, tid) == {"slow"} and await _sla_events(engine) == []
    events = await _sla_events(engine)
    # the resolved one is not looked at: its cycle is closed, a recompute would change nothing
    async with engine.begin() as conn:
        later = datetime.now(UTC)  # after the close
        [closed] = await recompute_tenant(conn, tenant, [done], later, apply=False)
        assert (changes(closed), closed.events) == ([], [])
        await conn.rollback()
    assert await _sla_events(engine) == events

    shadow = await recompute(dsn, tenant, apply=False)
    assert (shadow.threads, shadow.changed, shadow.events) == (1, 1, 2)
    change = shadow.examples[0]
    assert change["policy"] == ["slow", "fast"] and change["state"] == ["running", "breached"]
    assert change["due_at"][1] == (asked.received_at + timedelta(minutes=5)).isoformat()
    assert {e.get("event") for e in shadow.examples[1:]} == {"sla.warning", "sla.breached"}
    assert await _policies(engine, tid) == {"slow"} and await _sla_events(engine) == []  # unwritten

    applied = await recompute(dsn, tenant, apply=True)
    assert (applied.changed, applied.events) == (1, 2)
    assert await _policies(engine, tid) == {"fast"}
    assert await _policies(engine, done) == {"slow"}  # its closed cycle keeps its policy
    assert await _sla_events(engine) == ["sla.breached.v1", "sla.warning.v1"]
    again = await recompute(dsn, tenant, apply=True)
    assert (again.changed, again.events) == (0, 0)
    assert len(await _sla_events(engine)) == 2
