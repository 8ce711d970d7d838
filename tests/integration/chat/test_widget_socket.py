"""The widget socket against the running gateway and the real broker (no browser here)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from websockets.asyncio.client import connect

from hotline import events as ev
from hotline_tools.devstack.broker import free_port
from tests.integration.chat.harness import Offsets, gateway, produced, read_new
from tests.unit.chat.gateway import MEMBERS_SECRET, SITE, SITE_SECRET, identifier_hash, settings_for

pytestmark = pytest.mark.integration


async def open_socket(url: str, **hello: object) -> tuple[Any, dict[str, Any]]:
    ws = await connect(url.replace("http", "ws") + "/chat/ws")
    await ws.send(json.dumps({"type": "hello", "site": SITE, **hello}))
    return ws, json.loads(await ws.recv())


async def say(ws: Any, client_id: str, text: str) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
    frame: dict[str, Any] = json.loads(await ws.recv())
    return frame


async def test_ack_after_kafka_ack_and_resend_is_not_a_second_event(
    gw: str, offsets: Offsets, kafka: str
) -> None:
    ws, welcome = await open_socket(gw)
    assert welcome["type"] == "welcome" and welcome["verified"] is False
    before = await offsets.now()
    ack = await say(ws, "c_1", "Is anyone there?")
    after = await offsets.now()  # the ack came, so the record is already on the broker
    [record] = await read_new(kafka, before, after)
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    assert ack == {"type": "ack", "client_id": "c_1", "event_id": event.event_id}
    assert record.key == f"widget:{SITE}:{welcome['visitor_id']}".encode()
    assert event.tenant == "acme" and event.sender.handle == welcome["visitor_id"]
    await ws.close()

    ws2, again = await open_socket(
        gw, visitor_id=welcome["visitor_id"], visitor_token=welcome["visitor_token"]
    )
    assert again["visitor_id"] == welcome["visitor_id"]
    resent = await say(ws2, "c_1", "Is anyone there?")
    assert resent == ack
    assert produced(after, await offsets.now()) == 0
    await ws2.close()


async def test_verified_identity_reaches_the_event(gw: str, offsets: Offsets, kafka: str) -> None:
    ws, welcome = await open_socket(
        gw,
        identifier="ann@example.com",
        identifier_hash=identifier_hash("ann@example.com"),
        name="Ann",
    )
    assert welcome["verified"] is True
    before = await offsets.now()
    await say(ws, "c_9", "I am Ann")
    [record] = await read_new(kafka, before, await offsets.now())
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    assert (
        ev.Identifier(
            kind="widget_user",
            value="ann@example.com",
            source="widget.hmac",
            verified=True,
            level="site_signed",
        )
        in event.sender.identifiers
    )
    assert event.sender.display_name == "Ann"
    await ws.close()


async def test_concurrent_copies_on_two_sockets_make_one_record(
    gw: str, offsets: Offsets, kafka: str
) -> None:
    ws, welcome = await open_socket(gw)
    ws2, _ = await open_socket(
        gw, visitor_id=welcome["visitor_id"], visitor_token=welcome["visitor_token"]
    )
    client_id = "c_" + uuid.uuid4().hex[:8]
    before = await offsets.now()
    acks = await asyncio.gather(say(ws, client_id, "twice"), say(ws2, client_id, "twice"))
    assert acks[0] == acks[1] and acks[0]["type"] == "ack"
    assert produced(before, await offsets.now()) == 1
    await ws.close()
    await ws2.close()


async def test_no_kafka_means_no_ack_and_a_retry_hint(kafka: str) -> None:
    settings = settings_for(f"127.0.0.1:{free_port()}")
    settings.ack_timeout = 0.3
    async with gateway(settings, ready=False) as url:
        ws, _ = await open_socket(url)
        answer = await say(ws, "c_1", "hello?")
        await ws.close()
    assert answer == {
        "type": "error",
        "error": "kafka_unavailable",
        "client_id": "c_1",
        "retry": True,
    }


async def test_demo_page_and_script_are_served(gw: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        page = await client.get(f"{gw}/chat/demo", params={"site": 'demo"><script>'})
        script = await client.get(f"{gw}/chat/widget.js")
    assert page.status_code == 200 and '<script src="/chat/widget.js"' in page.text
    assert 'demo"><script>' not in page.text  # attributes are escaped
    assert script.headers["content-type"].startswith("text/javascript")
    assert "localStorage" in script.text and "/chat/ws" in script.text


def identity_token(secret: str = SITE_SECRET, **claims: object) -> str:
    now = int(time.time())
    base = {"sub": "u-77", "email": "Maria@Example.com", "phone": "+34600111222",
            "name": "María López", "iat": now, "exp": now + 300}  # fmt: skip
    return jwt.encode({**base, **claims}, secret, algorithm="HS256")


async def one_event(kafka: str, offsets: Offsets, before: Any) -> ev.MessageReceived:
    [record] = await read_new(kafka, before, await offsets.now())
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    return event


async def test_signed_identity_reaches_the_event_with_its_levels(
    gw: str, offsets: Offsets, kafka: str
) -> None:
    ws, welcome = await open_socket(gw, identity_token=identity_token(), name="typed name")
    assert welcome["type"] == "welcome" and welcome["verified"] is True
    before = await offsets.now()
    ack = await say(ws, "c_jwt", "Hola, soy María")
    assert ack["type"] == "ack"  # the first frame after the welcome: no identity error came
    event = await one_event(kafka, offsets, before)
    await ws.close()
    got = {(i.kind, i.value, i.source, i.verified, i.level) for i in event.sender.identifiers}
    assert got == {
        ("widget_visitor", f"{SITE}:{welcome['visitor_id']}", "widget.visitor_token", False,
         "unverified"),
        ("widget_user", f"{SITE}:u-77", "widget.jwt", True, "site_signed"),
        ("email", "maria@example.com", "widget.jwt", True, "site_signed"),
        ("phone", "+34600111222", "widget.jwt", True, "site_signed"),
    }  # fmt: skip
    assert event.sender.display_name == "María López"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (identity_token(exp=int(time.time()) - 3600), "expired"),
        (identity_token(secret="someone-elses-secret-0123456789abcdef"), "bad_signature"),
        (jwt.encode({"sub": "u-77", "exp": 4102444800, "iat": 0}, None, algorithm="none"),
         "alg_not_allowed"),
        ("eyJhbGciOi.garbage", "malformed"),
    ],
)  # fmt: skip
async def test_bad_identity_token_is_said_and_the_visitor_goes_on_anonymous(
    gw: str, offsets: Offsets, kafka: str, token: str, reason: str
) -> None:
    counted = await rejected_tokens(gw)
    ws, welcome = await open_socket(gw, identity_token=token)
    assert welcome["type"] == "welcome" and welcome["verified"] is False
    error = json.loads(await ws.recv())
    assert error["type"] == "error" and error["error"] == "identity_rejected"
    assert error["reason"] == reason and error["detail"]
    assert await rejected_tokens(gw) == counted + 1
    before = await offsets.now()
    assert (await say(ws, "c_anon", "still here"))["type"] == "ack"  # the message is ingested
    event = await one_event(kafka, offsets, before)
    await ws.close()
    assert [(i.kind, i.verified, i.level) for i in event.sender.identifiers] == [
        ("widget_visitor", False, "unverified")
    ]  # linked to nobody


async def test_members_only_site_refuses_a_bad_identity_token(gw: str) -> None:
    ws = await connect(gw.replace("http", "ws") + "/chat/ws")
    token = identity_token(secret=MEMBERS_SECRET, exp=int(time.time()) - 3600)
    await ws.send(json.dumps({"type": "hello", "site": "members", "identity_token": token}))
    error = json.loads(await ws.recv())
    assert error["error"] == "identity_required" and "expired" in error["detail"]
    await ws.wait_closed()
    assert ws.close_code == 4401


async def test_demo_page_mints_no_identity_outside_dev(gw: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        page = await client.get(f"{gw}/chat/demo", params={"site": SITE, "demo_user": "1"})
    assert page.status_code == 200 and "data-identity-token" not in page.text


async def rejected_tokens(url: str) -> float:
    import httpx

    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    line = 'hotline_rejected_total{reason="widget_identity_token"}'
    return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)), 0.0)
