"""The widget socket against the running gateway and the real broker (no browser here): the
ack comes after Kafka's, a resend adds no record, no Kafka means a retry hint. The rest of the
widget's socket runs on the in-memory publisher: tests/unit/chat/test_widget_socket.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from hotline import events as ev
from hotline_tools.devstack.broker import free_port
from tests.integration.chat.harness import Offsets, gateway, produced, read_new
from tests.unit.chat.gateway import SITE, settings_for

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
