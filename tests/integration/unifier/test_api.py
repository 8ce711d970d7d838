"""The agent API over HTTP, with the real broker and both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import SecretStr

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS, REPLIES_EMAIL
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.app import create_app

# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files (test_*_store, test_thread_actions, test_inbox_search, ...).


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    tenant = "t" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), "other": SecretStr("tok-other")}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens, relay_process=True))
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=10,
        ) as client,
    ):
        yield client, tenant


async def conversations(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    res = await client.get("/conversations", params=params)
    assert res.status_code == 200, res.text
    data: list[dict[str, Any]] = res.json()
    return data


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_tokens_are_per_tenant(api: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = api
    assert (await client.get("/conversations", headers={"Authorization": ""})).status_code == 401
    res = await client.get("/conversations", headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401
    res = await client.get("/conversations", headers={"Authorization": "Bearer tok-other"})
    assert res.status_code == 403 and res.json()["error"] == "forbidden"
    root = str(client.base_url).split("/api/")[0]

    async def ready() -> bool:  # the group joined and the relay process publishing
        return (await client.get(root + "/readyz")).status_code == 200

    await eventually(ready)
    checks = (await client.get(root + "/readyz")).json()["checks"]
    assert checks == {"database": True, "consumer": True, "relay": True, "kafka": True}
    home = await client.get(root + "/")  # where `make run` points: the inbox, after sign-in
    assert home.status_code == 303 and home.headers["location"] == "/inbox"
    sign_in = await client.get(root + "/login")
    assert sign_in.status_code == 200 and "Sign in" in sign_in.text
    openapi = await client.get(root + "/openapi.json")
    assert (
        "/api/tenants/{tenant}/conversations/{conversation_id}/replies" in openapi.json()["paths"]
    )


async def end_offsets(kafka: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(3)]
        return dict(await consumer.end_offsets(parts))
    finally:
        await consumer.stop()


async def replies_since(kafka: str, before: dict[TopicPartition, int], tenant: str) -> list[Any]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(before))
        for tp, off in before.items():
            consumer.seek(tp, off)
        out = []
        for records in (await consumer.getmany(timeout_ms=1500)).values():
            out += [e for r in records if (e := ev.decode(r.value or b"")).tenant == tenant]
        return out
    finally:
        await consumer.stop()


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_search_thread_close_reopen_and_idempotent_reply(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    alice = [ident("email", "alice@example.test")]
    await publish(
        kafka,
        [
            message("a1", tenant=tenant, ids=alice, text="my invoice is wrong"),
            message(
                "b1",
                "whatsapp",
                tenant=tenant,
                handle="+4915100000002",
                ids=[ident("wa_id", "4915100000002")],
                text="where is my parcel",
            ),
        ],
    )

    async def two() -> bool:
        return len(await conversations(client)) == 2

    await eventually(two)
    [hit] = await conversations(client, q="INVOICE")
    assert [c["channel_kind"] for c in await conversations(client, channel="whatsapp")] == [
        "whatsapp"
    ]
    thread = (await client.get(f"/conversations/{hit['thread_id']}")).json()
    assert thread["messages"][0]["decision"]["rule"] == "group.by_contact"
    contact = (await client.get(f"/contacts/{thread['messages'][0]['contact_id']}")).json()
    assert [(i["kind"], i["value"]) for i in contact["identities"]] == [
        ("email", "alice@example.test")
    ]

    tid = hit["thread_id"]
    assert (await client.post(f"/conversations/{tid}/close")).status_code == 200
    assert await conversations(client, status="closed") == [
        c for c in await conversations(client) if c["thread_id"] == tid
    ]
    assert (await client.post(f"/conversations/{tid}/reopen")).status_code == 200
    assert (await client.post("/conversations/nope/close")).status_code == 404

    before = await end_offsets(kafka, REPLIES_EMAIL)
    headers = {"Idempotency-Key": "k-" + tid}
    first = await client.post(
        f"/conversations/{tid}/replies", json={"text": "fixed"}, headers=headers
    )
    again = await client.post(
        f"/conversations/{tid}/replies", json={"text": "fixed"}, headers=headers
    )
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["recipient"] == "alice@example.test"

    async def agent_replies() -> list[Any]:  # the close's survey may come out after ``before``
        return [r for r in await replies_since(kafka, before, tenant) if r.survey is None]

    async def published() -> bool:
        return len(await agent_replies()) >= 1

    await eventually(published)
    [req] = await agent_replies()
    assert isinstance(req, ev.ReplyRequested) and req.reply_id == first.json()["reply_id"]
    assert req.thread.in_reply_to == ["<a1@x>"] and req.content.subject == "Re: Help"  # type: ignore[union-attr]

    async def closed_event() -> bool:
        tags = [un.unified_tag(e) for e in await read_unified(kafka, CONVERSATIONS, tenant)]
        return "conversation.closed.v1" in tags

    await eventually(closed_event)


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_merge_and_split_conversations(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    await publish(
        kafka,
        [
            message("a1", tenant=tenant, handle="a@x.test", ids=[ident("email", "a@x.test")]),
            message("b1", tenant=tenant, handle="b@x.test", ids=[ident("email", "b@x.test")]),
        ],
    )

    async def two() -> bool:
        return len(await conversations(client)) == 2

    await eventually(two)
    first, second = await conversations(client)
    res = await client.post(
        f"/conversations/{first['thread_id']}/merge", json={"into": second["thread_id"]}
    )
    assert res.status_code == 200 and res.json()["moved"] == 1
    [merged] = await conversations(client)
    assert merged["message_count"] == 2
    thread = (await client.get(f"/conversations/{merged['thread_id']}")).json()
    moved = [m for m in thread["messages"] if m["decision"]["rule"] == "manual.merge"]
    # the configured token acts as "token:config"
    assert len(moved) == 1 and "token:config" in moved[0]["decision"]["evidence"]
    res = await client.post(
        f"/conversations/{merged['thread_id']}/split",
        json={"message_ids": [moved[0]["message_id"]]},
    )
    assert res.status_code == 200
    counts = sorted(c["message_count"] for c in await conversations(client))
    assert counts == [1, 1]
    res = await client.post(
        f"/conversations/{merged['thread_id']}/split", json={"message_ids": ["unknown"]}
    )
    assert res.status_code == 422


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_a_customer_answer_to_our_sent_reply_joins_the_thread(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    alice = [ident("email", "alice@example.test")]
    await publish(kafka, [message("a1", tenant=tenant, ids=alice)])

    async def one() -> bool:
        return len(await conversations(client)) == 1

    await eventually(one)
    [conv] = await conversations(client)
    sent = await client.post(f"/conversations/{conv['thread_id']}/replies", json={"text": "hi"})
    assert sent.status_code == 202
    result = ev.ReplyResult(
        event_id=ev.event_id_for(tenant, "email", "r-1", "result"),
        reply_id=sent.json()["reply_id"],
        tenant=tenant,
        channel=ev.ChannelRef(kind="email", account_id="support@acme.test"),
        conversation_id=conv["thread_id"],
        status="sent",
        completed_at=datetime.now(UTC),
        provider_message_id="<reply-1@acme.test>",
    )
    await publish(kafka, [result])
    # alice answers our sent mail a day later: it joins through the Message-ID we sent
    answer = message(
        "a2",
        tenant=tenant,
        ids=alice,
        at=timedelta(days=1),
        hints=ev.ThreadHints(message_id="<a2@x>", in_reply_to=["<reply-1@acme.test>"]),
    )

    async def answered() -> bool:  # our reply is a message of the thread too
        thread = (await client.get(f"/conversations/{conv['thread_id']}")).json()
        return len(thread["messages"]) == 3

    async def delivered() -> bool:  # the result (another topic) is applied first
        thread = (await client.get(f"/conversations/{conv['thread_id']}")).json()
        return [r["status"] for r in thread["replies"]] == ["sent"]

    await eventually(delivered)
    await publish(kafka, [answer])
    await eventually(answered)
    thread = (await client.get(f"/conversations/{conv['thread_id']}")).json()
    [a2] = [m for m in thread["messages"] if m["provider_message_id"] == "a2"]
    assert a2["decision"]["rule"] == "email.in_reply_to"
    assert "<reply-1@acme.test>" in a2["decision"]["evidence"]
    [ours] = [m for m in thread["messages"] if m["direction"] == "outbound"]
    assert (ours["author"], ours["text"], ours["status"]) == ("token:config", "hi", "sent")
    assert ours["provider_message_id"] == "<reply-1@acme.test>"


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_agent_typing_is_published_to_the_customers_channel(
    kafka: str, api: tuple[httpx.AsyncClient, str]
) -> None:
    client, tenant = api
    tom = [ident("email", "tom@example.test")]
    await publish(kafka, [message("t1", tenant=tenant, ids=tom, handle="tom@example.test")])

    async def one() -> bool:
        return len(await conversations(client)) == 1

    await eventually(one)
    [conv] = await conversations(client)
    before = await end_offsets(kafka, REPLIES_EMAIL)
    sent = await client.post(f"/conversations/{conv['thread_id']}/typing", json={"on": True})
    assert sent.status_code == 202 and sent.json()["channel"] == "email"
    [typing] = [
        e for e in await replies_since(kafka, before, tenant) if isinstance(e, ev.AgentTyping)
    ]
    assert (typing.on, typing.recipient, typing.conversation_id) == (
        True,
        "tom@example.test",
        conv["thread_id"],
    )
    missing = await client.post("/conversations/nope/typing", json={"on": True})
    assert missing.status_code == 404
    assert (
        await client.post(f"/conversations/{conv['thread_id']}/typing", json={})
    ).status_code == 422
