"""The insights service running for real (uvicorn, the session's broker): health, readiness
through the broker, metrics."""

from __future__ import annotations

import httpx
import pytest

from hotline_tools.devstack.broker import free_port
from insights.app import create_app
from insights.settings import InsightsSettings
from tests.http_helpers import serve_app, until_answers

pytestmark = pytest.mark.integration


async def test_it_answers_health_readiness_and_metrics(kafka: str) -> None:
    settings = InsightsSettings(env="test", kafka_bootstrap=kafka, port=free_port())
    async with (
        serve_app(create_app(settings), settings.port) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        await until_answers(client, "/readyz", timeout=15)
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "insights"}
        ready = (await client.get("/readyz")).json()
        assert ready["ready"] is True and ready["checks"] == {"kafka": True}
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200 and "hotline_" in metrics.text


async def test_it_is_not_ready_without_a_broker() -> None:
    settings = InsightsSettings(env="test", kafka_bootstrap="127.0.0.1:9", port=free_port())
    async with (
        serve_app(create_app(settings), settings.port) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        await until_answers(client, "/healthz", timeout=15)
        answer = await client.get("/readyz")
        assert answer.status_code == 503 and answer.json()["checks"] == {"kafka": False}
