"""Run a service's app under uvicorn with JSON logs (``python -m <service>``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from hotline import collector, logs, priority
from hotline.settings import ServiceSettings


def uvicorn_options(settings: ServiceSettings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
    }


DEV_WARNING = (
    "HOTLINE_ENV=dev: placeholder secrets (dev-..., change-me...) are accepted and demo sign-ins "
    "are on; never run a deployment like this (unset HOTLINE_ENV means prod)"
)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    logs.configure(settings.log_level)
    if settings.env == "dev":
        logging.getLogger("hotline").warning(DEV_WARNING)
    collector.tune(settings.gc_threshold)
    priority.lower(settings.cpu_nice)
    uvicorn.run(app, **uvicorn_options(settings))


def main(factory: Callable[[], tuple[FastAPI, ServiceSettings]]) -> None:
    app, settings = factory()
    serve(app, settings)
