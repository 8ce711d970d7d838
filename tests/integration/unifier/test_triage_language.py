"""Real broker + both databases: each message's language, and its thread's (the latest confident
customer language), stored and published on conversation.message.added.v1."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

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
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store.schema import messages, threads

M = timedelta(minutes=1)


def chat(
    tenant: str, pmid: str, text: str, n: int, role: ev.Role = "customer"
) -> ev.MessageReceived:
    wa = [ident("wa_id", "33612345678")]
    return message(
        pmid,
        "whatsapp",
        tenant=tenant,
        handle="+33612345678",
        ids=wa,
        text=text,
        at=n * M,
        role=role,
    )


async def languages(rt: ConsumerRuntime, tenant: str) -> dict[str, tuple[str | None, str | None]]:
    """provider message id -> (its language, its thread's language)"""
    async with rt.engine.connect() as conn:
        m, t = messages.c, threads.c
        q = (
            sa.select(m.provider_message_id, m.language, t.language)
            .join(threads, (t.tenant == m.tenant) & (t.thread_id == m.thread_id))
            .where(m.tenant == tenant)
        )
        return {pmid: (lang, thread) for pmid, lang, thread in (await conn.execute(q)).all()}


async def drained(rt: ConsumerRuntime, tenant: str, n: int) -> None:
    async def done() -> bool:
        return len(await languages(rt, tenant)) == n

    await eventually(done)


async def test_languages_of_messages_and_their_thread(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await publish(kafka, [chat(tenant, "w1", "Bonjour, ma commande n'est pas arrivée", 0)])
        await drained(rt, tenant, 1)
        assert await languages(rt, tenant) == {"w1": ("fr", "fr")}
        # too short to tell: recorded only, the thread keeps the customer's language; an agent's
        # message has its own language but never sets the customer's
        await publish(
            kafka,
            [chat(tenant, "w2", "ok", 1), chat(tenant, "w3", "We are looking into it", 2, "agent")],
        )
        await drained(rt, tenant, 3)
        found = await languages(rt, tenant)
        assert found["w2"] == (None, "fr")
        assert found["w3"][0] == "en" and found["w3"][1] is None
        await publish(kafka, [chat(tenant, "w4", "Hallo, meine Bestellung ist noch nicht da", 3)])
        await drained(rt, tenant, 4)
        assert (await languages(rt, tenant))["w1"] == ("fr", "de")

        async def published() -> bool:
            found = await read_unified(kafka, CONVERSATIONS, tenant)
            return len([e for e in found if isinstance(e, un.ConversationMessageAdded)]) == 4

        await eventually(published)
        added = await read_unified(kafka, CONVERSATIONS, tenant)
        assert {
            e.provider_message_id: e.language
            for e in added
            if isinstance(e, un.ConversationMessageAdded)
        } == {"w1": "fr", "w2": None, "w3": "en", "w4": "de"}


async def test_triage_off_sets_no_language(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn, triage=False)) as rt:
        await publish(kafka, [chat(tenant, "w1", "Bonjour, ma commande n'est pas arrivée", 0)])
        await drained(rt, tenant, 1)
        assert await languages(rt, tenant) == {"w1": (None, None)}
