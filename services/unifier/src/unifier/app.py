"""unifier: the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from hotline.http import create_service_app
from unifier.settings import UnifierSettings


def create_app(settings: UnifierSettings | None = None) -> FastAPI:
    settings = settings or UnifierSettings()
    return create_service_app(settings)


def bootstrap() -> tuple[FastAPI, UnifierSettings]:
    settings = UnifierSettings()
    return create_app(settings), settings
