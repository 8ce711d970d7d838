"""Run the real gateway app under uvicorn on a free port, in the test session's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI

from chat_gateway.app import create_app
from chat_gateway.settings import ChatSettings
from hotline.topics import INBOUND_CHAT, REPLIES_CHAT, REPLY_RESULTS, dead_letter_for
from hotline_tools.devstack.broker import free_port
from tests.kafka_helpers import partitions

WATCHED = (INBOUND_CHAT, dead_letter_for(INBOUND_CHAT), REPLY_RESULTS)


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "uvicorn exited at start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def group_at_end(kafka: str, group: str, topic: str) -> None:
    """Commit the end offsets for a new group: its loop sees only replies produced from now on
    (not the ones earlier test modules left on the session's shared topic)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = await partitions(kafka, topic)
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        await consumer.commit({tp: max(offset, 0) for tp, offset in ends.items()})
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def gateway(settings: ChatSettings, ready: bool = True) -> AsyncIterator[str]:
    async with gateway_app(settings, ready) as (url, _):
        yield url


@contextlib.asynccontextmanager
async def gateway_app(
    settings: ChatSettings, ready: bool = True
) -> AsyncIterator[tuple[str, FastAPI]]:
    """The running gateway's URL and its app (tests reach ``app.state.hub`` through it)."""
    if ready:
        await group_at_end(settings.kafka_bootstrap, settings.replies_group, REPLIES_CHAT)
    app = create_app(settings)
    async with serve(app) as url:
        if ready:
            await wait_ready(url)
        yield url, app


async def wait_ready(url: str) -> None:
    async with asyncio.timeout(20), httpx.AsyncClient() as client:
        for _ in itertools.count():
            if (await client.get(f"{url}/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.05)


class Offsets:
    """End offsets of the chat topics, from one long-lived consumer (cheap to ask often)."""

    def __init__(self, kafka: str) -> None:
        self.kafka = kafka
        self.consumer = AIOKafkaConsumer(bootstrap_servers=kafka)
        self.tps: list[TopicPartition] = []

    async def start(self) -> None:
        await self.consumer.start()
        self.tps = await partitions(self.kafka, *WATCHED)

    async def now(self) -> dict[TopicPartition, int]:
        offsets: dict[TopicPartition, int] = await self.consumer.end_offsets(self.tps)
        return offsets

    async def stop(self) -> None:
        await self.consumer.stop()


def produced(before: dict[TopicPartition, int], after: dict[TopicPartition, int]) -> int:
    return sum(after[tp] - before[tp] for tp in before)


async def read_new(
    kafka: str, before: dict[TopicPartition, int], after: dict[TopicPartition, int]
) -> list[ConsumerRecord[bytes, bytes]]:
    """The records produced between two end-offset snapshots."""
    grown = {tp: (before[tp], after[tp]) for tp in before if after[tp] > before[tp]}
    if not grown:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(grown))
        for tp, (start, _) in grown.items():
            consumer.seek(tp, start)
        out: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(10):
            while len(out) < sum(end - start for start, end in grown.values()):
                for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                    out += [r for r in records if r.offset < grown[tp][1]]
        return out
    finally:
        await consumer.stop()
