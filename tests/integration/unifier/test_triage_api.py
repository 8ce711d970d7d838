"""Triage over HTTP (SQLite; the store's SQL runs on both in test_triage_language): rules by API
(a bad document refused, nothing changed), rules over the model, the model trained on agents'
categories and its version recorded, VIP priority, every result shown with the message."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import events as ev
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_accounts_api import signed_in
from tests.unit.unifier.factory import ident, message
from tests.workspace import create_agent
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
RULES = {
    "category": [{"id": "refunds", "category": "billing", "keywords": ["refund"]}],
    "priority": [
        {"id": "vip", "priority": "urgent", "vip": True},
        {"id": "billing", "priority": "low", "categories": ["billing"]},
    ],
    "model_confidence": 0.3,
}
SHIPPING = ["where is my parcel", "my package has not arrived", "delivery is late", "parcel lost"]
LOGIN = ["I cannot log in", "password reset does not work", "my account is locked", "login fails"]


def customer(tenant: str, n: int, text: str) -> ev.MessageReceived:
    who = f"c{n}@example.test"
    return message(f"m{n}", tenant=tenant, handle=who, ids=[ident("email", who)], text=text)


@dataclass(frozen=True)
class Api:
    client: httpx.AsyncClient
    tenant: str
    app: FastAPI
    base: str


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[Api]:
    tenant = "t" + uuid.uuid4().hex[:8]
    settings = settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok-" + tenant)})
    app = create_app(settings)
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=30,
        ) as client,
    ):
        yield Api(client, tenant, app, base)


async def conversation_of(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    """The conversation whose last message (its list preview) is ``text``."""

    async def found() -> bool:
        rows = (await client.get("/conversations", params={"limit": 200})).json()
        return any(text in str(r.get("preview")) for r in rows)

    await eventually(found)
    rows = (await client.get("/conversations", params={"limit": 200})).json()
    row = next(r for r in rows if text in str(r.get("preview")))
    cid = row.get("conversation_id") or row["thread_id"]
    thread: dict[str, Any] = (await client.get(f"/conversations/{cid}")).json()
    return thread


def triage_of(thread: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {r["aspect"]: (r["value"], r["applied"], r["source"].split("@")[0])
            for r in thread["messages"][-1]["triage"]}  # fmt: skip


async def timeline_html(api: Api, thread_id: str) -> str:
    """The thread's timeline as an agent's page shows it."""
    ana = await create_agent(api.app, api.tenant)
    async with httpx.AsyncClient(base_url=api.base, timeout=30) as page:
        await signed_in(page, ana)
        return (await page.get(f"/inbox/conversations/{thread_id}/timeline")).text


async def test_rules_model_and_vip(api: Api, kafka: str) -> None:
    client, tenant = api.client, api.tenant
    bad = await client.put("/triage/rules", json={"category": [{"id": "x"}]})
    assert bad.status_code == 422 and "category[0]" in bad.text
    assert (await client.get("/triage/rules")).json() == {}
    assert (await client.put("/triage/rules", json=RULES)).status_code == 200

    first = "Bonjour, je voudrais un refund s'il vous plaît"
    await publish(kafka, [customer(tenant, 0, first)])
    thread = await conversation_of(client, first)
    assert triage_of(thread)["category"] == ("billing", True, "rule:refunds")
    assert triage_of(thread)["priority"] == ("low", True, "rule:billing")
    assert (thread["language"], thread["category"], thread["priority"]) == ("fr", "billing", "low")
    html = await timeline_html(api, thread["thread_id"])
    assert '<details class="triage"><summary>Triage: <span class="triage-language">fr' in html
    assert "<code>rule:refunds@" in html and "keyword &#39;refund&#39;" in html

    # agents categorize sixteen conversations: the model's labels; trained on demand
    texts = [(t, "shipping") for t in SHIPPING] * 2 + [(t, "login") for t in LOGIN] * 2
    texts = [(f"{t} (#{n})", c) for n, (t, c) in enumerate(texts, 1)]
    for n, (text, _) in enumerate(texts, 1):
        await publish(kafka, [customer(tenant, n, text)])
    for text, category in texts:
        cid = (await conversation_of(client, text))["thread_id"]
        put = await client.put(f"/conversations/{cid}/category", json={"category": category})
        assert put.json() == {"conversation_id": cid, "category": category}
    trained = (await client.post("/triage/train")).json()
    assert trained == {"tenant": tenant, "version": 1, "examples": 16, "trained": True}
    assert [m["version"] for m in (await client.get("/triage/models")).json()] == [1]

    await publish(kafka, [customer(tenant, 50, "my parcel has not arrived yet")])
    thread = await conversation_of(client, "my parcel has not arrived yet")
    value, applied, source = triage_of(thread)["category"]
    assert (value, applied, source) == ("shipping", True, f"model:{tenant}/v1")
    assert triage_of(thread)["priority"] == ("normal", True, "default")

    contact = thread["contact_id"]
    assert (await client.put(f"/contacts/{contact}/vip", json={"vip": True})).status_code == 200
    assert (await client.put("/contacts/nobody/vip", json={"vip": True})).status_code == 404
    who = "c50@example.test"
    later = timedelta(hours=1)
    again = message(
        "m51", tenant=tenant, handle=who, text="hello again", at=later, ids=[ident("email", who)]
    )
    await publish(kafka, [again])

    after = await conversation_of(client, "hello again")
    assert triage_of(after)["priority"] == ("urgent", True, "rule:vip")
    assert after["priority"] == "urgent"
