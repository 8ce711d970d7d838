"""Real broker + both databases: cross-channel identity and threads, suggestions, merge/unmerge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONTACTS, CONVERSATIONS
from tests.integration.unifier.harness import (
    eventually,
    publish,
    read_unified,
    running,
    settings_for,
)
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import commands
from unifier.store import queries
from unifier.store.schema import contacts, identities, messages, participants, threads

H = timedelta(hours=1)


def alice(tenant: str) -> list[ev.MessageReceived]:
    email = ident("email", "alice@example.test")
    phone = ident("phone", "+4915100000001")
    return [
        message("e1", tenant=tenant, ids=[email]),
        message(
            "v1",
            "widget",
            tenant=tenant,
            handle="visitor-7",
            at=H,
            ids=[ident("widget_user", "alice-42"), email, phone],
        ),
        message(
            "w1",
            "whatsapp",
            tenant=tenant,
            handle="+4915100000001",
            at=2 * H,
            ids=[ident("wa_id", "4915100000001"), phone],
        ),
        # the same address without DKIM: a suggestion, never a merge (zammad#4895)
        message(
            "e2",
            tenant=tenant,
            at=3 * H,
            ids=[ident("email", "alice@example.test", verified=False)],
        ),
    ]


async def stored(rt: ConsumerRuntime, tenant: str) -> list[Any]:
    async with rt.engine.connect() as conn:
        m = messages.c
        q = (
            sa.select(
                m.provider_message_id, m.thread_id, m.contact_id, m.rule, m.evidence, m.rule_version
            )
            .where(m.tenant == tenant)
            .order_by(m.at)
        )
        return list((await conn.execute(q)).all())


async def test_one_verified_person_three_channels_one_thread(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        for n, event in enumerate(alice(tenant), 1):  # hours apart, as a customer writes
            await publish(kafka, [event])

            async def arrived(n: int = n) -> bool:
                return len(await stored(rt, tenant)) == n

            await eventually(arrived)
        rows = await stored(rt, tenant)
        by = {r.provider_message_id: r for r in rows}
        assert by["e1"].thread_id == by["v1"].thread_id == by["w1"].thread_id
        assert by["e1"].contact_id == by["v1"].contact_id == by["w1"].contact_id
        assert [by[k].rule for k in ("e1", "v1", "w1")] == ["group.by_contact"] * 3
        assert "latest thread for contact:" in by["w1"].evidence and by["w1"].rule_version == "1"
        # the unverified sender is another contact in another thread, with a suggestion
        assert by["e2"].contact_id != by["e1"].contact_id
        assert by["e2"].thread_id != by["e1"].thread_id
        async with rt.engine.connect() as conn:
            other = await queries.get_contact(conn, tenant, by["e2"].contact_id)
            thread = await queries.get_thread(conn, tenant, by["e1"].thread_id)
        assert other is not None and thread is not None
        assert [s["suggested_contact_id"] for s in other["suggestions"]] == [by["e1"].contact_id]
        assert [m["channel_kind"] for m in thread["messages"]] == ["email", "widget", "whatsapp"]
        assert thread["message_count"] == 3

        async def relayed() -> bool:
            return len(await read_unified(kafka, CONVERSATIONS, tenant)) >= 6

        await eventually(relayed)
    convs = await read_unified(kafka, CONVERSATIONS, tenant)
    added = [e for e in convs if isinstance(e, un.ConversationMessageAdded)]
    assert sorted(e.provider_message_id for e in added) == ["e1", "e2", "v1", "w1"]
    opened = [e for e in convs if isinstance(e, un.ConversationOpened)]
    assert len(opened) == 2
    linked = await read_unified(kafka, CONTACTS, tenant)
    assert {e.identity.kind for e in linked if isinstance(e, un.ContactLinked)} >= {
        "email",
        "wa_id",
        "widget_user",
        "phone",
    }


async def snapshot(rt: ConsumerRuntime, tenant: str) -> dict[str, list[Any]]:
    out = {}
    async with rt.engine.connect() as conn:
        for table in (contacts, identities, threads, participants, messages):
            cols = [c for c in table.c if c.name != "payload"]
            q = sa.select(*cols).where(table.c.tenant == tenant).order_by(*cols[:3])
            out[table.name] = [tuple(r) for r in await conn.execute(q)]
    return out


async def test_merge_then_unmerge_restores_contacts_and_threads(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    bob_mail = message(
        "b1", tenant=tenant, handle="bob@example.test", ids=[ident("email", "bob@example.test")]
    )
    bob_wa = message(
        "b2",
        "whatsapp",
        tenant=tenant,
        handle="+4915100000009",
        ids=[ident("wa_id", "4915100000009")],
    )
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [bob_mail, bob_wa])

        async def two() -> bool:
            return len(await stored(rt, tenant)) == 2

        await eventually(two)
        before = await snapshot(rt, tenant)
        a, b = [r.contact_id for r in await stored(rt, tenant)]
        assert a != b  # no shared verified identifier: two contacts (no guessing)
        async with rt.engine.begin() as conn:
            await commands.merge_contacts(conn, tenant, b, a, "agent:1")
        async with rt.engine.connect() as conn:
            merged = await queries.get_contact(conn, tenant, a)
            convs = await queries.list_conversations(conn, tenant, contact=a)
        assert merged is not None and merged["merged_contacts"] == [b]
        # each identity keeps its own channel address for replies (chatwoot#15359)
        assert {(i["kind"], i["handle"]) for i in merged["identities"]} == {
            ("email", "bob@example.test"),
            ("wa_id", "+4915100000009"),
        }
        assert len(convs) == 2
        async with rt.engine.begin() as conn:
            await commands.unmerge_contact(conn, tenant, b, "agent:1")
        assert await snapshot(rt, tenant) == before

        async def events() -> bool:
            tags = [un.unified_tag(e) for e in await read_unified(kafka, CONTACTS, tenant)]
            return "contact.merged.v1" in tags and "contact.unmerged.v1" in tags

        await eventually(events)
