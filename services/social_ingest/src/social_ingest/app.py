"""social_ingest: the FastAPI app (webhook edges per provider, replies consumer)."""

from __future__ import annotations

from fastapi import FastAPI

from hotline.http import create_service_app
from social_ingest.providers.meta import edge as meta
from social_ingest.providers.whatsapp.normalize import normalize as whatsapp
from social_ingest.settings import SocialSettings


def create_app(settings: SocialSettings | None = None) -> FastAPI:
    settings = settings or SocialSettings()
    app = create_service_app(settings)
    app.include_router(meta.router("/webhooks/whatsapp", whatsapp, settings))
    return app


def bootstrap() -> tuple[FastAPI, SocialSettings]:
    settings = SocialSettings()
    return create_app(settings), settings
