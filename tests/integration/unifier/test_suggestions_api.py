"""Suggestions over HTTP with the real broker and both databases: listed with their evidence,
dismissed for good (also against later messages), accepted as an agent-confirmed merge."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONTACTS, CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import ident, message
from tests.workspace import api_headers
from unifier.entrypoints.app import create_app

H = timedelta(hours=1)
PHONE = "+4915100000021"

# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files (test_*_store, test_thread_actions, test_inbox_search, ...).


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    tenant = "t" + uuid.uuid4().hex[:8]
    app = create_app(settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok")}))
    async with serving(app) as base:
        headers = await api_headers(app, tenant, name="agent 7")  # decides as "token:<id>"
        async with httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}", headers=headers, timeout=10
        ) as client:
            yield client, tenant


async def arrive(
    kafka: str, client: httpx.AsyncClient, events: list[ev.MessageReceived]
) -> list[str]:
    """Publish; the contact id of each message once all are in (conversations by contact)."""
    await publish(kafka, events)
    found: dict[str, str] = {}

    async def stored() -> bool:
        for conv in (await client.get("/conversations", params={"limit": 500})).json():
            thread = (await client.get(f"/conversations/{conv['thread_id']}")).json()
            found.update((m["provider_message_id"], m["contact_id"]) for m in thread["messages"])
        return all(e.provider_message_id in found for e in events)

    await eventually(stored)
    return [found[e.provider_message_id] for e in events]


async def suggestions_of(client: httpx.AsyncClient, contact: str) -> list[dict[str, Any]]:
    res = await client.get(f"/contacts/{contact}/suggestions")
    assert res.status_code == 200, res.text
    data: list[dict[str, Any]] = res.json()
    return data


def unproven(tenant: str, pmid: str, at: timedelta) -> ev.MessageReceived:
    """A message whose phone nothing proves (an unverified claim): a suggestion, never a link."""
    ids = [ident("phone", PHONE, level="unverified")]
    return message(pmid, "sms", tenant=tenant, handle=PHONE, at=at, ids=ids)


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_a_dismissed_suggestion_never_returns(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    wa_ids = [ident("phone", PHONE, level="provider_verified")]
    wa = message("w1", "whatsapp", tenant=tenant, handle=PHONE, at=H, ids=wa_ids)
    s, w = await arrive(kafka, client, [unproven(tenant, "s1", 0 * H), wa])
    assert s != w  # a phone claimed without proof never links to a verified one
    [sug] = await suggestions_of(client, w)
    assert (sug["contact_id"], sug["suggested_contact_id"], sug["status"]) == (w, s, "open")
    assert sug["identity"] == {"kind": "phone", "value": PHONE, "level": "provider_verified"}
    assert "unverified" in sug["evidence"] and sug["source_event_id"]
    sid = sug["suggestion_id"]
    me = (await client.get(str(client.base_url).split("/api/")[0] + "/api/me")).json()
    agent = me["agent_id"]
    assert agent.startswith("token:") and me["name"] == "agent 7"
    assert (await client.get("/contacts/nobody/suggestions")).status_code == 404
    assert (await client.post(f"/contacts/{w}/suggestions/nope/dismiss")).status_code == 404
    res = await client.post(f"/contacts/{s}/suggestions/{sid}/dismiss")
    assert res.status_code == 200 and res.json()["status"] == "dismissed"
    for verb in ("dismiss", "accept"):
        res = await client.post(f"/contacts/{w}/suggestions/{sid}/{verb}")
        assert res.status_code == 409, res.text
        assert f"already dismissed by {agent}" in res.json()["detail"]
    [again] = await arrive(kafka, client, [unproven(tenant, "s2", 2 * H)])
    assert again == s
    [sug] = await suggestions_of(client, s)
    assert (sug["suggestion_id"], sug["status"], sug["decided_by"]) == (sid, "dismissed", agent)

    async def published() -> bool:  # s2's outbox rows (any suggestion first) are relayed
        tags = [un.unified_tag(e) for e in await read_unified(kafka, CONTACTS, tenant)]
        added = await read_unified(kafka, CONVERSATIONS, tenant)
        s2 = [e for e in added if getattr(e, "provider_message_id", "") == "s2"]
        return "contact.suggestion.dismissed.v1" in tags and bool(s2)

    await eventually(published)
    events = await read_unified(kafka, CONTACTS, tenant)
    assert len([e for e in events if isinstance(e, un.ContactSuggested)]) == 1


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_accepting_merges_with_agent_confirmed_evidence(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    address = "carol@example.test"
    aligned = message("d1", tenant=tenant, handle=address,
                      ids=[ident("email", address, level="dmarc_aligned")])  # fmt: skip
    spoofable = message("u1", tenant=tenant, handle=address, at=H,
                        ids=[ident("email", address, level="unverified")])  # fmt: skip
    d, u = await arrive(kafka, client, [aligned, spoofable])
    assert d != u  # an unverified From never joins the verified sender (zammad#4895)
    [sug] = await suggestions_of(client, d)
    sid = sug["suggestion_id"]
    assert (await client.post(f"/contacts/other/suggestions/{sid}/accept")).status_code == 404
    res = await client.post(f"/contacts/{d}/suggestions/{sid}/accept")
    assert res.status_code == 200, res.text
    assert res.json() == {
        "suggestion_id": sid,
        "status": "accepted",
        "contact_id": d,
        "merged_contact_id": u,
    }
    res = await client.post(f"/contacts/{d}/suggestions/{sid}/accept")
    assert res.status_code == 409 and "already accepted" in res.json()["detail"]
    contact = (await client.get(f"/contacts/{d}")).json()
    assert contact["merged_contacts"] == [u]
    confirmed = [i for i in contact["identities"] if i["level"] == "agent_confirmed"]
    assert [(i["contact_id"], i["value"], i["evidence"]["rule"]) for i in confirmed] == [
        (u, address, "suggestion.accepted")
    ]
    assert confirmed[0]["evidence"]["message_id"] == sug["source_event_id"]
    [later] = await arrive(kafka, client, [message("u2", tenant=tenant, handle=address, at=2 * H,
                           ids=[ident("email", address, level="unverified")])])  # fmt: skip
    assert later == d  # the same unverified address, now under the merged contact

    async def merged() -> list[un.ContactMerged]:
        events = await read_unified(kafka, CONTACTS, tenant)
        return [e for e in events if isinstance(e, un.ContactMerged)]

    async def published() -> bool:
        return bool(await merged())

    await eventually(published)
    [event] = await merged()
    assert event.suggestion_id == sid and event.identity is not None
    assert event.identity.trust() == "agent_confirmed"
    assert event.decision.rule == "suggestion.accepted"
