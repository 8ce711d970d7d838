"""chat_gateway: the FastAPI app (Slack Events API, web widget, replies consumer)."""

from __future__ import annotations

from fastapi import FastAPI

from chat_gateway.recent import PublishOnce
from chat_gateway.replies.service import start_replies
from chat_gateway.settings import ChatSettings
from chat_gateway.slack.edge import add_slack_routes, copier_of
from chat_gateway.widget.edge import add_widget_routes
from chat_gateway.widget.hub import Hub
from hotline.http import ServiceState, create_service_app


def create_app(settings: ChatSettings | None = None) -> FastAPI:
    settings = settings or ChatSettings()
    hub = Hub()
    copier = copier_of(settings)

    async def on_start(state: ServiceState) -> None:
        if settings.replies_enabled:
            start_replies(state, settings, hub)

    async def on_stop(state: ServiceState) -> None:
        if copier:
            await copier.close()

    app = create_service_app(settings, on_start=on_start, on_stop=on_stop)
    once = PublishOnce(app.state.hotline.producer.publish)
    add_slack_routes(app, settings, once, copier)
    add_widget_routes(app, settings, hub, once)
    app.state.hub = hub
    return app


def bootstrap() -> tuple[FastAPI, ChatSettings]:
    settings = ChatSettings()
    return create_app(settings), settings
