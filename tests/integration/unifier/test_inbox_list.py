"""The conversation list's query on both databases: views, every filter, keyset paging across
equal timestamps, unread counts per agent, and another tenant never in sight."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import T0, ident, message
from unifier.entrypoints.web import list_model
from unifier.store import inbox_rows, inbox_search
from unifier.store.inbox_rows import Key, ListQuery
from unifier.store.schema import messages, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_workspace import labels, reads, thread_labels

NOW = T0 + timedelta(days=1)


def customer(
    tenant: str, n: int, kind: ev.ChannelKind = "email", text: str = "hello", hours: float = 0
) -> ev.MessageReceived:
    """A message of customer ``n`` (one contact and one thread each)."""
    handle = f"c{n}@example.test" if kind == "email" else f"+49151{n:07d}"
    ids = [ident("email", handle)] if kind == "email" else [ident("wa_id", handle[1:])]
    return message(
        f"{tenant}-m{n}-{hours}",
        kind,
        tenant=tenant,
        handle=handle,
        ids=ids,
        text=text,
        at=timedelta(hours=hours),
    )


async def thread_of(engine: AsyncEngine, tenant: str, pmid: str) -> str:
    m = messages.c
    async with engine.connect() as conn:
        q = sa.select(m.thread_id).where(m.tenant == tenant, m.provider_message_id == pmid)
        return str((await conn.execute(q)).scalar_one())


async def ids_of(engine: AsyncEngine, **given: Any) -> list[str]:
    async with engine.connect() as conn:
        found = await inbox_rows.page(conn, ListQuery(now=NOW, **given))
    return [r["thread_id"] for r in found.rows]


async def set_thread(engine: AsyncEngine, tenant: str, tid: str, **values: Any) -> None:
    t = threads.c
    async with engine.begin() as conn:
        await conn.execute(
            threads.update().where(t.tenant == tenant, t.thread_id == tid).values(**values)
        )


async def add_rows(engine: AsyncEngine, table: sa.Table, *rows: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(table), list(rows))


def agent(tenant: str, agent_id: str, name: str) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "agent_id": agent_id,
        "email": f"{agent_id}-{tenant}@example.test",
        "name": name,
        "role": "agent",
        "password_hash": "x",
        "created_at": T0,
    }


async def test_views_filters_status_unread_and_tenants(engine: AsyncEngine) -> None:
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    first = [customer(tenant, n, hours=n) for n in range(6)]
    first[5] = customer(tenant, 5, "whatsapp", text="Where is my PARCEL?", hours=5)
    for batch in (first, [customer(tenant, 0, text="second", hours=7)]):
        await decide_batch(engine, tenant, batch)
    await decide_batch(engine, other, [customer(other, 0, text="Where is my parcel?", hours=9)])
    t = [await thread_of(engine, tenant, e.provider_message_id) for e in first]
    foreign = await thread_of(engine, other, f"{other}-m0-9")
    await add_rows(engine, agents, agent(tenant, "ana", "Ana Lima"), agent(tenant, "bob", "Bob"))
    await set_thread(engine, tenant, t[0], assignee="ana")
    await set_thread(engine, tenant, t[1], assignee="bob")
    await set_thread(engine, tenant, t[2], open=False, closed_at=NOW)
    await set_thread(engine, tenant, t[3], snoozed_until=NOW + timedelta(hours=2))
    await set_thread(engine, tenant, t[4], snoozed_until=NOW - timedelta(hours=2))  # woke up
    await add_rows(engine, labels, {"tenant": tenant, "label": "vip", "created_at": T0})
    await add_rows(engine, thread_labels, {"tenant": tenant, "thread_id": t[4], "label": "vip"})
    await add_rows(
        engine, thread_labels, {"tenant": other, "thread_id": foreign, "label": "vip"}
    )  # another tenant's label never matches here
    seen = {"tenant": tenant, "thread_id": t[0], "seen_count": 1, "read_at": NOW}
    everything = {**seen, "agent_id": "bob", "seen_count": 2}
    await add_rows(engine, reads, {**seen, "agent_id": "ana"}, everything)

    base: dict[str, Any] = {"tenant": tenant, "agent_id": "ana"}
    newest_first = [t[0], t[5], t[4], t[3], t[2], t[1]]  # t0 got a later message
    assert await ids_of(engine, **base) == newest_first
    assert await ids_of(engine, **base, view="mine") == [t[0]]
    assert await ids_of(engine, **{**base, "agent_id": "bob"}, view="mine") == [t[1]]
    assert await ids_of(engine, **base, view="unassigned") == [t[5], t[4], t[3], t[2]]
    assert await ids_of(engine, **base, status="open") == [t[0], t[5], t[4], t[1]]
    assert await ids_of(engine, **base, status="snoozed") == [t[3]]
    assert await ids_of(engine, **base, status="closed") == [t[2]]
    assert await ids_of(engine, **base, view="unassigned", status="open") == [t[5], t[4]]
    assert await ids_of(engine, **base, channel="whatsapp") == [t[5]]
    assert await ids_of(engine, **base, channel="sms") == []
    assert await ids_of(engine, **base, label="vip") == [t[4]]
    assert await ids_of(engine, **base, assignee="bob") == [t[1]]
    assert await ids_of(engine, **base, text="parcel") == [t[5]]  # case-insensitive
    assert await ids_of(engine, **base, text="100%") == []  # a wildcard is a character
    assert await ids_of(engine, tenant=other, agent_id="ana") == [foreign]

    async with engine.connect() as conn:
        offered = await inbox_rows.choices(conn, tenant)
        rows, after = await list_model.load(conn, ListQuery(tenant, "ana", NOW))
        as_bob, _ = await list_model.load(conn, ListQuery(now=NOW, tenant=tenant, agent_id="bob"))
    by_id = {r["thread_id"]: r for r in rows}
    assert offered == {"agents": [("ana", "Ana Lima"), ("bob", "Bob")], "labels": [("vip", "vip")]}
    assert after is None
    assert (by_id[t[0]]["unread"], by_id[t[5]]["unread"]) == (1, 1)  # 2 - 1 seen; 1 - none
    assert {r["thread_id"]: r["unread"] for r in as_bob}[t[0]] == 0  # bob has read both
    assert [by_id[x]["status"] for x in t[:5]] == ["open", "open", "closed", "snoozed", "open"]
    assert (by_id[t[0]]["assignee_name"], by_id[t[3]]["assignee_name"]) == ("Ana Lima", None)
    assert by_id[t[0]]["preview"]["text"] == "second"
    assert by_id[t[5]]["channels"] == ["whatsapp"] and by_id[t[4]]["labels"] == ["vip"]
    assert by_id[t[1]]["contact_name"] == "c1@example.test"


async def test_keyset_paging_across_equal_timestamps(engine: AsyncEngine) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    batch = [customer(tenant, n, hours=0 if n < 7 else n) for n in range(10)]
    await decide_batch(engine, tenant, batch)
    async with engine.connect() as conn:
        t = threads.c
        q = sa.select(t.thread_id, t.last_message_at).where(t.tenant == tenant)
        everything = [(when_of(r[1]), r[0]) for r in await conn.execute(q)]
    expected = [tid for _, tid in sorted(everything, reverse=True)]
    pages: list[list[str]] = []
    after: Key | None = None
    while True:
        async with engine.connect() as conn:
            found = await inbox_rows.page(
                conn, ListQuery(tenant=tenant, agent_id="a", now=NOW, after=after, limit=3)
            )
        pages.append([r["thread_id"] for r in found.rows])
        if found.next is None:
            break
        after = list_model.decode_cursor(list_model.encode_cursor(found.next))
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [tid for p in pages for tid in p] == expected
    assert len({tid for p in pages for tid in p}) == 10


async def test_search_finds_the_same_page_walking_or_by_index(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both plans ``inbox_search.walks`` chooses between give the same page, newest first."""
    tenant = "t" + uuid.uuid4().hex[:8]
    texts = ["refund please", "hello", "a REFUND again", "refunded?", "nothing", "no refund"]
    batch = [customer(tenant, n, text=x, hours=n) for n, x in enumerate(texts)]
    await decide_batch(engine, tenant, batch)
    expected = [await thread_of(engine, tenant, batch[n].provider_message_id) for n in (5, 3, 2, 0)]
    pg = engine.dialect.name == "postgresql"
    for walk_from, walking in ((0, pg), (10**12, False)):
        monkeypatch.setattr(inbox_search, "WALK_FROM", walk_from)
        async with engine.connect() as conn:
            assert await inbox_search.walks(conn, tenant, "refund") is walking
            assert await inbox_search.walks(conn, tenant, "?!") is False  # no word: no filter
        assert await ids_of(engine, tenant=tenant, agent_id="a", text="refund") == expected


def when_of(value: Any) -> datetime:
    from unifier.store.dialect import when

    return when(value).astimezone(UTC)


def test_a_cursor_not_ours_is_refused() -> None:
    from hotline.http import Rejected

    for bad in ("nope", "e30", list_model.encode_cursor(Key(NOW, "x"))[:-3] + "!!!"):
        with pytest.raises(Rejected) as caught:
            list_model.decode_cursor(bad)
        assert caught.value.status == 400
