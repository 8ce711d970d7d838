"""Real broker + both databases: one signed widget identity carrying a person's email and phone
merges her mail contact and her WhatsApp contact, and their open threads into one, through the
consumer; an unmerge gives back what came through the merged contact. Conflicts never merge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from hotline import unified as un
from hotline.topics import CONTACTS
from tests.integration.unifier.harness import eventually, read_unified, running, settings_for
from tests.integration.unifier.test_linking_store import arrive, rows
from tests.unit.unifier.factory import ident, message
from unifier.domain.linking import suggestion_id
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service import commands, suggestions
from unifier.store.schema import contacts, thread_keys, threads
from unifier.store.schema import suggestions as suggestion_rows

H = timedelta(hours=1)
PHONE = "+4915100000011"
EMAIL = "maria@example.test"


def mail(pmid: str, tenant: str, at: timedelta) -> Any:
    ids = [ident("email", EMAIL, level="dmarc_aligned")]
    return message(pmid, tenant=tenant, handle=EMAIL, at=at, ids=ids)


def wa(pmid: str, tenant: str, at: timedelta) -> Any:
    ids = [ident("wa_id", PHONE[1:], level="provider_verified"),
           ident("phone", PHONE, level="provider_verified")]  # fmt: skip
    return message(pmid, "whatsapp", tenant=tenant, handle=PHONE, at=at, ids=ids)


def widget(pmid: str, tenant: str, at: timedelta, user: str = "site1:maria") -> Any:
    ids = [ident("email", EMAIL, level="site_signed"), ident("phone", PHONE, level="site_signed"),
           ident("widget_user", user, level="site_signed")]  # fmt: skip
    return message(pmid, "widget", tenant=tenant, handle="visitor-1", at=at, ids=ids)


async def merged_into(rt: ConsumerRuntime, tenant: str, cid: str) -> str | None:
    async with rt.engine.connect() as conn:
        c = contacts.c
        q = sa.select(c.merged_into).where(c.tenant == tenant, c.contact_id == cid)
        return await conn.scalar(q)


async def thread_state(rt: ConsumerRuntime, tenant: str, tid: str) -> tuple[bool, str | None, int]:
    async with rt.engine.connect() as conn:
        t = threads.c
        q = sa.select(t.open, t.merged_into, t.message_count)
        row = (await conn.execute(q.where(t.tenant == tenant, t.thread_id == tid))).one()
        return bool(row[0]), row[1], row[2]


async def key(rt: ConsumerRuntime, tenant: str, name: str) -> str | None:
    async with rt.engine.connect() as conn:
        k = thread_keys.c
        return await conn.scalar(sa.select(k.thread_id).where(k.tenant == tenant, k.key == name))


async def merges(kafka: str, tenant: str) -> list[un.ContactMerged]:
    found = await read_unified(kafka, CONTACTS, tenant)
    return [e for e in found if isinstance(e, un.ContactMerged)]


async def test_a_signed_widget_identity_joins_mail_and_whatsapp_into_one_contact_and_thread(
    kafka: str, dsn: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await arrive(rt, kafka, tenant, mail("m1", tenant, 0 * H))
        got = await arrive(rt, kafka, tenant, wa("w1", tenant, H))
        a, b = got["m1"].contact_id, got["w1"].contact_id
        ta, tb = got["m1"].thread_id, got["w1"].thread_id
        assert a != b and ta != tb
        bridge = widget("v1", tenant, 2 * H)
        got = await arrive(rt, kafka, tenant, bridge)
        assert got["v1"].contact_id == a and await merged_into(rt, tenant, b) == a
        assert {got[k].thread_id for k in ("m1", "w1", "v1")} == {ta}
        assert await thread_state(rt, tenant, tb) == (False, ta, 0)
        assert await thread_state(rt, tenant, ta) == (True, None, 3)
        assert await key(rt, tenant, "grp:contact:" + b) == ta
        got = await arrive(rt, kafka, tenant, wa("w2", tenant, 3 * H))  # her next message
        assert (got["w2"].contact_id, got["w2"].resolved_contact_id) == (a, b)
        assert got["w2"].thread_id == ta

        async def published() -> bool:
            return bool(await merges(kafka, tenant))

        await eventually(published)
        [event] = await merges(kafka, tenant)
        assert (event.contact_id, event.merged_contact_id, event.merged_by) == (a, b, "unifier")
        assert event.decision.rule == "identity.verified_merge"
        for part in (EMAIL, PHONE, "site_signed", "dmarc_aligned", "provider_verified",
                     f"contact {a}", f"contact {b}", bridge.event_id):  # fmt: skip
            assert part in event.decision.evidence
        async with rt.engine.begin() as conn:  # the automatic merge can be undone
            undone = await commands.unmerge_contact(conn, tenant, b, "agent:1")
        assert undone.restored_messages == 1
        got = await rows(rt, tenant)
        owners = {k: got[k].contact_id for k in ("m1", "w1", "v1", "w2")}
        assert owners == {"m1": a, "w1": b, "v1": a, "w2": b}
        assert await merged_into(rt, tenant, b) is None


async def test_two_users_of_one_site_sharing_an_email_never_merge(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    shop42 = message("v1", "widget", tenant=tenant, handle="visitor-1", ids=[
        ident("widget_user", "shop:42", level="site_signed"),
        ident("email", EMAIL, level="site_signed")])  # fmt: skip
    async with running(settings_for(kafka, dsn)) as rt:
        await arrive(rt, kafka, tenant, shop42)
        got = await arrive(rt, kafka, tenant, wa("w1", tenant, H))
        x, y = got["v1"].contact_id, got["w1"].contact_id
        got = await arrive(rt, kafka, tenant, widget("v2", tenant, 2 * H, user="shop:43"))
        assert got["v2"].contact_id in (x, y)
        assert await merged_into(rt, tenant, x) is None
        assert await merged_into(rt, tenant, y) is None
        shop44 = message("v3", "widget", tenant=tenant, handle="visitor-3", at=3 * H, ids=[
            ident("widget_user", "shop:44", level="site_signed"),
            ident("email", EMAIL, level="site_signed")])  # fmt: skip
        got = await arrive(rt, kafka, tenant, shop44)  # a third user with the same email
        z = got["v3"].contact_id
        assert z not in (x, y)
        async with rt.engine.connect() as conn:
            s = suggestion_rows.c
            q = sa.select(s.suggestion_id).where(s.tenant == tenant)
            assert sorted(await conn.scalars(q)) == sorted(
                [suggestion_id(tenant, x, y), suggestion_id(tenant, x, z)]
            )


async def test_a_dismissed_pair_never_merges(kafka: str, dsn: str) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(settings_for(kafka, dsn)) as rt:
        await arrive(rt, kafka, tenant, mail("m1", tenant, 0 * H))
        got = await arrive(rt, kafka, tenant, wa("w1", tenant, H))
        a, b = got["m1"].contact_id, got["w1"].contact_id
        sid = suggestion_id(tenant, a, b)
        lo, hi = sorted((a, b))
        async with rt.engine.begin() as conn:  # an agent said they are different people
            await conn.execute(
                sa.insert(suggestion_rows).values(
                    tenant=tenant, contact_id=lo, suggested_contact_id=hi, evidence="test",
                    suggestion_id=sid, status="open",
                )
            )  # fmt: skip
            await suggestions.dismiss(conn, tenant, a, sid, "agent:1")
        got = await arrive(rt, kafka, tenant, widget("v1", tenant, 2 * H))
        assert got["v1"].contact_id == a
        assert await merged_into(rt, tenant, b) is None


async def test_published_together_in_any_order_she_is_one_contact_in_one_thread(
    kafka: str, dsn: str
) -> None:
    """The channels' topics interleave as they will: whether the widget bridges two contacts
    of one batch or of earlier ones, or comes first and the others link to it, the result is
    one contact and one open thread with all her messages."""
    tenant = "t" + uuid.uuid4().hex[:8]
    events = [mail("m1", tenant, 0 * H), wa("w1", tenant, H), widget("v1", tenant, 2 * H),
              wa("w2", tenant, 3 * H), mail("m2", tenant, 4 * H)]  # fmt: skip
    async with running(settings_for(kafka, dsn)) as rt:
        got = await arrive(rt, kafka, tenant, *events)
        canonical = {
            await merged_into(rt, tenant, r.contact_id) or r.contact_id for r in got.values()
        }
        assert len(canonical) == 1
        [tid] = {r.thread_id for r in got.values()}
        assert await thread_state(rt, tenant, tid) == (True, None, 5)
