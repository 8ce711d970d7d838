"""email_ingest: the FastAPI app (health endpoints; intake routes are added by the channel)."""

from __future__ import annotations

from fastapi import FastAPI
from hotline.http import create_service_app

from email_ingest.settings import EmailSettings


def create_app(settings: EmailSettings | None = None) -> FastAPI:
    settings = settings or EmailSettings()
    return create_service_app(settings)


def bootstrap() -> tuple[FastAPI, EmailSettings]:
    settings = EmailSettings()
    return create_app(settings), settings
