"""A lost produce response makes the producer retry; the idempotent producer yields no duplicate.

A second real broker advertises a TCP proxy's port, so every client connection goes through the
proxy. The proxy forwards each produce request to the broker, then swallows the broker's response
and cuts the connection: the record is in the log, the producer never heard so and sends again.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hotline.kafka import EventProducer, ProducerSettings
from hotline_tools.devstack.broker import Broker, free_port
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration


class ResponseDroppingProxy:
    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port, self.target_port = listen_port, target_port
        self.drop_next_responses = 0
        self.dropped = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.listen_port)

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        b_reader, b_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        up = asyncio.create_task(self._pipe(c_reader, b_writer, drop=False))
        down = asyncio.create_task(self._pipe(b_reader, c_writer, drop=True))
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        for task in (up, down):
            task.cancel()
        for w in (c_writer, b_writer):
            w.close()

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, drop: bool) -> None:
        while data := await r.read(65536):
            if drop and self.drop_next_responses:
                self.drop_next_responses -= 1
                self.dropped += 1
                return  # swallow the response and cut the connection
            w.write(data)
            await w.drain()


@pytest.fixture(scope="module")
def proxied_broker() -> Iterator[tuple[Broker, int]]:
    work = Path(tempfile.mkdtemp(prefix="hotline-kafka-proxy-"))
    proxy_port = free_port()
    broker = Broker(work, free_port(), free_port(), advertised_port=proxy_port)
    broker.start()
    try:
        yield broker, proxy_port
    finally:
        broker.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
async def proxy(proxied_broker: tuple[Broker, int]) -> AsyncIterator[ResponseDroppingProxy]:
    broker, proxy_port = proxied_broker
    p = ResponseDroppingProxy(proxy_port, broker.port)
    await p.start()
    yield p
    await p.stop()


async def test_idempotent_producer_writes_no_duplicate_on_retry(
    proxied_broker: tuple[Broker, int], proxy: ResponseDroppingProxy
) -> None:
    bootstrap = f"127.0.0.1:{proxy.listen_port}"
    topic = await fresh_topic(bootstrap, with_dlq=False)
    producer = EventProducer(ProducerSettings(bootstrap=bootstrap, ack_timeout=30, linger_ms=0))
    await producer.start()
    try:
        await producer.send(topic, b"warm-up", key=b"k")  # metadata and producer id are known
        for i in range(3):
            proxy.drop_next_responses = 1
            await producer.send(topic, f"record-{i}".encode(), key=b"k")
    finally:
        with contextlib.suppress(Exception):
            await producer.stop()
    assert proxy.dropped == 3, "the proxy must really have lost three produce responses"
    values = [r.value for r in await read_all(bootstrap, topic, timeout=10)]
    assert values == [b"warm-up", b"record-0", b"record-1", b"record-2"]


async def test_without_idempotence_the_same_fault_duplicates(
    proxied_broker: tuple[Broker, int], proxy: ResponseDroppingProxy
) -> None:
    """Control: the fault really causes a resend; only idempotence makes it harmless."""
    from aiokafka import AIOKafkaProducer

    bootstrap = f"127.0.0.1:{proxy.listen_port}"
    topic = await fresh_topic(bootstrap, with_dlq=False)
    raw = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks=1, linger_ms=0, request_timeout_ms=30000
    )
    await raw.start()
    try:
        await raw.send_and_wait(topic, b"warm-up", key=b"k")
        proxy.drop_next_responses = 1
        with contextlib.suppress(Exception):
            await asyncio.wait_for(raw.send_and_wait(topic, b"record", key=b"k"), 30)
    finally:
        await raw.stop()
    values = [r.value for r in await read_all(bootstrap, topic, timeout=10)]
    assert values.count(b"record") == 2
