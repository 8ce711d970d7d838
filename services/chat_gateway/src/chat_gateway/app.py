"""chat_gateway: the FastAPI app (Slack Events API, web widget, replies consumer)."""

from __future__ import annotations

from fastapi import FastAPI
from hotline.http import create_service_app

from chat_gateway.settings import ChatSettings
from chat_gateway.slack.edge import add_slack_routes


def create_app(settings: ChatSettings | None = None) -> FastAPI:
    settings = settings or ChatSettings()
    app = create_service_app(settings)
    add_slack_routes(app, settings)
    return app


def bootstrap() -> tuple[FastAPI, ChatSettings]:
    settings = ChatSettings()
    return create_app(settings), settings
