"""The widget socket through the app (over ASGI, on the in-memory publisher): identities and
their levels reach the event, a bad identity token is said and the visitor goes on anonymous,
copies on two sockets make one event, and the demo page and script are served. What needs the
real broker (the ack after Kafka's, no Kafka) is in tests/integration/chat/test_widget_socket.py.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import jwt
import pytest
from fastapi import FastAPI

from hotline import events as ev
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import (
    MEMBERS_SECRET,
    SITE,
    SITE_SECRET,
    AppSocket,
    SocketClosed,
    app_on,
    client,
    identifier_hash,
)


@pytest.fixture
def fake() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def gw(fake: MemoryPublisher) -> FastAPI:
    return app_on(fake)


def one_event(fake: MemoryPublisher) -> ev.MessageReceived:
    [(_, event)] = fake.published
    assert isinstance(event, ev.MessageReceived)
    return event


async def test_verified_identity_reaches_the_event(gw: FastAPI, fake: MemoryPublisher) -> None:
    ws = AppSocket(gw)
    welcome = await ws.open(
        identifier="ann@example.com", identifier_hash=identifier_hash("ann@example.com"), name="Ann"
    )
    assert welcome["verified"] is True
    await ws.message("c_9", "I am Ann")
    await ws.close()
    event = one_event(fake)
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


@dataclass
class SlowPublisher(MemoryPublisher):
    """Acks after a while, as a broker does: copies arriving meanwhile overlap the first."""

    async def publish(self, evts: Sequence[ev.Event], topic: str | None = None) -> None:
        await asyncio.sleep(0.05)
        await super().publish(evts, topic)


async def test_concurrent_copies_on_two_sockets_make_one_record() -> None:
    slow = SlowPublisher()
    gw = app_on(slow)
    ws = AppSocket(gw)
    welcome = await ws.open()
    ws2 = AppSocket(gw)
    await ws2.open(visitor_id=welcome["visitor_id"], visitor_token=welcome["visitor_token"])
    client_id = "c_" + uuid.uuid4().hex[:8]
    acks = await asyncio.gather(ws.message(client_id, "twice"), ws2.message(client_id, "twice"))
    assert acks[0] == acks[1] and acks[0]["type"] == "ack"
    assert (len(slow.published), slow.calls) == (1, 1)
    await ws.close()
    await ws2.close()


async def test_demo_page_and_script_are_served(gw: FastAPI) -> None:
    async with client(gw) as http:
        page = await http.get("/chat/demo", params={"site": 'demo"><script>'})
        script = await http.get("/chat/widget.js")
    assert page.status_code == 200 and '<script src="/chat/widget.js"' in page.text
    assert 'demo"><script>' not in page.text  # attributes are escaped
    assert script.headers["content-type"].startswith("text/javascript")
    assert "localStorage" in script.text and "/chat/ws" in script.text


def identity_token(secret: str = SITE_SECRET, **claims: object) -> str:
    now = int(time.time())
    base = {"sub": "u-77", "email": "Maria@Example.com", "phone": "+34600111222",
            "name": "María López", "iat": now, "exp": now + 300}  # fmt: skip
    return jwt.encode({**base, **claims}, secret, algorithm="HS256")


async def test_signed_identity_reaches_the_event_with_its_levels(
    gw: FastAPI, fake: MemoryPublisher
) -> None:
    ws = AppSocket(gw)
    welcome = await ws.open(identity_token=identity_token(), name="typed name")
    assert welcome["type"] == "welcome" and welcome["verified"] is True
    ack = await ws.message("c_jwt", "Hola, soy María")
    assert ack["type"] == "ack"  # the first frame after the welcome: no identity error came
    await ws.close()
    event = one_event(fake)
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
        (jwt.encode({"sub": "u-77", "exp": 4102444800, "iat": 0}, "", algorithm="none"),
         "alg_not_allowed"),
        ("eyJhbGciOi.garbage", "malformed"),
    ],
)  # fmt: skip
async def test_bad_identity_token_is_said_and_the_visitor_goes_on_anonymous(
    gw: FastAPI, fake: MemoryPublisher, token: str, reason: str
) -> None:
    counted = await rejected_tokens(gw)
    ws = AppSocket(gw)
    welcome = await ws.open(identity_token=token)
    assert welcome["type"] == "welcome" and welcome["verified"] is False
    error = await ws.recv()
    assert error["type"] == "error" and error["error"] == "identity_rejected"
    assert error["reason"] == reason and error["detail"]
    assert await rejected_tokens(gw) == counted + 1
    assert (await ws.message("c_anon", "still here"))["type"] == "ack"  # the message is ingested
    await ws.close()
    event = one_event(fake)
    assert [(i.kind, i.verified, i.level) for i in event.sender.identifiers] == [
        ("widget_visitor", False, "unverified")
    ]  # linked to nobody


async def test_members_only_site_refuses_a_bad_identity_token(gw: FastAPI) -> None:
    ws = AppSocket(gw)
    token = identity_token(secret=MEMBERS_SECRET, exp=int(time.time()) - 3600)
    error = await ws.open(site="members", identity_token=token)
    assert error["error"] == "identity_required" and "expired" in error["detail"]
    with pytest.raises(SocketClosed) as closed:
        await ws.recv()
    await ws.close()
    assert closed.value.code == 4401


async def test_demo_page_mints_no_identity_outside_dev(gw: FastAPI) -> None:
    async with client(gw) as http:
        page = await http.get("/chat/demo", params={"site": SITE, "demo_user": "1"})
    assert page.status_code == 200 and "data-identity-token" not in page.text


async def rejected_tokens(gw: FastAPI) -> float:
    async with client(gw) as http:
        text = (await http.get("/metrics")).text
    line = 'hotline_rejected_total{reason="widget_identity_token"}'
    return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)), 0.0)
