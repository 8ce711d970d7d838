"""social_ingest: the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from hotline.http import create_service_app

from social_ingest.settings import SocialSettings


def create_app(settings: SocialSettings | None = None) -> FastAPI:
    settings = settings or SocialSettings()
    return create_service_app(settings)


def bootstrap() -> tuple[FastAPI, SocialSettings]:
    settings = SocialSettings()
    return create_app(settings), settings
