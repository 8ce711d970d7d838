"""chat_gateway: the FastAPI app (Slack Events API or Socket Mode, web widget, replies)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from chat_gateway.replies.service import start_replies
from chat_gateway.settings import ChatSettings
from chat_gateway.slack import edge as slack
from chat_gateway.slack.edge import copier_of, profiles_of, tokens_of, workspaces_of
from chat_gateway.slack.intake import SlackIntake
from chat_gateway.slack.socket_mode import runners_for
from chat_gateway.slack.users_info import ProfileDirectory
from chat_gateway.widget.edge import add_widget_routes
from chat_gateway.widget.hub import Hub
from hotline.http import ServiceState, create_service_app
from hotline.http.hotpath import Handler, serve_posts
from hotline.kafka.once import PublishOnce


def create_app(settings: ChatSettings | None = None) -> FastAPI:
    settings = settings or ChatSettings()
    hub, copier = Hub(), copier_of(settings)
    intake: SlackIntake | None = None  # built below, once the app owns its producer
    profiles: ProfileDirectory | None = None  # built below, counting in the app's metrics

    async def on_start(state: ServiceState) -> None:
        if settings.replies_enabled:
            start_replies(state, settings, hub)
        if settings.slack_mode == "socket" and intake is not None:
            start_socket_mode(state, settings, intake)

    async def on_stop(state: ServiceState) -> None:
        if copier:
            await copier.close()
        if profiles:
            profiles.close()

    app = create_service_app(settings, on_start=on_start, on_stop=on_stop)
    posts: dict[str, Handler] = {}  # filled below, once the app owns its producer
    serve_posts(app, posts)
    state: ServiceState = app.state.hotline
    once = PublishOnce(state.producer.publish)
    profiles = profiles_of(settings, state.metrics.registry)
    intake = SlackIntake(state.producer, state.metrics, once, tokens_of(settings), copier, profiles)
    posts[slack.PATH] = slack.slack_post(settings, intake)
    add_widget_routes(app, settings, hub, once)
    app.state.hub = hub
    return app


def start_socket_mode(state: ServiceState, settings: ChatSettings, intake: SlackIntake) -> None:
    app_tokens = {
        team: ws.app_token.get_secret_value()
        for team, ws in settings.slack_workspaces.items()
        if ws.app_token is not None
    }
    for runner in runners_for(settings.slack_api_base, app_tokens, workspaces_of(settings), intake):
        state.tasks.append(asyncio.create_task(runner.run()))


def bootstrap() -> tuple[FastAPI, ChatSettings]:
    settings = ChatSettings()
    return create_app(settings), settings
