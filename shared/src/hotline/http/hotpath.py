"""Webhook POSTs answered by a lean ASGI middleware instead of FastAPI routes.

What it does: a POST to a registered path is read, handed to its ``Handler`` and answered here,
without FastAPI's routing, request object, dependency resolution and response classes (the
largest part of an edge's CPU per webhook; ``bench/profiling.md`` has the A/B). Everything else
(handshakes, health, the widget) falls through to the app.

What it costs: the framework's rules for these routes are written again here and must stay in
step with it: 413 on Content-Length or as soon as a chunked body crosses the cap (before reading
it all), ``Rejected`` -> its JSON status, the request metrics. These routes do not appear in
the OpenAPI document. Used by social_ingest (every provider's webhook) and chat_gateway (Slack's
Events API) through ``serve_posts``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from hotline.http import Rejected, ServiceState


@dataclass(frozen=True)
class Inbound:
    body: bytes
    headers: dict[str, str]  # lower-case names
    query: str
    path: str = ""  # as requested: a ``/prefix/*`` route reads its last segment from it


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b'{"ok":true}'


def error_answer(status: int, reason: str, detail: str = "") -> Answer:
    """The body every edge answers an error with (as ``hotline.http.json_error``)."""
    return Answer(status, msgspec.json.encode({"error": reason, "detail": detail}))


Handler = Callable[[ServiceState, Inbound], Awaitable[Answer]]
JSON = [(b"content-type", b"application/json")]


def serve_posts(app: FastAPI, routes: dict[str, Handler]) -> None:
    """Answer POSTs to ``routes`` before the rest of ``app`` (a ``create_service_app`` app).
    ``routes`` is read per request, so it may be filled after this call. A key ending in
    ``/*`` also takes any one more path segment (``/webhooks/telegram/*``: a bot id)."""
    app.add_middleware(WebhookPosts, routes=routes, state=app.state.hotline)


class WebhookPosts:
    def __init__(self, app: ASGIApp, routes: dict[str, Handler], state: ServiceState) -> None:
        self.app, self.routes, self.state = app, routes, state
        self.limit = state.settings.max_body_bytes
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route, handler = self._route(scope["path"]) if scope["type"] == "http" else ("", None)
        if handler is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        answer = await self._answer(handler, scope, receive)
        headers = [*JSON, (b"content-length", str(len(answer.body)).encode())]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
        self._count(route, answer.status, time.perf_counter() - start)

    def _route(self, path: str) -> tuple[str, Handler | None]:
        """The path's handler and its route key (the metrics' label: one per route, not one
        per id a caller puts in a path)."""
        handler = self.routes.get(path)
        if handler is not None:
            return path, handler
        head, _, last = path.rpartition("/")
        key = head + "/*"
        return key, self.routes.get(key) if last else None

    def _count(self, path: str, status: int, seconds: float) -> None:
        key = (path, status)
        if key not in self._children:  # prometheus' labels() lookup per request is costly
            m = self.state.metrics
            self._children[key] = (m.requests.labels(path, str(status)), m.latency.labels(path))
        counter, histogram = self._children[key]
        counter.inc()
        histogram.observe(seconds)

    async def _answer(self, handler: Handler, scope: Scope, receive: Receive) -> Answer:
        try:
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            body = await self._body(headers, receive)
            query = scope.get("query_string", b"").decode("latin-1")
            return await handler(self.state, Inbound(body, headers, query, scope["path"]))
        except Rejected as exc:
            self.state.metrics.rejected.labels(exc.reason).inc()
            return error_answer(exc.status, exc.reason, exc.detail)

    async def _body(self, headers: dict[str, str], receive: Receive) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise Rejected(413, "payload_too_large")
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                raise Rejected(413, "payload_too_large")
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)
