"""Real broker + both databases: messages that arrived during a merge go back on unmerge, with
their threads' participants; every link's evidence is stored."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from hotline import unified as un
from hotline.topics import CONTACTS
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
from unifier.store.schema import messages, participants, threads

H = timedelta(hours=1)
D = timedelta(days=5)  # past the by-contact grouping window: a new thread
PHONE = "+4915100000009"


def bob_mail(pmid: str, tenant: str, at: timedelta) -> Any:
    mail = ident("email", "bob@example.test", level="dmarc_aligned")
    return message(pmid, tenant=tenant, handle="bob@example.test", at=at, ids=[mail])


def bob_wa(pmid: str, tenant: str, at: timedelta) -> Any:
    ids = [ident("wa_id", PHONE[1:], level="provider_verified")]
    return message(pmid, "whatsapp", tenant=tenant, handle=PHONE, at=at, ids=ids)


async def rows(rt: ConsumerRuntime, tenant: str) -> dict[str, Any]:
    async with rt.engine.connect() as conn:
        m = messages.c
        q = sa.select(m.provider_message_id, m.contact_id, m.resolved_contact_id, m.thread_id)
        return {r[0]: r for r in await conn.execute(q.where(m.tenant == tenant))}


async def thread_people(rt: ConsumerRuntime, tenant: str, tid: str) -> tuple[str, set[str]]:
    async with rt.engine.connect() as conn:
        t, p = threads.c, participants.c
        owner = await conn.scalar(
            sa.select(t.contact_id).where(t.tenant == tenant, t.thread_id == tid)
        )
        who = await conn.scalars(
            sa.select(p.contact_id).where(p.tenant == tenant, p.thread_id == tid)
        )
        return str(owner), set(who)


async def arrive(rt: ConsumerRuntime, kafka: str, tenant: str, *events: Any) -> dict[str, Any]:
    before = len(await rows(rt, tenant))
    await publish(kafka, list(events))

    async def stored() -> bool:
        return len(await rows(rt, tenant)) == before + len(events)

    await eventually(stored)
    return await rows(rt, tenant)


async def test_unmerge_gives_back_the_messages_that_arrived_during_the_merge(
    kafka: str, dsn: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        got = await arrive(rt, kafka, tenant, bob_mail("b1", tenant, 0 * H))
        got = await arrive(rt, kafka, tenant, bob_wa("b2", tenant, H))
        a, b = got["b1"].contact_id, got["b2"].contact_id
        assert a != b  # no shared identifier: two contacts
        async with rt.engine.begin() as conn:
            await commands.merge_contacts(conn, tenant, b, a, "agent:1")
        got = await arrive(rt, kafka, tenant, bob_mail("b3", tenant, 2 * H))
        got = await arrive(rt, kafka, tenant, bob_wa("b4", tenant, D))
        got = await arrive(rt, kafka, tenant, bob_wa("b5", tenant, D + H))
        # while merged: everything is a's; b4/b5 remember they came through b's identity
        assert [(got[k].contact_id, got[k].resolved_contact_id) for k in ("b3", "b4", "b5")] == [
            (a, None),
            (a, b),
            (a, b),
        ]
        late = got["b4"].thread_id
        assert got["b5"].thread_id == late and got["b3"].thread_id == got["b1"].thread_id
        assert await thread_people(rt, tenant, late) == (a, {a})
        async with rt.engine.begin() as conn:
            event = await commands.unmerge_contact(conn, tenant, b, "agent:1")
        assert event.restored_messages == 2
        got = await rows(rt, tenant)
        owners = {k: got[k].contact_id for k in ("b1", "b2", "b3", "b4", "b5")}
        assert owners == {"b1": a, "b2": b, "b3": a, "b4": b, "b5": b}
        assert await thread_people(rt, tenant, late) == (b, {b})  # participants follow
        assert await thread_people(rt, tenant, got["b1"].thread_id) == (a, {a})
        async with rt.engine.connect() as conn:
            convs = await queries.list_conversations(conn, tenant, contact=b)
        assert {c["thread_id"] for c in convs} == {got["b2"].thread_id, late}
        # each continues in its own latest thread: the survivor not in the one given back
        got = await arrive(rt, kafka, tenant, bob_mail("b6", tenant, D + 2 * H))
        got = await arrive(rt, kafka, tenant, bob_wa("b7", tenant, D + 2 * H))
        assert (got["b6"].contact_id, got["b7"].contact_id) == (a, b)
        assert got["b6"].thread_id not in (late, got["b2"].thread_id)
        assert got["b7"].thread_id == late

        async def unmerged() -> bool:
            events = await read_unified(kafka, CONTACTS, tenant)
            return any(isinstance(e, un.ContactUnmerged) for e in events)

        await eventually(unmerged)
    [published] = [
        e for e in await read_unified(kafka, CONTACTS, tenant) if isinstance(e, un.ContactUnmerged)
    ]
    assert published.restored_messages == 2 and "2 message(s)" in published.decision.evidence


async def test_a_contact_shows_each_identity_with_level_source_and_evidence(
    kafka: str, dsn: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        got = await arrive(rt, kafka, tenant, bob_mail("b1", tenant, 0 * H))
        signed = ident("email", "bob@example.test", level="site_signed")
        widget = message("v1", "widget", tenant=tenant, handle="visitor-1", at=H, ids=[signed])
        got = await arrive(rt, kafka, tenant, widget)
        contact = got["b1"].contact_id
        assert got["v1"].contact_id == contact  # site-signed email = DMARC-aligned address
        async with rt.engine.connect() as conn:
            found = await queries.get_contact(conn, tenant, contact)
    assert found is not None
    shown = sorted(
        (i["level"], i["source"], i["evidence"]["rule"], i["evidence"]["message_id"])
        for i in found["identities"]
    )
    assert shown == [
        ("dmarc_aligned", "test", "identity.new_contact", await _event_id(rt, tenant, "b1")),
        ("site_signed", "test", "identity.verified_match", await _event_id(rt, tenant, "v1")),
    ]
    assert all("bob@example.test" in i["evidence"]["evidence"] for i in found["identities"])


async def _event_id(rt: ConsumerRuntime, tenant: str, pmid: str) -> str:
    async with rt.engine.connect() as conn:
        m = messages.c
        q = sa.select(m.message_id).where(m.tenant == tenant, m.provider_message_id == pmid)
        return str(await conn.scalar(q))
