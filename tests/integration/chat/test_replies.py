"""Replies out: reply.requested.v1 on the real broker -> a local Slack Web API stand-in over
real HTTP, or the visitor's widget socket; reply.result.v1 comes back on the results topic."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

import pytest
from fastapi import FastAPI, Request
from websockets.asyncio.client import connect

from hotline import events as ev
from hotline.kafka import EventProducer, ProducerSettings
from hotline.topics import REPLIES_CHAT, REPLY_RESULTS, dead_letter_for
from tests.integration.chat.harness import gateway, serve
from tests.kafka_helpers import read_all
from tests.unit.chat.gateway import SITE, settings_for

pytestmark = pytest.mark.integration


class SlackStandIn:
    """chat.postMessage as Slack answers it: ok + ts, or ok=false with an error code."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/api/chat.postMessage")(self.post_message)

    async def post_message(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        self.calls.append({"auth": request.headers.get("authorization"), **body})
        if body["channel"] == "C0GONE":
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": body["channel"], "ts": f"1764013000.{len(self.calls):06d}"}

    async def wait_for(self, text: str) -> dict[str, Any]:
        async with asyncio.timeout(15):
            for _ in itertools.count():
                found = [c for c in self.calls if c["text"] == text]
                if found:
                    return found[0]
                await asyncio.sleep(0.05)
        raise AssertionError("unreachable")


@pytest.fixture(scope="module")
async def slack() -> AsyncIterator[tuple[SlackStandIn, str]]:
    stand_in = SlackStandIn()
    async with serve(stand_in.app) as url:
        yield stand_in, url


@pytest.fixture(scope="module")
async def replies_gw(kafka: str, slack: tuple[SlackStandIn, str]) -> AsyncIterator[str]:
    async with gateway(settings_for(kafka, slack_api=slack[1] + "/api/")) as url:
        yield url


@pytest.fixture(scope="module")
async def producer(kafka: str) -> AsyncIterator[EventProducer]:
    p = EventProducer(ProducerSettings(bootstrap=kafka, client_id="chat-replies-test"))
    await p.start()
    yield p
    await p.stop()


class ChatThread(TypedDict, total=False):
    """The ``ev.ThreadHints`` fields a chat reply sets."""

    provider_conversation_id: str
    chat_thread_id: str


def reply(
    kind: ev.ChannelKind, account: str, recipient: str, text: str, **thread: Unpack[ChatThread]
) -> ev.ReplyRequested:
    reply_id = "r_" + uuid.uuid4().hex[:10]
    return ev.ReplyRequested(
        event_id=ev.event_id_for(account, kind, reply_id, "reply"),
        reply_id=reply_id,
        tenant=account,
        channel=ev.ChannelRef(kind=kind, account_id=account),
        conversation_id=f"conv-{recipient}",
        recipient=recipient,
        content=ev.TextContent(text=text),
        requested_at=datetime.now(UTC),
        requested_by="agent-7",
        thread=ev.ThreadHints(**thread),
    )


async def result_for(kafka: str, reply_id: str) -> ev.ReplyResult:
    async with asyncio.timeout(15):
        for _ in itertools.count():
            for record in await read_all(kafka, REPLY_RESULTS, timeout=2):
                event = ev.decode(record.value)
                if isinstance(event, ev.ReplyResult) and event.reply_id == reply_id:
                    return event
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")


async def test_slack_reply_posts_in_the_right_channel_and_thread(
    replies_gw: str, slack: tuple[SlackStandIn, str], producer: EventProducer, kafka: str
) -> None:
    r = reply(
        "slack",
        "T0HOTLINE",
        "C0SUPPORT",
        "We shipped a replacement",
        provider_conversation_id="C0SUPPORT",
        chat_thread_id="1764012000.000100",
    )
    await producer.publish([r])
    call = await slack[0].wait_for("We shipped a replacement")
    assert call == {
        "auth": "Bearer xoxb-hotline-1",
        "channel": "C0SUPPORT",
        "thread_ts": "1764012000.000100",
        "text": "We shipped a replacement",
    }
    result = await result_for(kafka, r.reply_id)
    assert result.status == "sent"
    assert result.provider_message_id is not None
    assert result.provider_message_id.startswith("C0SUPPORT:1764013000.")
    assert result.event_id == ev.event_id_for("T0HOTLINE", "slack", r.reply_id, "result")


async def test_slack_error_becomes_a_failed_result(
    replies_gw: str, slack: tuple[SlackStandIn, str], producer: EventProducer, kafka: str
) -> None:
    r = reply("slack", "T0HOTLINE", "C0GONE", "Anyone there?")
    await producer.publish([r])
    result = await result_for(kafka, r.reply_id)
    assert (result.status, result.provider_code, result.retryable) == (
        "failed",
        "channel_not_found",
        False,
    )


async def test_unknown_workspace_fails_without_calling_slack(
    replies_gw: str, slack: tuple[SlackStandIn, str], producer: EventProducer, kafka: str
) -> None:
    r = reply("slack", "T0NOBODY", "C1", "lost reply")
    await producer.publish([r])
    result = await result_for(kafka, r.reply_id)
    assert result.status == "failed" and "unknown_workspace" in (result.reason or "")
    assert not [c for c in slack[0].calls if c["text"] == "lost reply"]


async def hello(url: str, **fields: object) -> tuple[Any, dict[str, Any]]:
    ws = await connect(url.replace("http", "ws") + "/chat/ws")
    await ws.send(json.dumps({"type": "hello", "site": SITE, **fields}))
    return ws, json.loads(await ws.recv())


async def test_widget_reply_pushed_live_and_held_until_reconnect(
    replies_gw: str, producer: EventProducer, kafka: str
) -> None:
    ws, welcome = await hello(replies_gw)
    visitor, token = welcome["visitor_id"], welcome["visitor_token"]
    live = reply("widget", SITE, visitor, "Hi! How can we help?")
    await producer.publish([live])
    async with asyncio.timeout(15):
        frame = json.loads(await ws.recv())
    assert frame["type"] == "reply" and frame["text"] == "Hi! How can we help?"
    await ws.send(json.dumps({"type": "seen", "reply_ids": [frame["reply_id"]]}))
    assert (await result_for(kafka, live.reply_id)).reason is None
    await ws.close()

    held = reply("widget", SITE, visitor, "Sent while you were away")
    await producer.publish([held])
    result = await result_for(kafka, held.reply_id)
    assert (result.status, result.reason) == ("sent", "held_until_reconnect")
    ws2, again = await hello(replies_gw, visitor_id=visitor, visitor_token=token)
    assert again["visitor_id"] == visitor
    async with asyncio.timeout(5):
        missed = json.loads(await ws2.recv())
    assert (missed["type"], missed["text"]) == ("reply", "Sent while you were away")
    await ws2.close()


async def test_poison_reply_is_dead_lettered_and_the_loop_goes_on(
    replies_gw: str, slack: tuple[SlackStandIn, str], producer: EventProducer, kafka: str
) -> None:
    await producer.send(REPLIES_CHAT, b"{not an event", key=b"poison")
    after = reply("slack", "T0HOTLINE", "C0SUPPORT", "after the poison")
    await producer.publish([after])
    await slack[0].wait_for("after the poison")
    dead = [
        r
        for r in await read_all(kafka, dead_letter_for(REPLIES_CHAT), timeout=3)
        if r.value == b"{not an event"
    ]
    assert len(dead) == 1
    assert dict(dead[0].headers)["hotline.dlq.reason"] == b"malformed"


def typing(visitor: str, on: bool) -> ev.AgentTyping:
    return ev.AgentTyping(
        event_id=ev.event_id_for(SITE, "widget", f"typing:{uuid.uuid4().hex}", "typing"),
        tenant=SITE,
        channel=ev.ChannelRef(kind="widget", account_id=SITE),
        conversation_id=f"conv-{visitor}",
        recipient=visitor,
        on=on,
        at=datetime.now(UTC),
    )


async def test_agent_typing_reaches_the_visitor_and_produces_no_result(
    replies_gw: str, producer: EventProducer, kafka: str
) -> None:
    ws, welcome = await hello(replies_gw)
    visitor = welcome["visitor_id"]
    before = len(await read_all(kafka, REPLY_RESULTS, timeout=2))
    await producer.publish([typing(visitor, True)])  # routed to hotline.replies.chat
    async with asyncio.timeout(15):
        frame = json.loads(await ws.recv())
    assert frame == {"type": "typing", "on": True}
    await producer.publish([typing(visitor, False)])
    async with asyncio.timeout(15):
        assert json.loads(await ws.recv()) == {"type": "typing", "on": False}
    after_reply = reply("widget", SITE, visitor, "typed it")  # the loop goes on as usual
    await producer.publish([after_reply])
    assert (await result_for(kafka, after_reply.reply_id)).status == "sent"
    results = await read_all(kafka, REPLY_RESULTS, timeout=2)
    assert len(results) == before + 1  # typing is ephemeral: only the reply has a result
    await ws.close()
