"""Fixtures for the chat gateway's integration tests: the running app and an offsets probe."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.chat.harness import Offsets, gateway
from tests.unit.chat.gateway import settings_for


@pytest.fixture(scope="module")
async def gw(kafka: str) -> AsyncIterator[str]:
    async with gateway(settings_for(kafka)) as url:
        yield url


@pytest.fixture(scope="module")
async def offsets(kafka: str) -> AsyncIterator[Offsets]:
    probe = Offsets(kafka)
    await probe.start()
    yield probe
    await probe.stop()
