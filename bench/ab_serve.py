"""Run an edge service with one speed mechanism switched off, for ``bench.speed_ab``.

``python -m bench.ab_serve <social_ingest|chat_gateway> <variant>``: the service as
``python -m <service>`` runs it, except for the variant (``VARIANTS``). The switches live here,
in bench code, so that the product keeps no setting for an A/B.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from hotline.http import ServiceState
from hotline.http import serve as serving
from hotline.http.hotpath import Handler, Inbound, WebhookPosts

VARIANTS = ("base", "no_hotpath", "no_gc_tune")


def route(handler: Handler, state: ServiceState) -> Callable[[Request], Awaitable[Response]]:
    """A webhook handler as a plain FastAPI endpoint (what serves it without the hot path)."""

    async def endpoint(request: Request) -> Response:
        query = request.scope.get("query_string", b"").decode("latin-1")
        answer = await handler(state, Inbound(await request.body(), dict(request.headers), query))
        return Response(answer.body, answer.status, media_type="application/json")

    return endpoint


def without_hotpath(app: FastAPI) -> None:
    """The webhook POSTs as FastAPI routes (its exception handler maps ``Rejected``, the
    ``BodyLimit`` middleware answers 413)."""
    (hot,) = [m for m in app.user_middleware if m.cls is WebhookPosts]  # type: ignore[comparison-overlap]
    app.user_middleware.remove(hot)
    routes: dict[str, Handler] = hot.kwargs["routes"]  # type: ignore[assignment]
    state: ServiceState = hot.kwargs["state"]  # type: ignore[assignment]
    for path, handler in routes.items():
        app.add_api_route(path, route(handler, state), methods=["POST"])


def main(service: str, variant: str) -> None:
    assert variant in VARIANTS, variant
    app, settings = importlib.import_module(f"{service}.app").bootstrap()
    if variant == "no_hotpath":
        without_hotpath(app)
    if variant == "no_gc_tune":
        settings.gc_threshold = 0  # Python's own collector settings
    serving.serve(app, settings)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
