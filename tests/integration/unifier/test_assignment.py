"""Assignment over HTTP and the auto-assigner, with the real broker and both databases:
manual assign/unassign with its events, auto-assignment by round robin within capacity, the
queue said once, reassignment when an agent goes offline, other tenants refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.conftest import new_pg_database
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import ident, message
from tests.workspace import SignedIn, create_agent, sign_in_client
from unifier.entrypoints.app import create_app
from unifier.entrypoints.assigner import Assigner
from unifier.settings import UnifierSettings
from unifier.store import assignment_rows as rows
from unifier.store import team_rows
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import threads

NOW = datetime.now

# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files (test_*_store, test_thread_actions, test_inbox_search, ...).


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[tuple[httpx.AsyncClient, str, FastAPI]]:
    tenant = "t" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), "other": SecretStr("tok-other")}
    settings = settings_for(
        kafka,
        dsn,
        api_tokens=tokens,
        assign_poll_seconds=0.2,
        presence_online_seconds=60,
        offline_grace_seconds=30,
    )
    app = create_app(settings)
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=10,
        ) as client,
    ):
        yield client, tenant, app


@asynccontextmanager
async def signed(
    client: httpx.AsyncClient, app: FastAPI, tenant: str, agent: SignedIn | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, SignedIn]]:
    """An HTTP client signed in as ``agent`` (default: a new admin), sending its CSRF token,
    with the same base URL as ``client``."""
    root = str(client.base_url).split("/api/")[0]
    agent = agent or await create_agent(app, tenant, name="Ada")
    async with httpx.AsyncClient(base_url=client.base_url, timeout=10) as session:
        who = await sign_in_client(session, root, agent)
        session.headers["X-CSRF-Token"] = who.csrf_token
        yield session, who


async def sql(app: FastAPI, fn: Any) -> Any:
    async with app.state.runtime.engine.begin() as conn:
        return await fn(conn)


async def add_agents(
    app: FastAPI, tenant: str, capacity: int = 10, *names: str, seen: bool = True
) -> None:
    async def add(conn: Any) -> None:
        for name in names:
            await rows.add_agent(conn, tenant, name, NOW(UTC), capacity=capacity)
            if seen:
                await rows.touch_agent(conn, tenant, name, NOW(UTC))

    await sql(app, add)


async def assignees(app: FastAPI, tenant: str) -> dict[str, str | None]:
    t = threads.c
    q = sa.select(t.thread_id, t.assignee).where(t.tenant == tenant)
    return dict((await sql(app, lambda c: c.execute(q))).all())


async def threads_of(app: FastAPI, tenant: str, n: int) -> list[str]:
    async def there() -> bool:
        return len(await assignees(app, tenant)) >= n

    await eventually(there)
    return sorted(await assignees(app, tenant))


def customer(tenant: str, i: int) -> Any:
    who = f"c{i}@example.test"
    return message(f"m{i}-{tenant}", tenant=tenant, handle=who, ids=[ident("email", who)])


async def assigned_events(kafka: str, tenant: str, n: int) -> list[un.ConversationAssigned]:
    found: list[un.ConversationAssigned] = []

    async def enough() -> bool:
        found[:] = [
            e
            for e in await read_unified(kafka, CONVERSATIONS, tenant)
            if isinstance(e, un.ConversationAssigned)
        ]
        return len(found) >= n

    await eventually(enough)
    return found


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_assign_and_unassign(kafka: str, api: tuple[httpx.AsyncClient, str, FastAPI]) -> None:
    client, tenant, app = api
    await add_agents(app, tenant, 10, "ana", "bob")
    other = "o" + tenant  # a tenant of its own: earlier tests' messages stay on the topics
    await add_agents(app, other, 10, "zed")
    await publish(kafka, [customer(tenant, 1), customer(other, 2)])
    [tid] = await threads_of(app, tenant, 1)
    [foreign] = await threads_of(app, other, 1)

    # an agent (not an admin) who signs in: unseen until it makes a request
    agent = await create_agent(app, tenant, name="Agent", role="agent")
    assert (await sql(app, lambda c: rows.agent(c, tenant, agent.agent_id))).last_seen_at is None
    async with signed(client, app, tenant, agent) as (me, who):
        await assign_as(me, who, app, tid, foreign)
    events = await assigned_events(kafka, tenant, 3)
    assert [(e.assignee, e.previous, e.reason, e.by) for e in events] == [
        ("ana", None, "manual", agent.agent_id),
        ("bob", "ana", "manual", agent.agent_id),
        (None, "bob", "manual", agent.agent_id),
    ]
    log = await sql(app, lambda c: rows.activity_of(c, tenant, tid))
    assert [(a["kind"], a["detail"]["to"], a["detail"]["reason"]) for a in log] == [
        ("assigned", "ana", "manual"),
        ("assigned", "bob", "manual"),
        ("unassigned", None, "manual"),
    ]


async def assign_as(
    client: httpx.AsyncClient, who: SignedIn, app: FastAPI, tid: str, foreign: str
) -> None:
    """Signed in as ``who``: online, assigns, reassigns, unassigns; refusals change nothing."""
    tenant = who.tenant
    other = "o" + tenant
    online = (await client.get("/agents/online")).json()
    assert who.agent_id in [a["agent_id"] for a in online]

    res = await client.post(f"/conversations/{tid}/assign", json={"assignee": "ana"})
    assert res.status_code == 200, res.text
    assert res.json() | {"event_id": ""} == {
        "conversation_id": tid,
        "assignee": "ana",
        "previous": None,
        "reason": "manual",
        "event_id": "",
    }
    res = await client.post(f"/conversations/{tid}/assign", json={"assignee": "bob"})
    assert res.status_code == 200 and res.json()["previous"] == "ana"
    assert (await assignees(app, tenant))[tid] == "bob"
    res = await client.post(f"/conversations/{tid}/assign", json={"assignee": None})
    assert res.status_code == 200 and res.json()["assignee"] is None

    # refused, nothing changed: the same again, an unknown agent, another tenant's agent and
    # thread, another tenant's path
    refused = [
        (tid, {"assignee": None}, 409, "unchanged"),
        (tid, {"assignee": "nobody"}, 422, "unknown_agent"),
        (tid, {"assignee": "zed"}, 422, "unknown_agent"),
        (foreign, {"assignee": "ana"}, 404, "not_found"),
        (tid, {}, 422, None),
    ]
    for thread, body, status, error in refused:
        res = await client.post(f"/conversations/{thread}/assign", json=body)
        assert res.status_code == status, (body, res.text)
        assert error is None or res.json()["error"] == error
    res = await client.post(f"../{other}/conversations/{foreign}/assign", json={"assignee": "zed"})
    assert res.status_code == 403
    assert (await assignees(app, tenant))[tid] is None
    assert (await assignees(app, other))[foreign] is None


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_auto_assign_capacity_queue_and_offline(
    kafka: str, api: tuple[httpx.AsyncClient, str, FastAPI]
) -> None:
    client, tenant, app = api
    await add_agents(app, tenant, 1, "ana", "bob")
    await add_agents(app, tenant, 5, "cy", seen=False)  # a member, offline
    await add_agents(app, tenant, 5, "dee")  # online, in no team

    everything = [{"channel_kind": "email"}]  # every account: "*"
    bad = {"name": "Support", "members": ["ana", "nobody"], "inboxes": everything}
    good = {"name": "Support", "members": ["ana", "bob", "cy"], "inboxes": everything}
    assert (await client.put("/teams/t1", json=good)).status_code == 403  # only admins
    async with signed(client, app, tenant) as (admin, ada):
        res = await admin.put("/teams/t1", json=bad)
        assert res.status_code == 422 and res.json()["error"] == "unknown_agent"
        assert (await client.get("/teams")).json() == []
        for tid, body in [
            ("t1", good),
            (
                "t2",
                {"name": "Idle", "auto_assign": False, "members": ["dee"], "inboxes": everything},
            ),
        ]:
            assert (await admin.put(f"/teams/{tid}", json=body)).status_code == 200
    listed = (await client.get("/teams")).json()
    assert [(t["team_id"], t["members"], t["auto_assign"]) for t in listed] == [
        ("t1", ["ana", "bob", "cy"], True),
        ("t2", ["dee"], False),
    ]
    assert listed[0]["inboxes"] == [{"channel_kind": "email", "account_id": "*"}]
    online = await client.get("/agents/online")  # the admin too: signed in, in no team
    assert sorted(a["agent_id"] for a in online.json()) == sorted(
        ["ana", "bob", "dee", ada.agent_id]
    )

    await publish(kafka, [customer(tenant, i) for i in range(3)])
    tids = await threads_of(app, tenant, 3)

    async def two_assigned() -> bool:
        return sorted(filter(None, (await assignees(app, tenant)).values())) == ["ana", "bob"]

    await eventually(two_assigned)
    [waiting] = [t for t, a in (await assignees(app, tenant)).items() if a is None]
    await asyncio.sleep(1.0)  # several rounds: the waiting thread is said once
    log = await sql(app, lambda c: rows.activity_of(c, tenant, waiting))
    assert [(a["kind"], a["detail"]["reason"]) for a in log] == [("queued", "all_at_capacity")]
    assert "team Support" in log[0]["detail"]["explanation"]
    assert "ana (1/1 full)" in log[0]["detail"]["explanation"]
    assert "cy (offline)" in log[0]["detail"]["explanation"]
    queued = await sql(app, lambda c: team_rows.queued(c, tenant, waiting))
    assert queued is not None and queued[0] == "all_at_capacity"

    # ana goes offline past the grace period, cy comes online: ana's thread moves to cy,
    # and so does the one that waited
    ana_thread = next(t for t, a in (await assignees(app, tenant)).items() if a == "ana")

    async def shift(conn: Any) -> None:
        await rows.touch_agent(conn, tenant, "ana", NOW(UTC) - timedelta(minutes=5))
        await rows.touch_agent(conn, tenant, "cy", NOW(UTC))

    await sql(app, shift)

    async def moved() -> bool:
        now = await assignees(app, tenant)
        return now[ana_thread] == "cy" and now[waiting] == "cy"

    await eventually(moved)
    events = await assigned_events(kafka, tenant, 4)
    by_thread = {(e.conversation_id, e.assignee): e for e in events}
    offline = by_thread[(ana_thread, "cy")]
    assert (offline.reason, offline.previous, offline.by, offline.team_id) == (
        "agent_offline",
        "ana",
        None,
        "t1",
    )
    assert by_thread[(waiting, "cy")].reason == "auto.round_robin"
    assert all(e.team_id == "t1" for e in events)
    assert len(events) == 4 and set(tids) == {e.conversation_id for e in events}
    log = await sql(app, lambda c: rows.activity_of(c, tenant, waiting))
    assert [a["kind"] for a in log] == ["queued", "assigned"]
    assert await sql(app, lambda c: team_rows.queued(c, tenant, waiting)) is None


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_presence_refusals(kafka: str, api: tuple[httpx.AsyncClient, str, FastAPI]) -> None:
    """The page route: CSRF header required, another tenant's conversation unknown, a bad
    state refused; a good post broadcasts "presence" and renders for others, not oneself."""
    client, tenant, app = api
    other = "o" + tenant
    await publish(kafka, [customer(tenant, 1), customer(other, 3)])
    [tid] = await threads_of(app, tenant, 1)
    [foreign] = await threads_of(app, other, 1)
    root = str(client.base_url).split("/api/")[0]
    url = f"{root}/inbox/conversations/{{}}/presence"
    ana_agent = await create_agent(app, tenant, name="Ana", role="agent")
    bob_agent = await create_agent(app, tenant, name="Bob", role="agent")
    async with (
        signed(client, app, tenant, ana_agent) as (ana, _),
        signed(client, app, tenant, bob_agent) as (bob, _),
    ):
        res = await ana.post(
            url.format(tid), json={"state": "viewing"}, headers={"X-CSRF-Token": ""}
        )
        assert res.status_code == 403 and res.json()["error"] == "csrf"
        res = await ana.post(url.format(foreign), json={"state": "viewing"})
        assert res.status_code == 404
        res = await ana.post(url.format(tid), json={"state": "dancing"})
        assert res.status_code == 422
        assert app.state.presence.seen == {}

        res = await ana.post(url.format(tid), json={"state": "typing"})
        assert res.status_code == 204
        mine = await ana.get(url.format(tid))
        theirs = await bob.get(url.format(tid))
        assert "is typing" not in mine.text
        assert "Ana is typing…" in theirs.text

        # the assignment fragment: another tenant's conversation is unknown, CSRF required
        fragment = f"{root}/inbox/conversations/{{}}/assign"
        assert (await ana.get(fragment.format(foreign))).status_code == 404
        res = await ana.post(fragment.format(foreign), data={"assignee": ""})
        assert res.status_code == 404
        no_csrf = {"X-CSRF-Token": ""}
        res = await ana.post(fragment.format(tid), data={"assignee": "nobody"}, headers=no_csrf)
        assert res.status_code == 403
        res = await ana.post(fragment.format(tid), data={"assignee": "nobody"})
        assert res.status_code == 422 and "nobody is not an agent" in res.text
    assert (await assignees(app, tenant))[tid] is None


async def test_one_assigner_per_database(postgres: Any) -> None:
    """Two instances on one PostgreSQL: one assigns, the other stands by and takes over when
    the first stops."""
    dsn = new_pg_database(postgres)
    engine = create_engine(dsn)
    await migrate(engine)
    settings = UnifierSettings(database_url=dsn, assign_poll_seconds=0.1)
    first = Assigner(engine, settings, dict, lambda changed: None)
    second = Assigner(engine, settings, dict, lambda changed: None)
    stops = [asyncio.Event(), asyncio.Event()]
    tasks = [asyncio.create_task(a.run(s)) for a, s in zip((first, second), stops, strict=True)]
    try:
        await eventually(lambda: _true(first.owned or second.owned))
        await asyncio.sleep(1.5)  # the standby asks every second: still one owner
        assert [first.owned, second.owned].count(True) == 1
        owner = 0 if first.owned else 1
        stops[owner].set()
        await tasks[owner]
        standby = (first, second)[1 - owner]
        await eventually(lambda: _true(standby.owned), timeout=10)
    finally:
        for s in stops:
            s.set()
        await asyncio.gather(*tasks)
        await engine.dispose()


async def _true(value: bool) -> bool:
    return value
