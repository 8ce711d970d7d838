"""Oversize bodies refused by the running server before they are read (the rest of the
bad-input table runs on the in-memory publisher: tests/unit/chat/test_bad_input.py), with
nothing reaching Kafka.

Each case snapshots the end offsets of the chat inbound topic, its dead-letter topic and the
reply results topic before and after, on the real broker. A control case (a valid message)
shows the same probe does see a produced record.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from chat_gateway.slack.verify import sign
from tests.integration.chat.harness import Offsets, produced
from tests.unit.chat.slack_fixtures import load

pytestmark = pytest.mark.integration
SECRET = "sig-hotline-0123456789"


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "x-slack-request-timestamp": ts,
        "x-slack-signature": sign(SECRET, ts, body),
        "content-type": "application/json",
    }


@pytest.fixture
async def unchanged(offsets: Offsets) -> AsyncIterator[None]:
    before = await offsets.now()
    yield
    assert produced(before, await offsets.now()) == 0, "a rejected input produced a record"


async def raw_post(gw: str, head: str, body: bytes) -> bytes:
    """Send a request head and only part of a body, then read the answer (413 comes early)."""
    host, port = gw.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        writer.write(body)
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read(200)
    finally:
        writer.close()


async def test_declared_5_mib_refused_before_the_body_is_sent(gw: str, unchanged: None) -> None:
    answer = await raw_post(gw, "Content-Length: 5242880\r\n", b"{")
    assert answer.startswith(b"HTTP/1.1 413")


async def test_chunked_oversize_is_cut_off(gw: str, unchanged: None) -> None:
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
    answer = await raw_post(gw, "Transfer-Encoding: chunked\r\n", chunk * 17)
    assert answer.startswith(b"HTTP/1.1 413")


async def test_control_a_valid_message_is_seen_by_the_probe(gw: str, offsets: Offsets) -> None:
    ts = f"{int(time.time())}.000001".encode()
    body = load("connect_external").replace(b"1764012540.001000", ts)
    before = await offsets.now()
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{gw}/slack/events", content=body, headers=signed(body))
    assert response.status_code == 200
    assert produced(before, await offsets.now()) == 1
