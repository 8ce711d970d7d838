"""The whole exchange in the thread (real broker, SQLite and PostgreSQL): agent replies stored
as outbound messages, provider statuses (also before the reply's result; held, bounded),
a DSN of our mail, edit history and deletes, a split that takes its thread keys along, and
the unified events integrators get for all of it."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from email_ingest.compose import outbound_message_id
from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import (
    eventually,
    publish,
    read_unified,
    running,
    settings_for,
)
from tests.unit.unifier.factory import envelope, ident, message
from unifier.domain.unify import reply_token
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import thread_commands
from unifier.service.replies import ReplyAsk, request_reply
from unifier.store import queries
from unifier.store.schema import held, messages, thread_keys

pytestmark = pytest.mark.integration
# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files (test_*_store, test_thread_actions, test_inbox_search, ...).
WA = ev.ChannelRef(kind="whatsapp", account_id="PN1")
MAIL = ev.ChannelRef(kind="email", account_id="support@acme.test")
ALICE = [ident("email", "alice@example.test")]
WA_ID = [ident("wa_id", "4915100000001")]


async def thread(rt: ConsumerRuntime, tenant: str, tid: str) -> dict[str, Any]:
    async with rt.engine.connect() as conn:
        found = await queries.get_thread(conn, tenant, tid)
    assert found is not None
    return found


async def only_thread(rt: ConsumerRuntime, tenant: str) -> dict[str, Any]:
    async with rt.engine.connect() as conn:
        [conv] = await queries.list_conversations(conn, tenant)
    return await thread(rt, tenant, conv["thread_id"])


async def count(rt: ConsumerRuntime, tenant: str, table: sa.Table) -> int:
    async with rt.engine.connect() as conn:
        q = sa.select(sa.func.count()).select_from(table).where(table.c.tenant == tenant)
        return int((await conn.execute(q)).scalar_one())


async def until_stored(rt: ConsumerRuntime, tenant: str, n: int) -> None:
    async def stored() -> bool:
        return await count(rt, tenant, messages) == n

    await eventually(stored)


async def reply(rt: ConsumerRuntime, tenant: str, tid: str, text: str) -> str:
    async with rt.engine.begin() as conn:
        answer = await request_reply(conn, ReplyAsk(tenant, tid, text, "agent:ann"))
    rt.relay.notify()
    reply_id: str = answer["reply_id"]
    return reply_id


def result(tenant: str, channel: ev.ChannelRef, reply_id: str, tid: str, pmid: str) -> ev.Event:
    return ev.ReplyResult(
        event_id=ev.event_id_for(tenant, channel.kind, reply_id, "result"),
        reply_id=reply_id,
        tenant=tenant,
        channel=channel,
        conversation_id=tid,
        status="sent",
        completed_at=datetime.now(UTC),
        provider_message_id=pmid,
    )


def status(tenant: str, target: str, value: str, n: int) -> ev.DeliveryStatus:
    fields = envelope("whatsapp", f"st-{n}", tenant)
    fields["received_at"] += timedelta(minutes=n)
    return ev.DeliveryStatus(**fields, target_message_id=target, status=value)  # type: ignore[arg-type]


async def conversation_events(kafka: str, tenant: str, n: int) -> list[un.UnifiedEvent]:
    found: list[un.UnifiedEvent] = []

    async def published() -> bool:
        found[:] = await read_unified(kafka, CONVERSATIONS, tenant)
        return len(found) >= n

    await eventually(published)
    return found


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_reply_shows_in_order_and_statuses_only_move_forward(kafka: str, dsn: str) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [message("w1", "whatsapp", tenant=tenant, handle="+4915100000001")])
        await until_stored(rt, tenant, 1)
        tid = (await only_thread(rt, tenant))["thread_id"]
        reply_id = await reply(rt, tenant, tid, "We are on it")
        view = await thread(rt, tenant, tid)
        assert [(m["direction"], m["text"]) for m in view["messages"]] == [
            ("inbound", "hello"),
            ("outbound", "We are on it"),
        ]
        ours = view["messages"][1]
        assert (ours["author"], ours["status"], ours["reply_id"]) == (
            "agent:ann",
            "requested",
            reply_id,
        )
        assert ours["provider_message_id"] is None and ours["channel_kind"] == "whatsapp"

        # "delivered" comes before the result that names the provider id: held, then applied
        await publish(kafka, [status(tenant, "wamid.R1", "delivered", 1)])

        async def held_one() -> bool:
            return await count(rt, tenant, held) == 1

        await eventually(held_one)
        await publish(kafka, [result(tenant, WA, reply_id, tid, "wamid.R1")])

        async def outbound_status(want: str) -> bool:
            return bool((await thread(rt, tenant, tid))["messages"][1]["status"] == want)

        await eventually(lambda: outbound_status("delivered"))
        assert await count(rt, tenant, held) == 0
        # read, then a late "delivered" and "sent": never back; a status for an unknown id,
        # held, marks that the ones before it (same partition) are in
        late = [
            status(tenant, "wamid.R1", s, n) for n, s in enumerate(["read", "delivered", "sent"], 2)
        ]
        await publish(kafka, [*late, status(tenant, "wamid.other", "sent", 9)])
        await eventually(held_one)
        view = await thread(rt, tenant, tid)
        [ours] = [m for m in view["messages"] if m["direction"] == "outbound"]
        assert (ours["status"], ours["provider_message_id"]) == ("read", "wamid.R1")
        assert view["replies"] == [
            {"reply_id": reply_id, "status": "read", "created_at": ours["at"]}
        ]

        events = await conversation_events(kafka, tenant, 6)
        ours_events = [
            e
            for e in events
            if isinstance(e, un.ConversationReplyAdded | un.ConversationReplyStatus)
        ]
        moves = [(un.unified_tag(e), getattr(e, "status", None)) for e in ours_events]
        assert moves == [
            ("conversation.reply.added.v1", None),
            ("conversation.reply.status.v1", "sent"),
            ("conversation.reply.status.v1", "delivered"),
            ("conversation.reply.status.v1", "read"),
        ]
        assert {e.conversation_id for e in ours_events} == {tid}


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_a_status_whose_reply_never_reports_is_dropped_visibly(
    kafka: str, dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    settings = settings_for(kafka, dsn, held_effect_hours=1 / 3600, sweep_seconds=0.2)
    caplog.set_level(logging.WARNING, "unifier.store.held")
    async with running(settings) as rt:
        never = f"wamid.never-{tenant}"  # the topics hold earlier tests' events too
        await publish(kafka, [status(tenant, never, "delivered", 1)])
        assert rt.sweeper is not None

        async def dropped() -> bool:
            return any(never in r.getMessage() for r in caplog.records)

        await eventually(dropped)
        assert await count(rt, tenant, held) == 0
        sample = rt.sweeper.registry.get_sample_value(
            "hotline_held_effects_expired_total", {"event_type": "delivery.status.v1"}
        )
        assert sample is not None and sample >= 1 and rt.sweeper.expired >= 1


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_a_dsn_of_our_reply_marks_it_failed_in_its_thread(kafka: str, dsn: str) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [message("e1", tenant=tenant, ids=ALICE)])
        await until_stored(rt, tenant, 1)
        tid = (await only_thread(rt, tenant))["thread_id"]
        reply_id = await reply(rt, tenant, tid, "Here is your answer")
        mid = outbound_message_id(reply_id, "acme.test")  # as the email service sends it
        await publish(kafka, [result(tenant, MAIL, reply_id, tid, mid)])

        async def sent() -> bool:
            return bool((await thread(rt, tenant, tid))["replies"][0]["status"] == "sent")

        await eventually(sent)
        # the DSN names our mail only in its returned headers (no In-Reply-To, no References)
        dsn_event = message(
            "dsn1",
            tenant=tenant,
            handle="mailer-daemon@mx.example.test",
            role="system",
            text="Delivery failed: 550 5.1.1 <alice@example.test>: user unknown",
            at=timedelta(hours=1),
            flags=ev.Flags(bounce=True),
            hints=ev.ThreadHints(message_id="<dsn1@mx.example.test>", replied_to_message_id=mid),
        )
        dsn_event.bounce_status = "5.1.1"
        await publish(kafka, [dsn_event])
        await until_stored(rt, tenant, 3)
        view = await only_thread(rt, tenant)  # still one conversation
        assert view["thread_id"] == tid
        [ours] = [m for m in view["messages"] if m["direction"] == "outbound"]
        assert ours["status"] == "failed" and ours["provider_message_id"] == mid
        assert ours["status_detail"].startswith("bounce 5.1.1: Delivery failed: 550 5.1.1")
        [bounce] = [m for m in view["messages"] if m["provider_message_id"] == "dsn1"]
        assert bounce["decision"]["rule"] == "email.bounce_of_reply"

        events = await conversation_events(kafka, tenant, 6)
        [failed] = [
            e for e in events if isinstance(e, un.ConversationReplyStatus) and e.status == "failed"
        ]
        assert (failed.reply_id, failed.conversation_id) == (reply_id, tid)
        assert failed.detail == ours["status_detail"]


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_a_dsn_before_the_reply_result_still_fails_the_reply(kafka: str, dsn: str) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [message("e1", tenant=tenant, ids=ALICE)])
        await until_stored(rt, tenant, 1)
        tid = (await only_thread(rt, tenant))["thread_id"]
        reply_id = await reply(rt, tenant, tid, "Here is your answer")
        mid = outbound_message_id(reply_id, "acme.test")
        bounce = message(
            "dsn2",
            tenant=tenant,
            handle="mailer-daemon@mx.example.test",
            role="system",
            text="550 5.1.1 user unknown",
            flags=ev.Flags(bounce=True),
            hints=ev.ThreadHints(message_id="<dsn2@mx.example.test>", in_reply_to=[mid]),
        )
        await publish(kafka, [bounce])
        await until_stored(rt, tenant, 3)
        await publish(kafka, [result(tenant, MAIL, reply_id, tid, mid)])  # too late to count

        async def has_provider_id() -> bool:
            view = await only_thread(rt, tenant)
            return any(m["provider_message_id"] == mid for m in view["messages"])

        await eventually(has_provider_id)
        view = await only_thread(rt, tenant)
        [ours] = [m for m in view["messages"] if m["direction"] == "outbound"]
        assert ours["status"] == "failed" and "5.1.1" in ours["status_detail"]
        assert view["thread_id"] == tid


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_edits_keep_history_deletes_hide_text_reactions_show(kafka: str, dsn: str) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    who = ev.Sender(handle="+4915100000001")
    edit = ev.MessageEdited(
        **envelope("whatsapp", "ed-1", tenant),
        target_message_id="w1",
        sender=who,
        content=ev.TextContent(text="hello, edited"),
    )
    early = ev.MessageEdited(  # its message comes later: held, applied on arrival
        **envelope("whatsapp", "ed-3", tenant),
        target_message_id="w3",
        sender=who,
        content=ev.TextContent(text="third, edited"),
    )
    gone = ev.MessageDeleted(**envelope("whatsapp", "del-2", tenant), target_message_id="w2")
    like = ev.Reaction(
        **envelope("whatsapp", "re-1", tenant), target_message_id="w1", emoji="👍", sender=who
    )
    first = [
        message(
            f"w{i}",
            "whatsapp",
            tenant=tenant,
            handle=who.handle,
            ids=WA_ID,
            text=t,
            at=timedelta(minutes=i),
        )
        for i, t in ((1, "hello"), (2, "my card is 4111 1111 1111 1111"))
    ]
    async with running(settings_for(kafka, dsn, deleted_text_days=3000)) as rt:
        await publish(kafka, [*first, early])
        await until_stored(rt, tenant, 2)
        await publish(kafka, [edit, gone, like, edit])  # the edit twice: one history entry

        async def applied() -> bool:  # (before w3: the effects' partition is not w3's)
            view = await only_thread(rt, tenant)
            return bool(view["messages"][0]["reactions"]) and view["messages"][1]["deleted"]

        await eventually(applied)
        third = message(
            "w3",
            "whatsapp",
            tenant=tenant,
            handle=who.handle,
            ids=WA_ID,
            text="third",
            at=timedelta(minutes=3),
        )
        await publish(kafka, [third])
        await until_stored(rt, tenant, 3)

        m1, m2, m3 = (await only_thread(rt, tenant))["messages"]
        assert (m1["text"], m1["edited"], m1["reactions"]) == (
            "hello, edited",
            True,
            {"👍": [who.handle]},
        )
        assert [h["text"] for h in m1["history"]] == ["hello"]
        assert (m2["deleted"], m2["text"], m2["history"]) == (True, None, [])
        assert (m3["text"], [h["text"] for h in m3["history"]]) == ("third, edited", ["third"])
        async with rt.engine.connect() as conn:  # the deleted text is kept for retention only
            q = sa.select(messages.c.text, messages.c.history).where(
                messages.c.tenant == tenant, messages.c.provider_message_id == "w2"
            )
            text, history = (await conn.execute(q)).one()
        assert text == "" and "4111 1111 1111 1111" in history
        assert rt.sweeper is not None  # retention over: the original is gone from the store too
        await rt.sweeper.once(datetime.now(UTC) + timedelta(days=3650))
        async with rt.engine.connect() as conn:
            assert (await conn.execute(q)).one() == ("", None)
        assert (await only_thread(rt, tenant))["messages"][0]["history"] != []  # edits stay

        events = await conversation_events(kafka, tenant, 1 + 3 + 4)  # opened, added, updated
        updates = [
            (e.provider_message_id, e.change, e.text, e.deleted)
            for e in events
            if isinstance(e, un.ConversationMessageUpdated)
        ]
        assert updates == [
            ("w1", "edited", "hello, edited", False),
            ("w2", "deleted", None, True),
            ("w1", "reaction", "hello, edited", False),
            ("w3", "edited", "third, edited", False),
        ]
        w3 = [un.unified_tag(e) for e in events if getattr(e, "provider_message_id", "") == "w3"]
        assert w3 == ["conversation.message.added.v1", "conversation.message.updated.v1"]


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_split_takes_the_thread_keys_and_the_answer_follows(kafka: str, dsn: str) -> None:
    tenant = "x" + uuid.uuid4().hex[:8]
    h = timedelta(hours=1)
    chain = [
        message("e1", tenant=tenant, ids=ALICE, text="order 1 is late"),
        message(
            "e2",
            tenant=tenant,
            ids=ALICE,
            text="also: my invoice is wrong",
            at=h,
            hints=ev.ThreadHints(message_id="<e2@x>", in_reply_to=["<e1@x>"]),
        ),
    ]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, chain)
        await until_stored(rt, tenant, 2)
        src = await only_thread(rt, tenant)
        e2 = src["messages"][1]["message_id"]
        async with rt.engine.begin() as conn:
            new, _ = await thread_commands.split_thread(
                conn, tenant, src["thread_id"], [e2], "agent:ann"
            )
        answer = message(
            "e3",
            tenant=tenant,
            ids=ALICE,
            text="any news on the invoice?",
            at=2 * h,
            hints=ev.ThreadHints(message_id="<e3@x>", in_reply_to=["<e2@x>"]),
        )
        await publish(kafka, [answer])
        await until_stored(rt, tenant, 3)
        split = await thread(rt, tenant, new)
        assert [m["provider_message_id"] for m in split["messages"]] == ["e2", "e3"]
        assert split["messages"][1]["decision"]["rule"] == "email.in_reply_to"
        assert split["subject"] == "Help"
        assert [
            m["provider_message_id"]
            for m in (await thread(rt, tenant, src["thread_id"]))["messages"]
        ] == ["e1"]
        async with rt.engine.connect() as conn:
            k = thread_keys.c
            rows = await conn.execute(sa.select(k.key, k.thread_id).where(k.tenant == tenant))
            keys = {key: tid for key, tid in rows.all()}
        assert (keys["mid:<e2@x>"], keys["mid:<e3@x>"]) == (new, new)
        assert keys["mid:<e1@x>"] == src["thread_id"]
        assert keys["tok:" + reply_token(new)] == new
        assert keys["tok:" + reply_token(src["thread_id"])] == src["thread_id"]
