"""insights: the FastAPI app with /healthz, /readyz and /metrics (``hotline.http``). The
consumer of the unified topics, the forecast page and its API come next (issue 27)."""

from __future__ import annotations

from fastapi import FastAPI

from hotline.http import create_service_app
from insights.settings import InsightsSettings


def create_app(settings: InsightsSettings | None = None) -> FastAPI:
    return create_service_app(settings or InsightsSettings())


def bootstrap() -> tuple[FastAPI, InsightsSettings]:
    settings = InsightsSettings()
    return create_app(settings), settings  # hotline.http.serve tunes the collector
