"""Calls through the real broker into the unifier (SQLite and PostgreSQL, one per test): call
events published to ``hotline.inbound.voice`` shuffled and repeated are one call record; an
abandoned call and a voicemail mark their threads for a call back, a later answered call
settles it; a WhatsApp message and a call of one number share a thread; each change is a
``conversation.call.updated.v1`` on the unified stream, in the conversation's order."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS, INBOUND_VOICE, event_topic
from tests.integration.unifier.harness import (
    eventually,
    publish,
    read_unified,
    running,
    settings_for,
)
from tests.unit.unifier.call_factory import Call, whatsapp_from
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import timeline
from unifier.service.replies import ReplyAsk, request_reply
from unifier.store import queries
from unifier.store.schema import messages, offsets, threads
from unifier.store.schema_calls import calls

pytestmark = pytest.mark.integration
MARIA = "+4915100000001"


def shuffled_with_repeats(events: list[ev.CallEvent], seed: str) -> list[ev.CallEvent]:
    rng = random.Random(seed)
    out = events + rng.choices(events, k=len(events))
    rng.shuffle(out)
    return out


async def rows(rt: ConsumerRuntime, query: Any) -> list[Any]:
    async with rt.engine.connect() as conn:
        return list(await conn.execute(query))


async def until_calls(rt: ConsumerRuntime, tenant: str, n: int) -> None:
    async def stored() -> bool:
        q = sa.select(sa.func.count()).select_from(calls).where(calls.c.tenant == tenant)
        return bool((await rows(rt, q))[0][0] == n)

    await eventually(stored)


async def thread_of_call(rt: ConsumerRuntime, tenant: str, call_id: str) -> dict[str, Any]:
    m = messages.c
    [(tid,)] = await rows(
        rt, sa.select(m.thread_id).where(m.tenant == tenant, m.provider_message_id == call_id)
    )
    async with rt.engine.connect() as conn:
        found = await queries.get_thread(conn, tenant, tid)
    assert found is not None
    return found


def call_updates(events: list[un.UnifiedEvent], call_id: str) -> list[un.ConversationCallUpdated]:
    return [
        e for e in events if isinstance(e, un.ConversationCallUpdated) and e.call.call_id == call_id
    ]


async def conversation_events(kafka: str, tenant: str, enough: Any) -> list[un.UnifiedEvent]:
    found: list[un.UnifiedEvent] = []

    async def published() -> bool:
        found[:] = await read_unified(kafka, CONVERSATIONS, tenant)
        return bool(enough(found))

    await eventually(published)
    return found


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_one_call_record_and_one_thread_with_her_whatsapp(kafka: str, dsn: str) -> None:
    tenant = "v" + uuid.uuid4().hex[:8]
    call = Call("CA1", MARIA, tenant=tenant)
    events = shuffled_with_repeats(call.whole(), tenant)
    assert {event_topic(e) for e in events} == {INBOUND_VOICE}
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [whatsapp_from(tenant, MARIA, timedelta(seconds=-60))])
        await publish(kafka, events)
        await until_calls(rt, tenant, 1)

        async def folded() -> bool:  # her message too: its topic may be consumed after
            [row] = await rows(rt, sa.select(calls).where(calls.c.tenant == tenant))
            stored = sa.select(sa.func.count()).where(messages.c.tenant == tenant)
            both = (await rows(rt, stored))[0][0] == 2
            return bool(both and row.transcripts != "[]" and row.recordings != "[]")

        await eventually(folded)
        thread = await thread_of_call(rt, tenant, "CA1")
        assert [m["channel_kind"] for m in thread["messages"]] == ["whatsapp", "voice"]
        item = thread["messages"][1]
        assert item["text"] == "Incoming call (completed, 50 s)"
        c = item["call"]
        assert (c["status"], c["outcome"], c["answered_by"], c["talk_s"]) == (
            "ended",
            "completed",
            "agent:ann",
            50,
        )
        assert [r["ref"] for r in c["recordings"]] == ["blob:sha256/re1"]
        assert [t["text"] for t in c["transcripts"]] == ["my router"]
        assert thread["needs_callback"] is False
        assert len(await rows(rt, sa.select(threads).where(threads.c.tenant == tenant))) == 1
        async with rt.engine.begin() as conn:  # a reply answers her message, never the call
            ask = ReplyAsk(tenant, thread["thread_id"], "We are on it", "agent:ann")
            answer = await request_reply(conn, ask)
            reach = await timeline.reply_channels(
                conn, tenant, thread["thread_id"], thread["contact_id"]
            )
        assert (answer["channel"], answer["recipient"]) == ("whatsapp", MARIA.lstrip("+"))
        assert [r.kind for r in reach] == ["whatsapp"]

        updates = call_updates(
            await conversation_events(kafka, tenant, lambda f: len(call_updates(f, "CA1")) == 5),
            "CA1",
        )
        assert {u.conversation_id for u in updates} == {thread["thread_id"]}
        last = updates[-1].call  # each update carries the record as of its event: the last, all
        assert (last.status, last.outcome, last.recordings[0].ref) == (
            "ended",
            "completed",
            "blob:sha256/re1",
        )
        assert last.transcripts[0].text == "my router" and updates[0].call != last
        assert updates[-1].contact_id == thread["contact_id"]
        voice = await rows(rt, sa.select(offsets).where(offsets.c.topic == INBOUND_VOICE))
        assert sum(r.next_offset for r in voice) >= len(events)  # offsets kept with the rows


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_missed_calls_and_voicemail_wait_for_a_call_back(kafka: str, dsn: str) -> None:
    tenant = "m" + uuid.uuid4().hex[:8]
    abandoned = Call("CA2", "+4915100000002", tenant=tenant)
    left_message = Call("CA3", "+4915100000003", tenant=tenant)
    gave_up = abandoned.ended(40, "abandoned", talk=None)
    gave_up.cause = "queue timeout; " * 30  # longer than the store keeps: cut, never a stall
    first: list[ev.CallEvent] = [abandoned.started(0), gave_up]
    second: list[ev.CallEvent] = [
        left_message.started(0),
        left_message.ended(30, "voicemail", talk=None),
        left_message.voicemail(31),
    ]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, shuffled_with_repeats(first + second, tenant))
        await until_calls(rt, tenant, 2)

        async def flagged() -> bool:
            views = [await thread_of_call(rt, tenant, c) for c in ("CA2", "CA3")]
            return all(
                v["needs_callback"] and v["messages"][0]["call"]["status"] == "ended" for v in views
            )

        await eventually(flagged)
        cut = (await thread_of_call(rt, tenant, "CA2"))["messages"][0]["call"]["cause"]
        assert cut == (gave_up.cause or "")[:200]
        vm = (await thread_of_call(rt, tenant, "CA3"))["messages"][0]
        assert (
            vm["text"] == "Voicemail"
            and vm["call"]["voicemail"]["transcript"] == "please call me back"
        )

        # she calls again and an agent answers: the thread no longer waits for a call back
        again = Call("CA4", "+4915100000002", tenant=tenant)
        await publish(kafka, [again.started(100), again.answered(110), again.ended(200)])
        await until_calls(rt, tenant, 3)

        async def settled() -> bool:
            view = await thread_of_call(rt, tenant, "CA4")
            return not view["needs_callback"] and view["messages"][-1]["call"]["status"] == "ended"

        await eventually(settled)
        view = await thread_of_call(rt, tenant, "CA4")
        assert [m["provider_message_id"] for m in view["messages"]] == ["CA2", "CA4"]

        # a redelivery of everything changes nothing; a new call of each number, published
        # after it on the same partitions, shows it was read
        await publish(kafka, first + second)
        probes = [Call(f"CA{n}", f"+491510000000{n - 4}", tenant=tenant) for n in (6, 7)]
        await publish(kafka, [p.started(300) for p in probes])
        await until_calls(rt, tenant, 5)
        found = await conversation_events(
            kafka, tenant, lambda f: call_updates(f, "CA6") and call_updates(f, "CA7")
        )
        assert len(call_updates(found, "CA2")) == 2 and len(call_updates(found, "CA3")) == 3
        [(n,)] = await rows(
            rt, sa.select(sa.func.count()).select_from(calls).where(calls.c.tenant == tenant)
        )
        assert n == 5
