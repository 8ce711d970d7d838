"""A call and her WhatsApp message in one thread, and that thread read while batches commit
(SQLite and PostgreSQL, the real store): whichever order and batching the call's events and
her message arrive in, they share one thread flagged for a call back; and the API's read of a
thread is one committed state, so a batch committing between its statements (a missed call's
outcome and the thread's callback mark, written together) is seen whole or not at all, and
takes no row lock: it neither waits on a writer nor fails for one."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline import events as ev
from tests.unit.unifier.call_factory import Call, whatsapp_from
from tests.unit.unifier.factory import T0
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.entrypoints.api import calls as api_calls
from unifier.entrypoints.api import sla_routes
from unifier.entrypoints.api.auth import Principal
from unifier.entrypoints.web.actions_model import actions_model
from unifier.store import queries
from unifier.store.call_views import needs_callback
from unifier.store.load import load_working_set
from unifier.store.schema import messages, threads
from unifier.store.write import write_plan

pytestmark = pytest.mark.integration
MEI = "+4915100000009"
Inbound = ev.MessageReceived | ev.CallEvent


def whatsapp(tenant: str, second: int) -> ev.MessageReceived:
    return whatsapp_from(tenant, MEI, timedelta(seconds=second), "I will call you")


async def fold(engine: AsyncEngine, tenant: str, events: Sequence[Inbound]) -> None:
    """One batch as the consumer runs it: load, decide, write, one transaction."""
    async with engine.begin() as conn:
        ws = await load_working_set(conn, tenant, events, RuleSet())
        await write_plan(conn, ws, unify(ws, [(e, ev.encode(e)) for e in events], RuleSet()))


async def threads_of(engine: AsyncEngine, tenant: str) -> tuple[set[str], set[str]]:
    """(the threads holding her items, the live threads flagged for a call back)."""
    m, t = messages.c, threads.c
    async with engine.connect() as conn:
        held = await conn.execute(sa.select(m.thread_id).where(m.tenant == tenant))
        flagged = await conn.execute(
            sa.select(t.thread_id).where(
                t.tenant == tenant, t.merged_into.is_(None), needs_callback()
            )
        )
        return set(held.scalars()), set(flagged.scalars())


def arrivals() -> list[tuple[str, int]]:
    """Every order of her message (W), the call ringing (R) and nobody answering (E), cut
    into one batch or two at each place."""
    return [("".join(o), cut) for o in itertools.permutations("WRE") for cut in range(3)]


@pytest.mark.parametrize("second", [-60, 20])  # her message before the call, or during it
async def test_her_call_and_whatsapp_share_one_flagged_thread_in_any_arrival(
    engine: AsyncEngine, second: int
) -> None:
    for order, cut in arrivals():
        tenant = "t" + uuid.uuid4().hex[:8]
        call = Call("CA1", MEI, tenant=tenant)
        by_name: dict[str, Inbound] = {
            "W": whatsapp(tenant, second),
            "R": call.started(0),
            "E": call.ended(35, "no_answer", talk=None),
        }
        events = [by_name[n] for n in order]
        for batch in (events[:cut], events[cut:]):
            if batch:
                await fold(engine, tenant, batch)
        held, flagged = await threads_of(engine, tenant)
        assert len(held) == 1 and flagged == held, (order, cut, held, flagged)


class CommitsBetween:
    """A connection that lets another transaction commit right after its first statement, as
    the consumer's batch may while the API reads a thread statement by statement."""

    def __init__(self, conn: AsyncConnection, between: Callable[[], Awaitable[None]]) -> None:
        self.conn = conn
        self.between: Callable[[], Awaitable[None]] | None = between

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = await self.conn.execute(*args, **kwargs)
        if self.between is not None:
            between, self.between = self.between, None
            await between()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def request_on(engine: AsyncEngine) -> Request:
    """The request as ``api.calls.read`` uses it: only the runtime's engine."""
    state = SimpleNamespace(runtime=SimpleNamespace(engine=engine))
    return cast(Request, SimpleNamespace(app=SimpleNamespace(state=state)))


async def test_a_thread_read_while_her_missed_call_commits_is_one_state(
    engine: AsyncEngine,
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    call = Call("CA1", MEI, tenant=tenant)
    await fold(engine, tenant, [whatsapp(tenant, -60), call.started(0)])
    [tid] = (await threads_of(engine, tenant))[0]

    async def nobody_answered() -> None:
        await fold(engine, tenant, [call.ended(35, "no_answer", talk=None)])

    async def read(conn: AsyncConnection) -> dict[str, Any] | None:
        between = cast(AsyncConnection, CommitsBetween(conn, nobody_answered))
        return await queries.get_thread(between, tenant, tid)

    seen = await api_calls.read(request_on(engine), read)
    assert seen is not None
    [item] = [m["call"] for m in seen["messages"] if m["call"]]
    assert (item["outcome"], seen["needs_callback"]) == (None, False)  # as before the batch
    after = await queries_thread(engine, tenant, tid)
    [item] = [m["call"] for m in after["messages"] if m["call"]]
    assert (item["outcome"], after["needs_callback"]) == ("no_answer", True)


async def queries_thread(engine: AsyncEngine, tenant: str, tid: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        found = await queries.get_thread(conn, tenant, tid)
    assert found is not None
    return found


View = Callable[[Request, str, str], Awaitable[dict[str, Any]]]


async def sla_view(request: Request, tenant: str, tid: str) -> dict[str, Any]:
    """``GET …/conversations/{id}/sla`` as its route runs it."""
    return await sla_routes.conversation_sla(request, tenant, cast(Principal, None), tid)


async def actions_view(request: Request, tenant: str, tid: str) -> dict[str, Any]:
    """The thread's actions fragment's model (its waiting mark comes from the SLA rows)."""
    model = await api_calls.read(request, lambda c: actions_model(c, tenant, tid))
    return dict(model["conversation"])


@pytest.mark.parametrize("view", [sla_view, actions_view])
async def test_a_read_of_a_thread_another_transaction_holds_neither_waits_nor_locks(
    engine: AsyncEngine, view: View
) -> None:
    """Another transaction holds the thread's row (it marked the thread waiting, not committed
    yet) while a read-only view reads it: the view answers at once with the committed state.
    PostgreSQL: a locking read (``FOR UPDATE``) would wait for that transaction, and fails in
    the read's read-only snapshot; SQLite's readers never wait on its writer."""
    tenant = "t" + uuid.uuid4().hex[:8]
    await fold(engine, tenant, [whatsapp(tenant, -60)])
    [tid] = (await threads_of(engine, tenant))[0]
    t = threads.c
    mine = sa.and_(t.tenant == tenant, t.thread_id == tid)
    async with engine.connect() as other:
        await other.execute(threads.update().where(mine).values(waiting_since=T0))
        seen = await asyncio.wait_for(view(request_on(engine), tenant, tid), timeout=10)
        await other.rollback()
    assert seen["waiting_since"] is None  # the committed state, not the held one
