"""chat_gateway: the FastAPI app (Slack Events API or Socket Mode, web widget, replies).

One ``Intake`` per process serves every inbound edge (Slack over HTTP or Socket Mode, the
widget), so an event id it acked is not produced again, whichever edge brings it back. One
``AccountRegistry`` (``app.state.accounts``) routes every edge: Slack requests by team id,
widget sockets by site key, replies to their workspace's newest bot token."""

from __future__ import annotations

from fastapi import FastAPI

from chat_gateway.accounts import registry_for
from chat_gateway.replies.service import start_replies
from chat_gateway.settings import ChatSettings
from chat_gateway.slack import edge as slack
from chat_gateway.slack.accounts import SlackAccounts
from chat_gateway.slack.edge import copier_of, profiles_of
from chat_gateway.slack.interactions import PATH as INTERACTIONS_PATH
from chat_gateway.slack.outcome import SlackOutcomes
from chat_gateway.slack.socket_mode import SocketModeFleet
from chat_gateway.slack.users_info import ProfileDirectory
from chat_gateway.widget.edge import add_widget_routes
from chat_gateway.widget.hub import Hub
from chat_gateway.widget.sites import Sites
from hotline.accounts.following import followed
from hotline.http import ServiceState, create_service_app
from hotline.http.hotpath import Handler, serve_posts
from hotline.intake import Intake, KafkaPublisher, Publisher


def create_app(settings: ChatSettings | None = None, publisher: Publisher | None = None) -> FastAPI:
    """``publisher``: where accepted events go (default: the app's own Kafka producer)."""
    settings = settings or ChatSettings()
    hub, copier = Hub(), copier_of(settings)
    accounts = registry_for(settings)
    slack_accounts = SlackAccounts(accounts)
    profiles: ProfileDirectory | None = None  # built below, counting in the app's metrics

    async def on_start(state: ServiceState) -> None:
        if settings.replies_enabled:
            start_replies(state, settings, hub, slack_accounts.bot_tokens)
        if settings.slack_mode == "socket":
            fleet.follow(accounts)

    async def on_stop(state: ServiceState) -> None:
        await fleet.stop()
        if copier:
            await copier.close()
        if profiles:
            profiles.close()

    app = create_service_app(
        settings, on_start=on_start, on_stop=on_stop, accounts=followed(accounts, publisher)
    )
    posts: dict[str, Handler] = {}  # filled below, once the app owns its producer
    serve_posts(app, posts)
    state: ServiceState = app.state.hotline
    intake = Intake(publisher or KafkaPublisher(state.producer), state.metrics)
    profiles = profiles_of(settings, slack_accounts, state.metrics.registry)
    outcomes = SlackOutcomes(slack_accounts, copier, profiles)
    posts[slack.PATH] = slack.slack_post(outcomes, intake)
    posts[INTERACTIONS_PATH] = slack.interactions_post(outcomes, intake)
    add_widget_routes(app, settings, Sites(accounts), hub, intake)
    app.state.hub, app.state.intake, app.state.slack = hub, intake, outcomes
    fleet = SocketModeFleet(settings.slack_api_base, outcomes, intake)
    app.state.accounts = accounts
    return app


def bootstrap() -> tuple[FastAPI, ChatSettings]:
    settings = ChatSettings()
    return create_app(settings), settings
