"""Socket Mode against a local stand-in of Slack (apps.connections.open over HTTP, then a
WebSocket that pushes envelopes): each envelope is acked only after its record is on the broker;
a redelivery adds nothing; poison is dead-lettered and acked; a dropped link is reopened. (A bad
payload, acked and kept nowhere: tests/unit/chat/test_edges_intake.py.)"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response, WebSocket
from pydantic import SecretStr

from chat_gateway.settings import ChatSettings
from hotline import events as ev
from hotline.topics import INBOUND_CHAT, dead_letter_for
from hotline_tools.devstack.broker import free_port
from tests.integration.chat.harness import Offsets, gateway, produced, read_new, serve
from tests.unit.chat.gateway import settings_for
from tests.unit.chat.slack_fixtures import TEAM, load

pytestmark = pytest.mark.integration
API = Path(__file__).resolve().parents[2] / "fixtures" / "chat" / "slack_api"


class SlackSocketStandIn:
    def __init__(self, offsets: Offsets) -> None:
        self.offsets = offsets
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[tuple[str, dict[Any, int]]] = asyncio.Queue()
        self.opened: list[str | None] = []
        self.app = FastAPI()
        self.app.post("/api/apps.connections.open")(self.open)
        self.app.websocket("/link")(self.link)
        self.app.api_route("/api/users.info", methods=["GET", "POST"])(self.users_info)
        self.url = ""

    async def users_info(self) -> Response:
        """Every sender is Alice here (the recorded answer): profiles reach Socket Mode too."""
        return Response(
            (API / "users.info.U0ALICE.json").read_bytes(), media_type="application/json"
        )

    async def open(self, request: Request) -> dict[str, Any]:
        self.opened.append(request.headers.get("authorization"))
        return {"ok": True, "url": self.url.replace("http", "ws") + "/link"}

    async def link(self, ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"type": "hello", "num_connections": 1})
        while True:
            envelope = await self.outbox.get()
            await ws.send_json(envelope)
            if envelope["type"] == "disconnect":
                return
            answer = json.loads(await ws.receive_text())
            # what the broker holds at the moment the ack arrives
            await self.acks.put((answer["envelope_id"], await self.offsets.now()))

    async def push(self, envelope_id: str, payload: bytes, retry: int = 0) -> dict[Any, int]:
        await self.outbox.put(envelope(envelope_id, payload, retry))
        async with asyncio.timeout(10):
            acked_id, at_ack = await self.acks.get()
        assert acked_id == envelope_id
        return at_ack


def envelope(envelope_id: str, payload: bytes, retry: int = 0) -> dict[str, Any]:
    return {
        "type": "events_api",
        "envelope_id": envelope_id,
        "payload": json.loads(payload),
        "retry_attempt": retry,
        "accepts_response_payload": False,
    }


def socket_settings(kafka: str, stand_in_url: str) -> ChatSettings:
    settings = settings_for(kafka, slack_api=stand_in_url + "/api/")
    settings.slack_mode = "socket"
    settings.slack_workspaces[TEAM] = settings.slack_workspaces[TEAM].model_copy(
        update={"app_token": SecretStr("xapp-hotline-1")}
    )
    return settings


@pytest.fixture(scope="module")
async def stand_in(offsets: Offsets, kafka: str) -> AsyncIterator[SlackSocketStandIn]:
    slack = SlackSocketStandIn(offsets)
    async with serve(slack.app) as url:
        slack.url = url
        async with gateway(socket_settings(kafka, url)):
            yield slack


def fresh(name: str) -> bytes:
    ts = f"{int(time.time())}.{time.perf_counter_ns() % 1_000_000:06d}"
    return load(name).replace(b"1764012000.000100", ts.encode())


async def test_envelope_acked_only_after_the_record_is_on_the_broker(
    stand_in: SlackSocketStandIn, offsets: Offsets, kafka: str
) -> None:
    body = fresh("message")
    before = await offsets.now()
    at_ack = await stand_in.push("env-1", body)
    assert produced(before, at_ack) == 1
    [record] = await read_new(kafka, before, at_ack)
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    assert (event.tenant, event.sender.display_name) == ("acme", "Alice Martin")
    assert ("email", True) in {(i.kind, i.verified) for i in event.sender.identifiers}
    assert stand_in.opened[0] == "Bearer xapp-hotline-1"
    again = await stand_in.push("env-1-retry", body, retry=1)
    assert produced(at_ack, again) == 0


async def test_poison_is_dead_lettered_before_the_ack(
    stand_in: SlackSocketStandIn, offsets: Offsets
) -> None:
    body = load("message").replace(b'"ts": "1764012000.000100"', b'"ts": "soon"')
    before = await offsets.now()
    at_ack = await stand_in.push("env-2", body)
    grown = {tp.topic for tp in before if at_ack[tp] > before[tp]}
    assert grown == {dead_letter_for(INBOUND_CHAT)}


async def test_reconnects_after_disconnect(stand_in: SlackSocketStandIn, offsets: Offsets) -> None:
    opened = len(stand_in.opened)
    await stand_in.outbox.put({"type": "disconnect", "reason": "refresh_requested"})
    before = await offsets.now()
    at_ack = await stand_in.push(
        "env-5",
        fresh("thread_reply").replace(b"1764012060.000200", f"{int(time.time())}.000555".encode()),
    )
    assert produced(before, at_ack) == 1
    assert len(stand_in.opened) == opened + 1


async def test_no_kafka_ack_means_no_envelope_ack(offsets: Offsets) -> None:
    """Slack keeps an unacked envelope and redelivers it: nothing is lost while Kafka is down."""
    slack = SlackSocketStandIn(offsets)
    async with serve(slack.app) as url:
        slack.url = url
        settings = socket_settings(f"127.0.0.1:{free_port()}", url)
        settings.ack_timeout = 0.5
        async with gateway(settings, ready=False) as gw:
            await slack.outbox.put(envelope("env-9", fresh("message")))
            async with asyncio.timeout(10):
                while await unavailable(gw) == 0:  # the intake tried and Kafka did not ack
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # time for an ack that must not come
            assert slack.acks.empty()


async def unavailable(url: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    line = 'hotline_rejected_total{reason="kafka_unavailable"}'
    return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)), 0.0)
