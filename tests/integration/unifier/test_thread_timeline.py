"""The thread's timeline on both databases: messages, internal notes and activity in time order,
activity shown whatever its kind, notes in the outbox for the unified stream only, read marks
(the thread page's: of the one state it showed), and the channels a reply can go to (a closed
WhatsApp window refuses)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import T0, ident, message
from unifier.domain.reach import Reach
from unifier.entrypoints.api.auth import Principal
from unifier.entrypoints.web import thread as thread_page
from unifier.service import notes, timeline
from unifier.service.commands import CommandError
from unifier.service.replies import ReplyAsk, request_reply
from unifier.store import read_marks
from unifier.store.schema import outbox, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_workspace import activity

ALICE = [ident("email", "alice@example.test")]


async def _thread(engine: AsyncEngine, tenant: str) -> str:
    first = message("m1", tenant=tenant, ids=ALICE, text="first")
    second = message("m2", tenant=tenant, ids=ALICE, text="second", at=timedelta(hours=2))
    second.thread.in_reply_to = ["<m1@x>"]
    await decide_batch(engine, tenant, [first])
    await decide_batch(engine, tenant, [second])
    async with engine.connect() as conn:
        return str((await conn.execute(sa.select(threads.c.thread_id))).scalar_one())


def _activity(
    tenant: str, tid: str, at: datetime, kind: str, actor: str | None, detail: str
) -> dict[str, object]:
    return {
        "tenant": tenant,
        "activity_id": uuid.uuid4().hex,
        "thread_id": tid,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": detail,
    }


async def test_timeline_orders_messages_notes_and_activity(engine: AsyncEngine) -> None:
    tenant = "acme"
    tid = await _thread(engine, tenant)
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(agents).values(
                tenant=tenant,
                agent_id="a1",
                email="ana@acme.test",
                name="Ana Agent",
                role="agent",
                password_hash="x",
                created_at=T0,
            )
        )
        await conn.execute(
            sa.insert(activity),
            [
                _activity(
                    tenant,
                    tid,
                    T0 + timedelta(hours=1),
                    "assigned",
                    "a1",
                    json.dumps({"to": "a1", "reason": "round robin"}),
                ),
                _activity(tenant, tid, T0 + timedelta(hours=3), "frobnicated", None, "not json"),
            ],
        )
        note = await notes.add_note(conn, tenant, tid, "a1", "she is a VIP")
        await request_reply(conn, ReplyAsk(tenant, tid, "on it", "a1"))
    async with engine.connect() as conn:
        view = await timeline.thread_view(conn, tenant, tid)
    assert view is not None
    got = [(i["type"], i.get("text") or i.get("kind")) for i in view["timeline"]]
    assert got == [
        ("message", "first"),
        ("activity", "assigned"),
        ("message", "second"),
        ("activity", "frobnicated"),
        ("note", "she is a VIP"),
        ("message", "on it"),
    ]
    items = view["timeline"]
    assert items[1]["name"] == "Ana Agent" and items[1]["detail"] == {
        "to": "a1",
        "reason": "round robin",
    }
    assert items[3]["name"] is None and items[3]["detail"] == {"reason": "not json"}
    assert items[4]["name"] == "Ana Agent" and items[4]["note_id"] == note.note_id
    assert items[5]["direction"] == "outbound" and items[5]["sender_name"] == "Ana Agent"
    async with engine.connect() as conn:
        queued = (await conn.execute(sa.select(outbox.c.topic, outbox.c.payload))).all()
    noted = [(topic, un.decode(p)) for topic, p in queued if b"note.added" in p]
    assert noted == [(CONVERSATIONS, note)]  # the unified stream only: no replies topic


async def test_notes_refuse_bad_input_and_unknown_threads(engine: AsyncEngine) -> None:
    tid = await _thread(engine, "acme")
    for tenant, thread, text, reason in [
        ("acme", tid, "   ", "empty_note"),
        ("acme", tid, "x" * 20_001, "too_long"),
        ("other", tid, "hello", "not_found"),
        ("acme", "nope", "hello", "not_found"),
    ]:
        async with engine.connect() as conn:
            try:
                await notes.add_note(conn, tenant, thread, "a1", text)
            except CommandError as exc:
                assert exc.reason == reason
            else:
                raise AssertionError(f"{reason}: accepted")
            await conn.rollback()
    async with engine.connect() as conn:
        kinds = (await conn.execute(sa.select(outbox.c.event_type))).scalars().all()
    assert kinds and not [k for k in kinds if "note" in k]  # nothing written for a refused note


async def test_viewing_marks_the_thread_read(engine: AsyncEngine) -> None:
    tid = await _thread(engine, "acme")
    async with engine.begin() as conn:
        assert await read_marks.seen_count(conn, "acme", tid, "a1") == 0
        await timeline.mark_read(conn, "acme", tid, "a1", 1)
        await timeline.mark_read(conn, "acme", tid, "a1", 2)  # again: one row, updated
        assert await read_marks.seen_count(conn, "acme", tid, "a1") == 2
        assert await read_marks.seen_count(conn, "acme", tid, "a2") == 0


def request_on(engine: AsyncEngine) -> Request:
    """A request as the thread page uses it: the runtime's engine and the blob store."""
    state = SimpleNamespace(runtime=SimpleNamespace(engine=engine), blobs=None)
    return cast(Request, SimpleNamespace(app=SimpleNamespace(state=state)))


async def test_the_page_reads_one_state_and_marks_read_what_it_showed(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch commits her third message while the thread page reads (after the thread, before
    its reply channels): the page shows the state before it, whole, and marks read only the two
    messages it showed; the third stays unread."""
    tid = await _thread(engine, "acme")
    third = message("m3", tenant="acme", ids=ALICE, text="third", at=timedelta(hours=3))
    third.thread.in_reply_to = ["<m2@x>"]
    channels = timeline.reply_channels

    async def committed_between(conn: AsyncConnection, *args: Any) -> list[Reach]:
        await decide_batch(engine, "acme", [third])
        return await channels(conn, *args)

    monkeypatch.setattr(timeline, "reply_channels", committed_between)
    who = cast(Principal, SimpleNamespace(tenant="acme", agent_id="a1"))
    model = await thread_page.thread_model(request_on(engine), who, tid)
    assert model is not None
    shown = model["thread"]
    texts = [i["text"] for i in shown["timeline"] if i["type"] == "message"]
    assert (shown["message_count"], texts) == (2, ["first", "second"])
    async with engine.connect() as conn:
        assert await read_marks.seen_count(conn, "acme", tid, "a1") == 2
        count = sa.select(threads.c.message_count).where(threads.c.thread_id == tid)
        assert (await conn.execute(count)).scalar_one() == 3  # the batch did commit


async def test_reply_channels_default_to_the_last_and_close_windows(engine: AsyncEngine) -> None:
    tenant = "acme"
    wa = [ident("wa_id", "4915100000001")]
    await decide_batch(
        engine, tenant, [message("w1", "whatsapp", tenant=tenant, handle="+4915100000001", ids=wa)]
    )
    async with engine.connect() as conn:
        tid, contact = (
            await conn.execute(sa.select(threads.c.thread_id, threads.c.contact_id))
        ).one()
        fresh = await timeline.reply_channels(
            conn, tenant, tid, contact, now=T0 + timedelta(hours=23)
        )
        late = await timeline.reply_channels(
            conn, tenant, tid, contact, now=T0 + timedelta(hours=25)
        )
    assert [(r.kind, r.handle, r.ok) for r in fresh] == [("whatsapp", "+4915100000001", True)]
    assert late[0].blocked is not None and "24-hour reply window closed" in late[0].blocked
    assert datetime.now(UTC) > T0  # the factory's messages are old: windows closed in page tests


async def test_a_reply_needs_a_channel_that_can_take_it(engine: AsyncEngine) -> None:
    tenant = "acme"
    wa = [ident("wa_id", "4915100000002")]
    old = message("w9", "whatsapp", tenant=tenant, handle="+4915100000002", ids=wa)
    await decide_batch(engine, tenant, [old])  # weeks ago: the window is closed
    async with engine.connect() as conn:
        tid = (await conn.execute(sa.select(threads.c.thread_id))).scalar_one()
        for channel, reason in [
            (None, "unreachable"),
            ("whatsapp", "unreachable"),
            ("email", "no_channel"),
        ]:
            try:
                await timeline.reachable_channel(conn, tenant, tid, channel)
            except CommandError as exc:
                assert (exc.status, exc.reason) == (422, reason)
            else:
                raise AssertionError(f"{channel}: accepted")
        try:
            await timeline.reachable_channel(conn, "other", tid, None)
        except CommandError as exc:
            assert exc.status == 404
        else:
            raise AssertionError("another tenant's thread: accepted")
