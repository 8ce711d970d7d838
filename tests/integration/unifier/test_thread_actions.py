"""Conversation actions on both databases: labels, snooze and the wake by a customer message,
activity rows, canned responses; each change an event in the outbox, another tenant refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from hotline import unified as un
from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import ident, message
from unifier.service import canned, labels, snooze, thread_commands
from unifier.service.commands import CommandError
from unifier.store import activity_rows, canned_rows, label_rows, thread_rows
from unifier.store.schema import outbox, threads

ALICE = [ident("email", "alice@example.test")]


async def _thread(engine: AsyncEngine, tenant: str = "acme", pmid: str = "m1") -> str:
    plan = await decide_batch(engine, tenant, [message(pmid, tenant=tenant, ids=ALICE)])
    (tid,) = plan.new_threads
    return tid


async def _events(engine: AsyncEngine, kind: type[un.UnifiedEvent]) -> list[un.UnifiedEvent]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.payload).order_by(outbox.c.id))).scalars()
        return [e for e in (un.decode(p) for p in rows) if isinstance(e, kind)]


async def _activity(engine: AsyncEngine, tid: str, tenant: str = "acme") -> list[tuple[str, ...]]:
    async with engine.connect() as conn:
        rows = await activity_rows.of_thread(conn, tenant, tid)
    return [(r["kind"], r["actor"] or "", json.dumps(r["detail"], sort_keys=True)) for r in rows]


async def _snoozed(engine: AsyncEngine, tid: str) -> datetime | None:
    async with engine.connect() as conn:
        q = sa.select(threads.c.snoozed_until).where(threads.c.thread_id == tid)
        value: datetime | None = (await conn.execute(q)).scalar_one()
    return value


async def test_labels_normalised_created_on_first_use_with_event_and_activity(
    engine: AsyncEngine,
) -> None:
    tid = await _thread(engine)
    async with engine.begin() as conn:
        after = await labels.change_labels(
            conn, "acme", tid, "ana", add=["  VIP ", "Billing  Issue"]
        )
    assert after == ["billing-issue", "vip"]
    async with engine.begin() as conn:
        assert await labels.change_labels(conn, "acme", tid, "ana", add=["vip"]) == after  # no-op
        after = await labels.change_labels(conn, "acme", tid, "bo", remove=["VIP", "never"])
        catalogue = await label_rows.catalogue(conn, "acme")
    assert after == ["billing-issue"]
    assert [c["label"] for c in catalogue] == ["billing-issue", "vip"]  # the catalogue keeps it
    changed = await _events(engine, un.ConversationLabelsChanged)
    assert [(e.added, e.removed, e.labels, e.by) for e in changed] == [  # type: ignore[union-attr]
        (["vip", "billing-issue"], [], ["billing-issue", "vip"], "ana"),
        ([], ["vip"], ["billing-issue"], "bo"),
    ]
    kinds = await _activity(engine, tid)
    assert [k[:2] for k in kinds] == [("labels", "ana"), ("labels", "bo")]
    assert json.loads(kinds[1][2]) == {"added": [], "removed": ["vip"], "reason": "manual"}


@pytest.mark.parametrize("bad", ["", "   ", "x" * 41, "a\u202eb", "tab\x07"])
async def test_a_bad_label_is_refused_and_changes_nothing(engine: AsyncEngine, bad: str) -> None:
    tid = await _thread(engine)
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await labels.change_labels(conn, "acme", tid, "ana", add=["ok", bad])
    assert err.value.status == 422 and err.value.reason == "bad_label"
    async with engine.connect() as conn:
        assert await label_rows.catalogue(conn, "acme") == []
    assert await _events(engine, un.ConversationLabelsChanged) == []


async def test_another_tenants_conversation_is_not_found(engine: AsyncEngine) -> None:
    tid = await _thread(engine)
    soon = datetime.now(UTC) + timedelta(hours=1)
    for command in (
        lambda c: labels.change_labels(c, "other", tid, "eve", add=["x"]),
        lambda c: labels.label(c, "other", tid, "eve", labels=["x"]),
        lambda c: snooze.snooze(c, "other", tid, "eve", soon),
        lambda c: canned.rendered(c, "other", tid, "nope", "eve"),
    ):
        with pytest.raises(CommandError) as err:
            async with engine.begin() as conn:
                await command(conn)
        assert err.value.status == 404
    assert await _activity(engine, tid) == [] and await _snoozed(engine, tid) is None


async def test_bulk_label_and_unlabel_commands(engine: AsyncEngine) -> None:
    tid = await _thread(engine)
    async with engine.begin() as conn:
        assert await labels.label(conn, "acme", tid, "ana", labels=["Urgent", "b"]) == [
            "b",
            "urgent",
        ]
        assert await labels.unlabel(conn, "acme", tid, "ana", labels="urgent") == ["b"]
    with pytest.raises(CommandError):
        async with engine.begin() as conn:
            await labels.label(conn, "acme", tid, "ana", labels=[1])


async def test_snooze_unsnooze_and_refusals(engine: AsyncEngine) -> None:
    tid = await _thread(engine)
    until = datetime.now(UTC) + timedelta(hours=2)
    for when, reason in ((datetime.now(UTC) - timedelta(minutes=1), "bad_snooze"),):
        with pytest.raises(CommandError) as err:
            async with engine.begin() as conn:
                await snooze.snooze(conn, "acme", tid, "ana", when)
        assert err.value.reason == reason
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await snooze.unsnooze(conn, "acme", tid, "ana")
    assert err.value.reason == "not_snoozed"
    async with engine.begin() as conn:
        await snooze.snooze(conn, "acme", tid, "ana", until)
    stored = await _snoozed(engine, tid)
    assert stored is not None and abs(stored.replace(tzinfo=UTC) - until) < timedelta(seconds=1)
    async with engine.begin() as conn:
        await snooze.unsnooze(conn, "acme", tid, "bo")
    assert await _snoozed(engine, tid) is None
    events = await _events(engine, un.ConversationSnoozed)
    assert [(e.by, e.until is None) for e in events] == [("ana", False), ("bo", True)]  # type: ignore[union-attr]
    assert [k[:2] for k in await _activity(engine, tid)] == [
        ("snoozed", "ana"),
        ("unsnoozed", "bo"),
    ]
    async with engine.begin() as conn:
        await thread_commands.set_open(conn, "acme", tid, open_=False, by="ana")
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await snooze.snooze(conn, "acme", tid, "ana", until)
    assert err.value.status == 409


async def test_a_customer_message_wakes_a_snoozed_thread(engine: AsyncEngine) -> None:
    tid = await _thread(engine)
    first = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # the factory's messages' time
    async with engine.begin() as conn:  # the agent snoozed it (the service refuses past times)
        await snooze._set(conn, "acme", tid, "ana", first + timedelta(days=1), first)
    again = message(
        "m2",
        tenant="acme",
        ids=ALICE,
        at=timedelta(hours=1),
        hints=ev.ThreadHints(message_id="<m2@x>", in_reply_to=["<m1@x>"]),
    )
    plan = await decide_batch(engine, "acme", [again])
    assert plan.woken == {tid}
    assert await _snoozed(engine, tid) is None
    woken = [e for e in await _events(engine, un.ConversationSnoozed) if e.by is None]  # type: ignore[union-attr]
    assert len(woken) == 1 and woken[0].until is None  # type: ignore[union-attr]
    kinds = await _activity(engine, tid)
    assert kinds[-1] == ("woken", "", json.dumps({"reason": "customer message"}))
    third = message(  # not snoozed any more: nothing to wake
        "m3",
        tenant="acme",
        ids=ALICE,
        at=timedelta(hours=2),
        hints=ev.ThreadHints(message_id="<m3@x>", in_reply_to=["<m2@x>"]),
    )
    assert (await decide_batch(engine, "acme", [third])).woken == set()
    assert len(await _activity(engine, tid)) == len(kinds)


async def test_close_reopen_merge_split_leave_activity_in_each_thread(engine: AsyncEngine) -> None:
    a = await _thread(engine, pmid="a1")
    bob = message("b1", tenant="acme", handle="bob@x.test", ids=[ident("email", "bob@x.test")])
    bob2 = message(
        "b2",
        tenant="acme",
        handle="bob@x.test",
        ids=[ident("email", "bob@x.test")],
        hints=ev.ThreadHints(message_id="<b2@x>", in_reply_to=["<b1@x>"]),
    )
    (b,) = (await decide_batch(engine, "acme", [bob, bob2])).new_threads
    async with engine.begin() as conn:
        await thread_commands.set_open(conn, "acme", a, open_=False, by="ana")
        await thread_commands.set_open(conn, "acme", a, open_=True, by="bo")
        await thread_commands.merge_threads(conn, "acme", a, b, "ana")
    assert [k[:2] for k in await _activity(engine, a)] == [
        ("closed", "ana"),
        ("reopened", "bo"),
        ("merged_into", "ana"),
    ]
    assert json.loads((await _activity(engine, b))[0][2])["source"] == a
    async with engine.connect() as conn:
        ids = await thread_rows.message_ids(conn, "acme", b)
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await thread_commands.split_thread(conn, "acme", b, ids, "ana")
    assert err.value.reason == "split_all"
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await thread_commands.merge_threads(conn, "acme", b, b, "ana")
    assert err.value.reason == "same_conversation"
    async with engine.begin() as conn:
        new, _ = await thread_commands.split_thread(conn, "acme", b, ids[:1], "ana")
    assert (await _activity(engine, b))[-1][:2] == ("split", "ana")
    assert [k[:2] for k in await _activity(engine, new)] == [("split_from", "ana")]


async def test_canned_crud_and_rendering(engine: AsyncEngine) -> None:
    tid = await _thread(engine)
    body = "Hi {{contact.first_name}}, {{ agent.name }} here about #{{conversation.id}} {{x.y}}"
    async with engine.begin() as conn:
        made = await canned.create(conn, "acme", " Hello ", "Greeting", body)
    assert made["shortcut"] == "hello"
    with pytest.raises(CommandError) as err:
        async with engine.begin() as conn:
            await canned.create(conn, "acme", "hello", "Again", "text")
    assert err.value.status == 409
    for bad in (("", "t", "b"), ("s p", "t", "b"), ("ok", "", "b"), ("ok", "t", " ")):
        with pytest.raises(CommandError) as err:
            async with engine.begin() as conn:
                await canned.create(conn, "acme", *bad)
        assert err.value.status == 422
    async with engine.begin() as conn:
        await canned.create(conn, "other", "hello", "Theirs", "not yours")  # per tenant
        out = await canned.rendered(conn, "acme", tid, made["canned_id"], "Ana Lima")
    assert out.text == f"Hi alice@example.test, Ana Lima here about #{tid} {{{{x.y}}}}"
    assert out.unknown == ("{{x.y}}",)
    for command in (
        lambda c: canned.get(c, "other", made["canned_id"]),
        lambda c: canned.update(c, "other", made["canned_id"], "h", "t", "b"),
        lambda c: canned.delete(c, "other", made["canned_id"]),
    ):
        with pytest.raises(CommandError) as err:
            async with engine.begin() as conn:
                await command(conn)
        assert err.value.status == 404
    async with engine.begin() as conn:
        changed = await canned.update(conn, "acme", made["canned_id"], "hi", "Hi", "Hello!")
        assert changed["body"] == "Hello!" and changed["shortcut"] == "hi"
        await canned.delete(conn, "acme", made["canned_id"])
        assert [c["title"] for c in await canned_rows.all_of(conn, "acme")] == []
        assert [c["title"] for c in await canned_rows.all_of(conn, "other")] == ["Theirs"]
