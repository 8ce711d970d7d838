"""Names through the real consumer and the API, on both databases: each message keeps the name
its channel gave, a contact goes by its latest name (with every name per channel listed), and
without any name an address, a phone number or "Visitor <tag>" — never an internal id. The
inbox page renders a hostile name as text."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotline import events as ev
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import T0, ident, message
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.integration
# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files (test_*_store, test_thread_actions, test_inbox_search, ...).

H = timedelta(hours=1)
WA_ID, PHONE, EMAIL = "4915112345678", "+4915112345678", "maria@example.test"
VISITOR, STRANGER = "v_cda5f00dbeefcafe01234567", "+4915199999999"
HOSTILE = "<img src=x onerror=alert(1)>"


def named(e: ev.MessageReceived, name: str | None) -> ev.MessageReceived:
    e.sender.display_name = name
    return e


def maria() -> list[ev.MessageReceived]:
    """One person on four channels: WhatsApp and a signed widget name her "Maria Lopez", Slack
    "Maria" (the latest); her SMS comes without a name."""
    wa = [ident("wa_id", WA_ID), ident("phone", PHONE)]
    sms = [ident("phone", PHONE, level="carrier_asserted")]
    signed = [
        ident("email", EMAIL, level="site_signed"),
        ident("phone", PHONE, level="site_signed"),
    ]
    slack = [ident("slack_user", "T1:U1"), ident("email", EMAIL)]
    return [
        named(message("wa1", "whatsapp", handle=WA_ID, ids=wa), "Maria Lopez"),
        named(message("sms1", "sms", handle=PHONE, ids=sms, at=H), None),
        named(message("wd1", "widget", handle="v_maria", ids=signed, at=1.5 * H), "Maria Lopez"),
        named(message("sl1", "slack", handle="D0MARIA", ids=slack, at=2 * H), "Maria"),
    ]


def strangers() -> list[ev.MessageReceived]:
    return [
        message("wd2", "widget", handle=VISITOR, at=3 * H),  # anonymous: no name, no identifier
        message("sms2", "sms", handle=STRANGER, at=3 * H, ids=[]),
        message("em1", handle="bob@example.test", ids=[ident("email", "bob@example.test")]),
        named(message("wd3", "widget", handle="v_evil", at=4 * H), HOSTILE),
    ]


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    tenant = "n" + uuid.uuid4().hex[:8]
    app = create_app(settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok")}))
    async with (
        serving(app) as base,
        httpx.AsyncClient(base_url=base, headers={"Authorization": "Bearer tok"}, timeout=10) as c,
    ):
        yield c, tenant


async def arrive(
    kafka: str, client: httpx.AsyncClient, tenant: str, events: list[ev.MessageReceived]
) -> dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """Publish in one go (tenant rewritten); provider id -> (list row, thread, message)."""
    for e in events:
        e.tenant, e.event_id = (
            tenant,
            ev.event_id_for(tenant, e.channel.kind, e.provider_message_id),
        )
    await publish(kafka, events)
    found: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}

    async def stored() -> bool:
        api = f"/api/tenants/{tenant}/conversations"
        for row in (await client.get(api, params={"limit": 500})).json():
            thread = (await client.get(f"{api}/{row['thread_id']}")).json()
            found.update((m["provider_message_id"], (row, thread, m)) for m in thread["messages"])
        return all(e.provider_message_id in found for e in events)

    await eventually(stored)
    return found


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_names_reach_contacts_conversations_and_messages(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    found = {}
    for e in maria():  # one at a time: each links through the one before
        found.update(await arrive(kafka, client, tenant, [e]))
    found.update(await arrive(kafka, client, tenant, strangers()))
    contacts = {m["contact_id"] for p in ("wa1", "sms1", "wd1", "sl1") for m in [found[p][2]]}
    assert len(contacts) == 1, "the four channels are one contact"
    res = await client.get(f"/api/tenants/{tenant}/contacts/{contacts.pop()}")
    contact = res.json()
    assert contact["display_name"] == "Maria"  # the latest non-empty name
    at = [(T0 + d).isoformat() for d in (2 * H, 1.5 * H, timedelta(0))]
    assert contact["names"] == [
        {"name": "Maria", "channel": "slack", "last_seen_at": at[0]},
        {"name": "Maria Lopez", "channel": "widget", "last_seen_at": at[1]},
        {"name": "Maria Lopez", "channel": "whatsapp", "last_seen_at": at[2]},
    ]
    sender = {p: found[p][2]["sender_name"] for p in found}
    assert sender["wa1"] == "Maria Lopez" and sender["sl1"] == "Maria"
    assert sender["sms1"] == "Maria"  # no name of its own: its contact's, from any channel
    for p in ("wa1", "sms1", "wd1", "sl1"):
        assert found[p][0]["contact_name"] == found[p][1]["contact_name"] == "Maria"
    # nobody named anywhere: the handle as people know it, never an internal id
    visitor = sender["wd2"]
    assert visitor.startswith("Visitor ") and len(visitor) == len("Visitor ") + 6
    assert VISITOR not in str([found["wd2"][0], found["wd2"][1]["contact_name"], visitor])
    assert found["wd2"][0]["contact_name"] == visitor
    assert sender["sms2"] == found["sms2"][0]["contact_name"] == STRANGER
    assert sender["em1"] == found["em1"][0]["contact_name"] == "bob@example.test"
    assert sender["wd3"] == HOSTILE  # stored and served as data; escaped by the page


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_a_merged_contacts_names_are_the_survivors(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    bob = named(message("em2", handle="bob@example.test", ids=[ident("email", "bob@x")]), "Bob")
    chat = named(message("wd4", "widget", handle="v_bob", at=H), "Bobby")
    found = await arrive(kafka, client, tenant, [bob, chat])
    survivor, merged = found["em2"][2]["contact_id"], found["wd4"][2]["contact_id"]
    assert survivor != merged and found["em2"][0]["contact_name"] == "Bob"
    base = f"/api/tenants/{tenant}"
    res = await client.post(f"{base}/contacts/{merged}/merge", json={"into": survivor})
    assert res.status_code == 200, res.text
    contact = (await client.get(f"{base}/contacts/{survivor}")).json()
    assert contact["display_name"] == "Bobby"  # the merged contact's later name counts
    assert [(n["name"], n["channel"]) for n in contact["names"]] == [
        ("Bobby", "widget"),
        ("Bob", "email"),
    ]
    rows = (await client.get(f"{base}/conversations")).json()
    assert {r["contact_name"] for r in rows} == {"Bobby"}  # both threads, through the merge
    alone = (await client.get(f"{base}/contacts/{merged}")).json()
    assert alone["display_name"] == "Bobby" and len(alone["names"]) == 1
