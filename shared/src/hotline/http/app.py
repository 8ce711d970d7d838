"""FastAPI app factory: lifespan owns the producer; /healthz, /readyz, /metrics on every service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from hotline.accounts.feed import AccountFeed
from hotline.accounts.registry import AccountRegistry
from hotline.http.limits import BodyLimit, RequestMetrics
from hotline.http.webhook import Rejected, json_error
from hotline.kafka.producer import EventProducer, ProducerSettings
from hotline.metrics import Metrics
from hotline.settings import ServiceSettings

Hook = Callable[["ServiceState"], Awaitable[None]]
ReadyCheck = Callable[[], Awaitable[bool]]
ACCOUNT_FEED = "accounts_feed"  # the edge's AccountFeed in ServiceState.extras


@dataclass
class ServiceState:
    """What a running service owns; reachable from handlers as ``request.app.state.hotline``."""

    settings: ServiceSettings
    metrics: Metrics
    producer: EventProducer
    ready_checks: dict[str, ReadyCheck] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)  # a service's own long-lived objects


def create_service_app(
    settings: ServiceSettings,
    *,
    on_start: Hook | None = None,
    on_stop: Hook | None = None,
    body_limits: dict[str, int] | None = None,
    producer: EventProducer | None = None,
    accounts: AccountRegistry | None = None,
) -> FastAPI:
    """``accounts``: an edge's registry, kept current from the account feed while it runs."""
    metrics = Metrics(settings.service)
    producer = producer or EventProducer(
        ProducerSettings(
            bootstrap=settings.kafka_bootstrap,
            client_id=settings.service,
            ack_timeout=settings.ack_timeout,
            linger_ms=settings.linger_ms,
        ),
        metrics,
    )
    state = ServiceState(settings, metrics, producer)
    state.ready_checks["kafka"] = producer.ready
    feed = None
    if accounts is not None:
        feed = AccountFeed(accounts, settings.kafka_bootstrap, settings.channel_sealer())
        state.ready_checks["accounts"] = feed.ready
        state.extras[ACCOUNT_FEED] = feed

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        producer.start_in_background()
        if feed is not None:
            feed.start_in_background()
        if on_start:
            await on_start(state)
        try:
            yield
        finally:
            await _shutdown(state, on_stop)

    app = FastAPI(title=f"Hotline {settings.service}", lifespan=lifespan)
    app.state.hotline = state
    _add_health(app, state)
    app.add_exception_handler(Rejected, _rejected)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, limits=body_limits)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


async def _shutdown(state: ServiceState, on_stop: Hook | None) -> None:
    if on_stop:
        await on_stop(state)
    feed = state.extras.get(ACCOUNT_FEED)
    if feed is not None:
        await feed.stop()
    for task in state.tasks:
        task.cancel()
    for task in state.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await state.producer.stop()


async def _rejected(request: Request, exc: Rejected) -> Response:
    request.app.state.hotline.metrics.rejected.labels(exc.reason).inc()
    return json_error(exc.status, exc.reason, exc.detail)


def _add_health(app: FastAPI, state: ServiceState) -> None:
    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": state.settings.service}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in state.ready_checks.items()}
        ok = all(results.values())
        return JSONResponse(
            {"ready": ok, "checks": results, "service": state.settings.service},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")
