"""chat_gateway: the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from hotline.http import create_service_app
from chat_gateway.settings import ChatSettings


def create_app(settings: ChatSettings | None = None) -> FastAPI:
    settings = settings or ChatSettings()
    return create_service_app(settings)


def bootstrap() -> tuple[FastAPI, ChatSettings]:
    settings = ChatSettings()
    return create_app(settings), settings
