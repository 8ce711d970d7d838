"""Contact search and WhatsApp templates over HTTP, with the real broker and both databases:
contacts found by name, email or phone (merged ones as their survivor); templates added,
listed and removed by admins; a template reply carries its name, language and values on the
replies topic, and a template that cannot be sent publishes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import events as ev
from hotline.topics import REPLIES_SOCIAL
from hotline_tools.devstack import providers
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import replies_since
from tests.kafka_helpers import end_offsets
from tests.unit.unifier.factory import ACCOUNTS, ident, message
from tests.workspace import create_agent, sign_in_client
from unifier.entrypoints.app import create_app

PHONE = "+4915100000031"
WA_ID = PHONE.removeprefix("+")
BODY = "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs."

# Over HTTP on one database (sqlite): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)


@pytest.fixture
async def served(kafka: str, dsn: str) -> AsyncIterator[tuple[FastAPI, str, str]]:
    tenant = "t" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), "other": SecretStr("tok-other")}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens))
    async with serving(app) as base:
        yield app, base, tenant


@pytest.fixture
async def api(served: tuple[FastAPI, str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The tenant's configured API token (an integration)."""
    _, base, tenant = served
    async with httpx.AsyncClient(
        base_url=f"{base}/api/tenants/{tenant}",
        headers={"Authorization": f"Bearer tok-{tenant}"},
        timeout=10,
    ) as client:
        yield client, tenant


@pytest.fixture
async def admin(served: tuple[FastAPI, str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in admin's session (templates are theirs to manage), sending its CSRF token."""
    app, base, tenant = served
    async with httpx.AsyncClient(base_url=f"{base}/api/tenants/{tenant}", timeout=10) as client:
        who = await sign_in_client(client, base, await create_agent(app, tenant, name="Ada"))
        client.headers["X-CSRF-Token"] = who.csrf_token
        yield client


def maria_by_mail(tenant: str) -> ev.MessageReceived:
    mail = message(
        "m1", tenant=tenant, handle="maria@example.test",
        ids=[ident("email", "maria@example.test", level="dmarc_aligned")],
    )  # fmt: skip
    mail.sender.display_name = "María López"
    return mail


def maria_on_whatsapp(tenant: str, pmid: str = "w1") -> ev.MessageReceived:
    ids = [ident("phone", PHONE, level="provider_verified")]
    return message(pmid, "whatsapp", tenant=tenant, handle=WA_ID, ids=ids, text="hola")


async def contacts_of(client: httpx.AsyncClient, n: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def stored() -> bool:
        nonlocal found
        found = (await client.get("/conversations")).json()
        return len(found) >= n

    await eventually(stored)
    return found


async def search(client: httpx.AsyncClient, q: str) -> list[dict[str, Any]]:
    res = await client.get("/contacts", params={"q": q})
    assert res.status_code == 200, res.text
    data: list[dict[str, Any]] = res.json()
    return data


async def test_contacts_are_found_by_name_email_and_phone(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    await publish(kafka, [maria_by_mail(tenant), maria_on_whatsapp(tenant)])
    threads = await contacts_of(client, 2)
    by_channel = {t["channel_kind"]: t["contact_id"] for t in threads}
    mail, wa = by_channel["email"], by_channel["whatsapp"]
    assert mail != wa  # nothing proves the two are one person

    [hit] = await search(client, "lópez")
    assert hit["contact_id"] == mail and hit["display_name"] == "María López"
    assert hit["identities"] == [{"kind": "email", "value": "maria@example.test"}]
    assert [h["contact_id"] for h in await search(client, "EXAMPLE.test")] == [mail]
    assert [h["contact_id"] for h in await search(client, "+49 151 000 000 31")] == [wa]
    assert await search(client, "nobody-here") == []
    assert await search(client, "m%z") == []  # LIKE wildcards are text
    assert (await client.get("/contacts", params={"q": "a"})).status_code == 422
    other = {"Authorization": "Bearer tok-other"}
    assert (await client.get("/contacts", params={"q": "maria"}, headers=other)).status_code == 403

    res = await client.post(f"/contacts/{wa}/merge", json={"into": mail})
    assert res.status_code == 200, res.text
    [hit] = await search(client, "0000031")  # the merged contact is found as its survivor
    assert hit["contact_id"] == mail
    assert {"kind": "phone", "value": PHONE} in hit["identities"]


async def test_templates_are_managed_per_account(
    api: tuple[httpx.AsyncClient, str], admin: httpx.AsyncClient
) -> None:
    integration, _ = api
    client = admin
    new = {"account_id": "PN1", "name": "order_update", "language": "de", "body": BODY}
    refused = await integration.post("/reply-templates", json=new)  # not an admin: refused
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert (await client.get("/reply-templates")).json() == []
    res = await client.post("/reply-templates", json=new)
    assert res.status_code == 201, res.text
    assert (res.json()["status"], res.json()["category"]) == ("APPROVED", "UTILITY")
    assert (await client.post("/reply-templates", json=new)).status_code == 409
    bad = {**new, "name": "Order Update!"}
    assert (await client.post("/reply-templates", json=bad)).status_code == 422
    other_lang = {**new, "language": "en_US", "body": "Hi {{1}}", "status": "PENDING"}
    assert (await client.post("/reply-templates", json=other_lang)).status_code == 201
    listed = (await client.get("/reply-templates", params={"account_id": "PN1"})).json()
    assert [(t["name"], t["language"], t["status"]) for t in listed] == [
        ("order_update", "de", "APPROVED"),
        ("order_update", "en_US", "PENDING"),
    ]
    assert (await client.get("/reply-templates", params={"account_id": "PN2"})).json() == []
    gone = await client.delete("/reply-templates/PN1/order_update/en_US")
    assert gone.status_code == 200
    again = await client.delete("/reply-templates/PN1/order_update/en_US")
    assert again.status_code == 404
    assert len((await client.get("/reply-templates")).json()) == 1
    sync = {"account_id": "PN1", "business_account_id": "WABA1"}
    res = await client.post("/reply-templates/sync", json=sync)  # no WhatsApp token configured
    assert res.status_code == 409 and "HOTLINE_WHATSAPP_TOKEN" in res.text


async def test_a_template_reply_carries_name_language_and_values(
    kafka: str, api: tuple[httpx.AsyncClient, str], admin: httpx.AsyncClient
) -> None:
    client, tenant = api
    account = ACCOUNTS["whatsapp"]
    for name, status in (("order_update", "APPROVED"), ("pending_one", "PENDING")):
        tmpl = {"account_id": account, "name": name, "language": "de", "body": BODY}
        res = await admin.post("/reply-templates", json={**tmpl, "status": status})
        assert res.status_code == 201, res.text
    await publish(kafka, [maria_by_mail(tenant), maria_on_whatsapp(tenant)])
    threads = await contacts_of(client, 2)
    wa = next(t["thread_id"] for t in threads if t["channel_kind"] == "whatsapp")
    mail = next(t["thread_id"] for t in threads if t["channel_kind"] == "email")
    before = await end_offsets(kafka, REPLIES_SOCIAL)
    url = f"/conversations/{wa}/replies"
    ok = {"name": "order_update", "language": "de", "params": ["María", "4711"]}
    refused: dict[str, tuple[dict[str, Any], int, str | None]] = {
        "no text, no template": ({}, 422, None),
        "too few values": ({"template": {**ok, "params": ["María"]}}, 422, "template_params"),
        "an empty value": ({"template": {**ok, "params": ["María", " "]}}, 422, "template_params"),
        "unknown": ({"template": {**ok, "name": "nope"}}, 422, "unknown_template"),
        "other language": ({"template": {**ok, "language": "fr"}}, 422, "unknown_template"),
        "not approved": ({"template": {**ok, "name": "pending_one"}}, 422, "unknown_template"),
    }
    for case, (body, code, reason) in refused.items():
        res = await client.post(url, json=body)
        assert res.status_code == code, (case, res.text)
        assert reason is None or res.json()["error"] == reason, (case, res.text)
    no_wa = await client.post(f"/conversations/{mail}/replies", json={"template": ok})
    assert no_wa.status_code == 422 and no_wa.json()["error"] == "no_recipient"

    res = await client.post(url, json={"template": ok})
    assert res.status_code == 202, res.text
    reply_id = res.json()["reply_id"]

    async def published() -> bool:
        return bool(await replies_since(kafka, before, tenant))

    await eventually(published)
    [req] = await replies_since(kafka, before, tenant)  # none of the refused ones went out
    assert isinstance(req, ev.ReplyRequested) and req.reply_id == reply_id
    assert (req.template, req.template_language, req.template_params) == (
        "order_update",
        "de",
        ["María", "4711"],
    )
    assert req.recipient == WA_ID and req.channel.account_id == account
    assert req.content == ev.TextContent(text="Hallo María, Ihre Bestellung 4711 ist unterwegs.")
    thread = (await client.get(f"/conversations/{wa}")).json()
    [out] = [m for m in thread["messages"] if m["direction"] == "outbound"]
    assert out["text"] == "Hallo María, Ihre Bestellung 4711 ist unterwegs."


async def test_templates_sync_from_the_providers_answers(kafka: str, dsn: str) -> None:
    """The stand-in answers GET /{waba}/message_templates in Meta's shape, two per page."""
    tenant = "t" + uuid.uuid4().hex[:8]
    async with serving(providers.app()) as standin:
        settings = settings_for(
            kafka, dsn, api_tokens={tenant: SecretStr("tok")},
            whatsapp_api_base=f"{standin}/whatsapp", whatsapp_token=SecretStr("wa-token"),
        )  # fmt: skip
        app = create_app(settings)
        async with (
            serving(app) as base,
            httpx.AsyncClient(base_url=f"{base}/api/tenants/{tenant}", timeout=10) as client,
        ):
            who = await sign_in_client(client, base, await create_agent(app, tenant, name="Ada"))
            client.headers["X-CSRF-Token"] = who.csrf_token  # an admin syncs templates
            stale = {"account_id": "PN1", "name": "old_one", "language": "en_US", "body": "x"}
            assert (await client.post("/reply-templates", json=stale)).status_code == 201
            ask = {"account_id": "PN1", "business_account_id": providers.WABA}
            res = await client.post("/reply-templates/sync", json=ask)
            assert res.status_code == 200, res.text
            want = [(t["name"], t["language"], t["status"]) for t in providers.TEMPLATES]
            assert res.json() == {
                "account_id": "PN1",
                "synced": len(want),
                "approved": sum(1 for w in want if w[2] == "APPROVED"),
                "dropped": 1,
            }
            listed = (await client.get("/reply-templates", params={"account_id": "PN1"})).json()
            assert [(t["name"], t["language"], t["status"]) for t in listed] == sorted(want)
            order = next(t for t in listed if (t["name"], t["language"]) == ("order_update", "es"))
            assert order["body"] == "Hola {{1}}, tu pedido {{2}} está en camino."

            unknown = await client.post(
                "/reply-templates/sync", json={**ask, "business_account_id": "NOPE"}
            )
            assert unknown.status_code == 502 and "Unsupported get request" in unknown.text
            again = (await client.get("/reply-templates", params={"account_id": "PN1"})).json()
            assert again == listed  # a failed sync changes nothing


async def test_the_panes_read_on_both_databases(
    kafka: str, api: tuple[httpx.AsyncClient, str], admin: httpx.AsyncClient
) -> None:
    """The contact pane and the template picker as htmx fragments (the page routes' reads)."""
    client, tenant = api
    root = str(client.base_url).split("/api/")[0]
    pane = {"HX-Request": "true"}
    tmpl = {"account_id": ACCOUNTS["whatsapp"], "name": "order_update", "language": "de"}
    assert (await admin.post("/reply-templates", json={**tmpl, "body": BODY})).status_code == 201
    unproven = message(
        "s1", "sms", tenant=tenant, handle=PHONE, text="sms from me",
        ids=[ident("phone", PHONE, level="unverified")],
    )  # fmt: skip
    await publish(kafka, [maria_by_mail(tenant), unproven])
    await contacts_of(client, 2)
    await publish(kafka, [maria_on_whatsapp(tenant)])  # raises the suggestion
    threads = await contacts_of(client, 3)
    by_channel = {t["channel_kind"]: t for t in threads}
    wa = by_channel["whatsapp"]

    res = await client.get(f"{root}/inbox/contacts/{wa['contact_id']}", headers=pane)
    assert res.status_code == 200 and res.text.lstrip().startswith('<aside id="contact"')
    assert PHONE in res.text and "verified by the channel provider" in res.text
    assert "matches the unverified identity" in res.text  # a suggestion, with its evidence
    assert 'Message: <a href="/inbox/conversations/' + wa["thread_id"] in res.text  # behind it
    missing = await client.get(f"{root}/inbox/contacts/nobody", headers=pane)
    assert missing.status_code == 404 and "No contact nobody in this workspace." in missing.text

    picker = await client.get(
        f"{root}/inbox/conversations/{wa['thread_id']}/templates", headers=pane
    )
    assert picker.status_code == 200 and 'data-window="closed"' in picker.text
    assert 'value="order_update|de"' in picker.text
    mail = by_channel["email"]["thread_id"]
    none = await client.get(f"{root}/inbox/conversations/{mail}/templates", headers=pane)
    assert none.status_code == 200 and 'data-window="none"' in none.text
    gone = await client.get(f"{root}/inbox/conversations/nope/templates", headers=pane)
    assert gone.status_code == 404
