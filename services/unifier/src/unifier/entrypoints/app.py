"""unifier: the FastAPI app (agent API, workspace pages), the consumer and the outbox relay."""

from __future__ import annotations

import asyncio

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from hotline.blobs import open_blob_store
from hotline.http import ServiceState, create_service_app
from hotline.intake import Intake, KafkaPublisher
from unifier.domain.surveys import SurveyConfig, checked
from unifier.entrypoints.api import (
    account_routes,
    assignment_routes,
    callback_routes,
    canned_routes,
    channel_account_routes,
    contact_routes,
    inbox_routes,
    labels_routes,
    notes_routes,
    report_routes,
    routing_routes,
    sla_routes,
    snooze_routes,
    template_routes,
    triage_routes,
    upload_routes,
)
from unifier.entrypoints.api.live_feed import LiveFeed
from unifier.entrypoints.api.routes import router as api_router
from unifier.entrypoints.assigner import Assigner
from unifier.entrypoints.runtime import ConsumerRuntime, build_runtime
from unifier.entrypoints.trainer import Trainer
from unifier.entrypoints.web import security
from unifier.entrypoints.web.presence import api_seen
from unifier.entrypoints.web.presence_board import PresenceBoard
from unifier.entrypoints.web.routers import ROUTERS
from unifier.entrypoints.web.sign_in import LoginLimits
from unifier.entrypoints.web.templating import STATIC
from unifier.service.survey_links import SurveyLinks
from unifier.service.surveys import SurveyPolicy
from unifier.settings import UnifierSettings


def create_app(settings: UnifierSettings | None = None) -> FastAPI:
    settings = settings or UnifierSettings()
    live_feed = LiveFeed()
    presence = PresenceBoard()
    app: FastAPI

    def committed(changed: dict[str, list[str]]) -> None:
        live_feed.committed(changed)
        if (assigner := getattr(app.state, "assigner", None)) is not None:
            assigner.wake()

    async def on_start(state: ServiceState) -> None:
        runtime = await build_runtime(settings, state.producer, committed)
        app.state.runtime = runtime
        if settings.assign_auto:
            start_assigner(runtime)
        if settings.triage and settings.triage_train_hours > 0:
            trainer = Trainer(runtime.engine, settings.triage_train_hours * 3600)
            runtime.tasks.append(asyncio.create_task(trainer.run(runtime.stop)))
        state.ready_checks["database"] = runtime.db_ready
        if settings.consume:
            runtime.start(state.metrics)
            state.ready_checks["consumer"] = runtime.consumer_ready
            state.ready_checks["relay"] = runtime.relay.ready

    def start_assigner(runtime: ConsumerRuntime) -> None:
        def assigned(changed: dict[str, list[str]]) -> None:
            runtime.relay.notify()
            live_feed.committed(changed)
            for tenant, ids in changed.items():
                live_feed.publish(tenant, {"conversations": ids}, "assignment")

        assigner = Assigner(runtime.engine, settings, presence.connected, assigned)
        app.state.assigner = assigner
        runtime.tasks.append(asyncio.create_task(assigner.run(runtime.stop)))

    async def on_stop(state: ServiceState) -> None:
        await app.state.runtime.close()

    app = create_service_app(settings, on_start=on_start, on_stop=on_stop)
    app.state.live_feed = live_feed
    app.state.presence = presence
    state: ServiceState = app.state.hotline  # typing events go out through the edge intake
    app.state.intake = Intake(KafkaPublisher(state.producer), state.metrics)
    app.state.surveys = survey_policy(settings)
    app.state.login_limits = LoginLimits.of(settings)  # per process, in memory
    app.state.blobs = open_blob_store(settings, settings.blob_dir)  # the edges' store, read here
    seen = [Depends(api_seen)]  # an agent's API request counts as presence
    app.include_router(inbox_routes.router, dependencies=seen)  # before: /conversations/bulk
    app.include_router(api_router, dependencies=seen)
    app.include_router(account_routes.router)  # not "seen": /api/me names no tenant
    app.include_router(channel_account_routes.router)
    for api in (
        assignment_routes,
        notes_routes,
        callback_routes,
        labels_routes,
        snooze_routes,
        sla_routes,
        canned_routes,
        contact_routes,
        template_routes,
        upload_routes,
        report_routes,
        routing_routes,
        triage_routes,
    ):
        app.include_router(api.router, dependencies=seen)
    for router in ROUTERS:  # the workspace pages
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    security.install(app)
    return app


def survey_policy(settings: UnifierSettings) -> SurveyPolicy:
    """The survey settings, checked at start (a bad scale stops it). No link secret: email
    conversations are resolved without a survey."""
    base = SurveyConfig(
        enabled=settings.csat_enabled,
        scale=settings.csat_scale,
        expiry_hours=settings.csat_expiry_hours,
        question=settings.csat_question,
    )
    for override in settings.csat_channels.values():
        base.merged(override)  # raises on a bad one
    secret = settings.csat_secret()
    url = settings.csat_public_url or f"http://{settings.host}:{settings.port}"
    links = SurveyLinks(secret, url) if secret is not None else None
    return SurveyPolicy(links, checked(base), dict(settings.csat_channels))


def bootstrap() -> tuple[FastAPI, UnifierSettings]:
    settings = UnifierSettings()
    return create_app(settings), settings
