"""``POST /api/tenants/{tenant}/conversations/{id}/notes`` over HTTP on both databases: a note is
stored in the timeline and published on the unified stream only; another tenant's credentials,
another tenant's conversation, an unknown id and bad input are refused and change nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import unified as un
from hotline.topics import CONVERSATIONS, REPLIES_CHAT, REPLIES_EMAIL, REPLIES_SOCIAL
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import end_offsets, replies_since
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.app import create_app
from unifier.service.timeline import thread_view

Setup = tuple[httpx.AsyncClient, str, str, FastAPI]

# Over HTTP on one database (postgresql): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[Setup]:
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens))
    async with (
        serving(app) as base,
        httpx.AsyncClient(base_url=f"{base}/api/tenants", timeout=10) as client,
    ):
        yield client, tenant, other, app


def auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-{tenant}"}


async def _thread(kafka: str, client: httpx.AsyncClient, tenant: str) -> str:
    await publish(kafka, [message("n1", tenant=tenant, ids=[ident("email", "a@example.test")])])
    found: list[str] = []

    async def stored() -> bool:
        mine = client.build_request("GET", f"/{tenant}/conversations", headers=auth(tenant))
        found[:] = [c["thread_id"] for c in (await client.send(mine)).json()]
        return bool(found)

    await eventually(stored)
    return found[0]


async def _notes(app: FastAPI, tenant: str, tid: str) -> list[str]:
    async with app.state.runtime.engine.connect() as conn:
        view = await thread_view(conn, tenant, tid)
    assert view is not None
    return [i["text"] for i in view["timeline"] if i["type"] == "note"]


async def test_a_note_is_stored_and_published_never_sent(kafka: str, api: Setup) -> None:
    client, tenant, _, app = api
    tid = await _thread(kafka, client, tenant)
    before = {t: await end_offsets(kafka, t) for t in (REPLIES_EMAIL, REPLIES_CHAT, REPLIES_SOCIAL)}
    res = await client.post(
        f"/{tenant}/conversations/{tid}/notes", json={"text": "call her back"}, headers=auth(tenant)
    )
    assert res.status_code == 201, res.text
    note_id = res.json()["note_id"]
    assert await _notes(app, tenant, tid) == ["call her back"]

    async def published() -> list[un.ConversationNoteAdded]:
        return [
            e
            for e in await read_unified(kafka, CONVERSATIONS, tenant)
            if isinstance(e, un.ConversationNoteAdded)
        ]

    async def seen() -> bool:
        return bool(await published())

    await eventually(seen)
    [event] = await published()
    assert (event.note_id, event.conversation_id, event.text) == (note_id, tid, "call her back")
    await asyncio.sleep(0.5)
    for topic, offsets in before.items():
        assert await replies_since(kafka, offsets, tenant) == [], topic


async def test_other_tenants_unknown_ids_and_bad_input_are_refused(kafka: str, api: Setup) -> None:
    client, tenant, other, app = api
    tid = await _thread(kafka, client, tenant)
    url, body = f"/{tenant}/conversations/{tid}/notes", {"text": "hi"}
    refused = [
        (await client.post(url, json=body, headers=auth(other)), 403),  # their token, our tenant
        (  # their tenant, our conversation: not theirs to see
            await client.post(
                f"/{other}/conversations/{tid}/notes", json=body, headers=auth(other)
            ),
            404,
        ),
        (await client.post(url, json=body), 401),
        (
            await client.post(
                f"/{tenant}/conversations/nope/notes", json=body, headers=auth(tenant)
            ),
            404,
        ),
        (await client.post(url, json={"text": ""}, headers=auth(tenant)), 422),
        (await client.post(url, json={"text": "x" * 20_001}, headers=auth(tenant)), 422),
        (await client.post(url, json={"text": "   "}, headers=auth(tenant)), 422),
    ]
    assert [r.status_code for r, _ in refused] == [code for _, code in refused]
    assert "conversation" in refused[1][0].json()["detail"]
    assert await _notes(app, tenant, tid) == []
