"""unifier: the FastAPI app (agent API, workspace pages), the consumer and the outbox relay."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hotline.http import ServiceState, create_service_app
from hotline.intake import Intake, KafkaPublisher
from unifier.entrypoints.api.account_routes import router as account_router
from unifier.entrypoints.api.live_feed import LiveFeed
from unifier.entrypoints.api.routes import router as api_router
from unifier.entrypoints.runtime import build_runtime
from unifier.entrypoints.web import security
from unifier.entrypoints.web.routers import ROUTERS
from unifier.entrypoints.web.sign_in import LoginLimits
from unifier.entrypoints.web.templating import STATIC
from unifier.settings import UnifierSettings


def create_app(settings: UnifierSettings | None = None) -> FastAPI:
    settings = settings or UnifierSettings()
    live_feed = LiveFeed()
    app: FastAPI

    async def on_start(state: ServiceState) -> None:
        runtime = await build_runtime(settings, state.producer, live_feed.committed)
        app.state.runtime = runtime
        state.ready_checks["database"] = runtime.db_ready
        if settings.consume:
            runtime.start(state.metrics)
            state.ready_checks["consumer"] = runtime.consumer_ready
            state.ready_checks["relay"] = runtime.relay.ready

    async def on_stop(state: ServiceState) -> None:
        await app.state.runtime.close()

    app = create_service_app(settings, on_start=on_start, on_stop=on_stop)
    app.state.live_feed = live_feed
    state: ServiceState = app.state.hotline  # typing events go out through the edge intake
    app.state.intake = Intake(KafkaPublisher(state.producer), state.metrics)
    app.state.login_limits = LoginLimits.of(settings)  # per process, in memory
    app.include_router(api_router)
    app.include_router(account_router)
    for router in ROUTERS:  # the workspace pages
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    security.install(app)
    return app


def bootstrap() -> tuple[FastAPI, UnifierSettings]:
    settings = UnifierSettings()
    return create_app(settings), settings
