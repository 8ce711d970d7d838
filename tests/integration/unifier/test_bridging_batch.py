"""The working-set load and plan write on both databases for bridging merges decided inside one
batch: threads the batch opened for the merged contact are joined too, and a merge decided in
an earlier batch is followed by the load (an earlier merged contact's open threads join)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from hotline import unified as un
from tests.integration.unifier.harness import decide_batch
from tests.integration.unifier.test_bridging_store import mail, wa, widget
from unifier.domain.working import Plan
from unifier.store.schema import contacts, messages, outbox, thread_keys, threads

pytestmark = pytest.mark.integration
T = "acme"
H = timedelta(hours=1)


async def decide(engine: AsyncEngine, events: Sequence[ev.MessageReceived]) -> Plan:
    return await decide_batch(engine, T, events)


async def stored(engine: AsyncEngine) -> dict[str, tuple[str, str]]:
    async with engine.connect() as conn:
        m = messages.c
        q = sa.select(m.provider_message_id, m.contact_id, m.thread_id).where(m.tenant == T)
        return {r[0]: (r[1], r[2]) for r in await conn.execute(q)}


async def test_one_batch_merges_contacts_and_the_threads_it_opened(engine: AsyncEngine) -> None:
    plan = await decide(engine, [mail("m1", T, 0 * H), wa("w1", T, H), widget("v1", T, 2 * H)])
    [merge] = plan.merges
    a, b = merge.into, merge.merged
    got = await stored(engine)
    assert {t for _, t in got.values()} == {got["m1"][1]}  # all in her mail thread
    assert {k: c for k, (c, _) in got.items()} == {"m1": a, "w1": b, "v1": a}
    async with engine.connect() as conn:
        c, t, k, o = contacts.c, threads.c, thread_keys.c, outbox.c
        assert await conn.scalar(sa.select(c.merged_into).where(c.contact_id == b)) == a
        q = sa.select(t.thread_id, t.open, t.merged_into, t.message_count).where(t.tenant == T)
        rows = {r[0]: r[1:] for r in await conn.execute(q)}
        tid = got["m1"][1]
        assert rows.pop(tid) == (True, None, 3)
        assert [(bool(x), y, n) for x, y, n in rows.values()] == [(False, tid, 0)]
        keys = await conn.execute(sa.select(k.key, k.thread_id).where(k.key.like("grp:contact:%")))
        assert dict(keys.all()) == {"grp:contact:" + a: tid, "grp:contact:" + b: tid}
        kinds = list(await conn.scalars(sa.select(o.event_type).order_by(o.id)))
    assert kinds.count("contact.merged.v1") == 1
    assert kinds[-1] == "thread.decided.v1"  # w1 moved into her thread


async def test_a_later_batch_follows_an_earlier_merge(engine: AsyncEngine) -> None:
    await decide(engine, [mail("m1", T, 0 * H)])
    await decide(engine, [wa("w1", T, H)])
    plan = await decide(engine, [widget("v1", T, 2 * H)])
    [merge] = plan.merges
    plan = await decide(engine, [wa("w2", T, 3 * H), mail("m2", T, 4 * H)])
    assert [(m.contact_id, m.resolved_contact_id) for m in plan.messages] == [
        (merge.into, merge.merged),
        (merge.into, None),
    ]
    got = await stored(engine)
    assert len({t for _, t in got.values()}) == 1
    assert not [e for e in plan.outbox if isinstance(e, un.ContactMerged)]
