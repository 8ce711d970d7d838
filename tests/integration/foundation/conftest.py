"""Foundation integration fixtures: one idempotent producer on the session broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hotline.kafka import EventProducer, ProducerSettings


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[EventProducer]:
    p = EventProducer(ProducerSettings(bootstrap=kafka, ack_timeout=10))
    await p.start()
    yield p
    await p.stop()
