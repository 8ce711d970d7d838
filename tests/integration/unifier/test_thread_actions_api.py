"""The conversation actions' API over HTTP, on both databases: labels, snooze, activity and
canned responses; bad input and another tenant's ids answered clearly, nothing changed; the
events reach Kafka through the outbox."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_accounts_api import signed_in
from tests.unit.unifier.factory import ident, message
from tests.workspace import create_agent
from unifier.entrypoints.app import create_app

Clients = tuple[httpx.AsyncClient, httpx.AsyncClient, str]

# Over HTTP on one database (postgresql): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)


@dataclass(frozen=True)
class Desks:
    app: FastAPI
    base: str
    tenant: str
    other: str


@pytest.fixture
async def desks(kafka: str, dsn: str) -> AsyncIterator[Desks]:
    """The app serving two tenants, with one conversation each."""
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens))
    alice = [ident("email", "alice@example.test")]
    await publish(kafka, [message("m1", tenant=t, ids=alice) for t in (tenant, other)])
    async with serving(app) as base:
        yield Desks(app, base, tenant, other)


async def _one_conversation(client: httpx.AsyncClient) -> None:
    async def one() -> bool:
        return len((await client.get("/conversations")).json()) == 1

    await eventually(one)


@pytest.fixture
async def clients(desks: Desks) -> AsyncIterator[Clients]:
    """The tenant's integration client (its API token) and another tenant's."""
    async with (
        httpx.AsyncClient(
            base_url=f"{desks.base}/api/tenants/{desks.tenant}",
            headers={"Authorization": f"Bearer tok-{desks.tenant}"},
            timeout=10,
        ) as mine,
        httpx.AsyncClient(
            base_url=f"{desks.base}/api/tenants/{desks.other}",
            headers={"Authorization": f"Bearer tok-{desks.other}"},
            timeout=10,
        ) as theirs,
    ):
        for client in (mine, theirs):
            await _one_conversation(client)
        yield mine, theirs, desks.tenant


@contextlib.asynccontextmanager
async def admin_of(desks: Desks, tenant: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in (session cookie + CSRF header) as a new admin of ``tenant``."""
    admin = await create_agent(desks.app, tenant, name="Ada")
    async with httpx.AsyncClient(base_url=desks.base, timeout=10) as c:
        csrf = await signed_in(c, admin)
        c.base_url = httpx.URL(f"{desks.base}/api/tenants/{tenant}/")
        c.headers["X-CSRF-Token"] = csrf
        yield c


async def _tid(client: httpx.AsyncClient) -> str:
    [conv] = (await client.get("/conversations")).json()
    return str(conv["thread_id"])


async def test_labels_api(clients: Clients, kafka: str) -> None:
    mine, theirs, tenant = clients
    tid, foreign = await _tid(mine), await _tid(theirs)
    res = await mine.post("/labels", json={"label": "Needs Reply", "color": "#AA0000"})
    assert res.status_code == 201 and res.json() == {"label": "needs-reply", "color": "#aa0000"}
    assert (await mine.post("/labels", json={"label": "x", "color": "red"})).status_code == 422
    res = await mine.post(f"/conversations/{tid}/labels", json={"add": ["VIP", "needs reply"]})
    assert res.status_code == 200 and res.json()["labels"] == ["needs-reply", "vip"]
    for bad in ({"add": [""]}, {"add": ["x" * 41]}, {"add": [str(i) for i in range(21)]}):
        res = await mine.post(f"/conversations/{tid}/labels", json=bad)
        assert res.status_code == 422, bad
    res = await mine.post(f"/conversations/{foreign}/labels", json={"add": ["stolen"]})
    assert res.status_code == 404
    res = await mine.post(f"/conversations/{tid}/labels", json={"remove": ["vip"]})
    assert res.json()["labels"] == ["needs-reply"]
    assert [x["label"] for x in (await mine.get("/labels")).json()] == ["needs-reply", "vip"]
    assert (await theirs.get("/labels")).json() == []
    activity = (await mine.get(f"/conversations/{tid}/activity")).json()
    assert [(a["kind"], a["detail"]["added"], a["detail"]["removed"]) for a in activity] == [
        ("labels", ["vip", "needs-reply"], []),
        ("labels", [], ["vip"]),
    ]
    assert all(a["actor"] for a in activity)  # the signed-in agent, whoever that is
    assert (await mine.get(f"/conversations/{foreign}/activity")).status_code == 404

    async def published() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        return len([e for e in events if isinstance(e, un.ConversationLabelsChanged)]) == 2

    await eventually(published)


async def test_snooze_api(clients: Clients, kafka: str) -> None:
    mine, theirs, tenant = clients
    tid, foreign = await _tid(mine), await _tid(theirs)
    until = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    res = await mine.post(f"/conversations/{tid}/snooze", json={"until": until.isoformat()})
    assert res.status_code == 200 and res.json()["snoozed_until"] == until.isoformat()
    for bad in ("2020-01-01T00:00:00+00:00", "2026-12-24T09:00:00", "tomorrow"):
        res = await mine.post(f"/conversations/{tid}/snooze", json={"until": bad})
        assert res.status_code == 422, bad
    res = await mine.post(f"/conversations/{foreign}/snooze", json={"until": until.isoformat()})
    assert res.status_code == 404
    assert (await mine.post(f"/conversations/{tid}/unsnooze")).status_code == 200
    res = await mine.post(f"/conversations/{tid}/unsnooze")
    assert res.status_code == 409 and res.json()["error"] == "not_snoozed"
    activity = (await mine.get(f"/conversations/{tid}/activity")).json()
    assert [a["kind"] for a in activity] == ["snoozed", "unsnoozed"]
    assert activity[0]["detail"]["until"] == until.isoformat()

    async def published() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        snoozes = [e for e in events if isinstance(e, un.ConversationSnoozed)]
        return [e.until for e in snoozes] == [until, None]

    await eventually(published)


async def test_canned_api(clients: Clients, desks: Desks) -> None:
    """Admins manage canned responses; an integration token may read them, not change them."""
    integration, _, _ = clients
    async with admin_of(desks, desks.tenant) as mine, admin_of(desks, desks.other) as theirs:
        await canned_by_admins(mine, theirs)
        body = {"shortcut": "x", "title": "X", "body": "x"}
        res = await integration.post("/canned", json=body)
        assert res.status_code == 403 and res.json()["error"] == "forbidden"
        assert (await integration.get("/canned")).status_code == 200


async def canned_by_admins(mine: httpx.AsyncClient, theirs: httpx.AsyncClient) -> None:
    body = {"shortcut": "thanks", "title": "Thanks", "body": "Thanks {{contact.name}}!"}
    res = await mine.post("/canned", json=body)
    assert res.status_code == 201
    made = res.json()
    assert (await mine.post("/canned", json=body)).status_code == 409
    assert (await mine.post("/canned", json={**body, "shortcut": "a b"})).status_code == 422
    assert (await mine.post("/canned", json={**body, "body": "x" * 5001})).status_code == 422
    url = f"/canned/{made['canned_id']}"
    assert (await theirs.get(url)).status_code == 404
    assert (await theirs.put(url, json=body)).status_code == 404
    assert (await theirs.delete(url)).status_code == 404
    assert (await theirs.get("/canned")).json() == []
    res = await mine.put(url, json={**body, "title": "Thank you"})
    assert res.status_code == 200 and res.json()["title"] == "Thank you"
    assert [c["title"] for c in (await mine.get("/canned")).json()] == ["Thank you"]
    assert (await mine.delete(url)).status_code == 204
    assert (await mine.get(url)).status_code == 404
