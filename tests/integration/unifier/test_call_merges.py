"""Merging and splitting threads that hold calls (SQLite, the real store and commands): the
merged thread needs a callback when either thread's latest missed call is later than both
threads' latest answer; a split moves each missed call's mark with the call, and an answer or
call back that settled it before the split still settles it after. And a call whose first
events name no caller (Vonage's recording) is in no thread until a later batch names her."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from tests.unit.unifier.call_factory import Call
from unifier.domain.call_unify import call_message_id
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.service import thread_commands
from unifier.store.call_views import needs_callback
from unifier.store.engine import create_engine, migrate
from unifier.store.load import load_working_set
from unifier.store.schema import messages, threads
from unifier.store.schema_calls import calls
from unifier.store.write import write_plan

pytestmark = pytest.mark.integration
MARIA, JOHN = "+4915100000001", "+4915100000002"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path}/unifier.db")
    await migrate(engine)
    yield engine
    await engine.dispose()


async def fold(engine: AsyncEngine, events: Sequence[ev.CallEvent]) -> None:
    """One batch as the consumer runs it: load, decide, write, one transaction."""
    async with engine.begin() as conn:
        ws = await load_working_set(conn, "acme", events, RuleSet())
        await write_plan(conn, ws, unify(ws, [(e, ev.encode(e)) for e in events], RuleSet()))


async def thread_of(engine: AsyncEngine, call_id: str) -> str:
    item = call_message_id("acme", "voice", call_id)
    async with engine.connect() as conn:
        q = sa.select(messages.c.thread_id).where(messages.c.message_id == item)
        tid: str = (await conn.execute(q)).scalar_one()
    return tid


async def flagged(engine: AsyncEngine) -> set[str]:
    """The threads the inbox lists as needing a callback (a merged thread is listed no more)."""
    t = threads.c
    async with engine.connect() as conn:
        q = sa.select(t.thread_id).where(needs_callback(), t.merged_into.is_(None))
        return set((await conn.execute(q)).scalars())


def missed(call: Call, start: int) -> list[ev.CallEvent]:
    return [call.started(start), call.ended(start + 35, "abandoned", talk=None)]


def answered(call: Call, start: int) -> list[ev.CallEvent]:
    return [call.started(start), call.answered(start + 10), call.ended(start + 60)]


async def merged(engine: AsyncEngine, src: str, dst: str) -> None:
    async with engine.begin() as conn:
        await thread_commands.merge_threads(conn, "acme", src, dst, "ana")


async def test_a_merge_keeps_the_missed_call_of_the_merged_thread(store: AsyncEngine) -> None:
    await fold(store, [*missed(Call("CA1", MARIA), 0), *answered(Call("CA2", JOHN), -600)])
    maria, john = await thread_of(store, "CA1"), await thread_of(store, "CA2")
    assert await flagged(store) == {maria}
    await merged(store, maria, john)
    assert await flagged(store) == {john}  # Maria's missed call is still owed


async def test_a_merge_settles_by_the_later_answer_of_either_thread(store: AsyncEngine) -> None:
    await fold(store, [*missed(Call("CA1", MARIA), 0), *answered(Call("CA2", JOHN), 100)])
    maria, john = await thread_of(store, "CA1"), await thread_of(store, "CA2")
    await merged(store, john, maria)
    assert await flagged(store) == set()  # talked to after the missed call: settled
    await fold(store, missed(Call("CA3", MARIA), 300))  # later missed calls still flag it
    assert await flagged(store) == {maria}


async def split(engine: AsyncEngine, call_id: str) -> tuple[str, str]:
    src = await thread_of(engine, call_id)
    async with engine.begin() as conn:
        item = call_message_id("acme", "voice", call_id)
        new, _ = await thread_commands.split_thread(conn, "acme", src, [item], "ana")
    return src, new


async def test_a_split_moves_the_missed_call_mark_with_the_call(store: AsyncEngine) -> None:
    await fold(store, [*answered(Call("CA1", MARIA), 0), *missed(Call("CA2", MARIA), 100)])
    assert await thread_of(store, "CA1") == await thread_of(store, "CA2")  # one thread
    assert await flagged(store) == {await thread_of(store, "CA1")}
    src, new = await split(store, "CA2")
    assert await flagged(store) == {new}  # the answered call left behind owes nothing
    assert await thread_of(store, "CA1") == src


async def test_a_split_never_flags_a_settled_missed_call(store: AsyncEngine) -> None:
    await fold(store, [*missed(Call("CA1", MARIA), 0), *answered(Call("CA2", MARIA), 100)])
    assert await flagged(store) == set()
    await split(store, "CA1")  # the missed call leaves, her answer settled it
    assert await flagged(store) == set()
    await fold(store, missed(Call("CA3", MARIA), 400))
    assert await flagged(store) == {await thread_of(store, "CA3")}


async def test_a_call_first_known_without_its_caller_joins_her_thread_later(
    store: AsyncEngine,
) -> None:
    maria = Call("CA1", MARIA)
    await fold(store, answered(Call("CA0", MARIA), -600))  # her earlier call: her thread
    nameless = maria.recording()
    nameless.caller = ev.Sender(handle="")
    await fold(store, [nameless])
    async with store.connect() as conn:
        items = (await conn.execute(sa.select(messages.c.provider_message_id))).scalars()
        assert list(items) == ["CA0"]  # the call is in no thread yet
        assert (
            await conn.execute(sa.select(calls.c.caller).where(calls.c.call_id == "CA1"))
        ).scalar_one() == ""
    await fold(store, missed(maria, 0))  # a later batch names her
    assert await thread_of(store, "CA1") == await thread_of(store, "CA0")
    async with store.connect() as conn:
        row = (await conn.execute(sa.select(calls).where(calls.c.call_id == "CA1"))).one()
    assert (row.caller, row.message_id) == (MARIA, call_message_id("acme", "voice", "CA1"))
    assert "RE1" in row.recordings  # what the nameless callback brought is kept
    assert await flagged(store) == {await thread_of(store, "CA1")}
