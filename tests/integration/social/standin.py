"""A local stand-in for the providers' send APIs, over real HTTP: records every request and
answers from a script keyed by recipient (sent by default; a WhatsApp media upload with its
media id). GETs are profile lookups: answered from ``profiles`` by path (404 otherwise), each
after ``profile_delay`` seconds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.providers import sent_answer


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class StandIn:
    base: str = ""
    seen: list[Seen] = field(default_factory=list)
    script: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # recipient ->
    gets: list[Seen] = field(default_factory=list)
    profiles: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # path ->
    profile_delay: float = 0.0

    def to(self, recipient: str) -> list[Seen]:
        return [s for s in self.seen if _recipient(s.path, s.body) == recipient]


def _recipient(path: str, body: dict[str, Any]) -> str:
    if "/dm_conversations/with/" in path:  # X names the participant in the path
        return path.split("/dm_conversations/with/")[1].split("/", maxsplit=1)[0]
    r = body.get("to") or body.get("To") or body.get("chat_id") or body.get("recipient", {})
    return str(r.get("id") if isinstance(r, dict) else r)


async def _body(request: Request) -> dict[str, Any]:
    """JSON, a urlencoded form, or a multipart upload (a file as its name, type and bytes)."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/"):
        form = await request.form()
        return {k: v if isinstance(v, str) else await _file(v) for k, v in form.multi_items()}
    if "form" in ctype:
        return dict(parse_qsl((await request.body()).decode()))
    doc: dict[str, Any] = await request.json()
    return doc


async def _file(upload: UploadFile) -> dict[str, Any]:
    return {"filename": upload.filename, "type": upload.content_type, "data": await upload.read()}


def app_for(state: StandIn) -> FastAPI:
    app = FastAPI()

    @app.post("/{path:path}")
    async def any_post(path: str, request: Request) -> JSONResponse:
        body = await _body(request)
        seen = Seen("/" + path, dict(request.headers), body)
        state.seen.append(seen)
        sent = (200, sent_answer(seen.path, len(state.seen)))
        status, doc = state.script.get(_recipient(seen.path, body), sent)
        return JSONResponse(doc, status_code=status)

    @app.get("/{path:path}")
    async def any_get(path: str, request: Request) -> JSONResponse:
        state.gets.append(Seen("/" + path, dict(request.headers), dict(request.query_params)))
        await asyncio.sleep(state.profile_delay)
        missing = (404, {"error": {"code": 100, "message": "no such user"}})
        status, doc = state.profiles.get("/" + path, missing)
        return JSONResponse(doc, status_code=status)

    return app


@contextlib.asynccontextmanager
async def standin() -> AsyncIterator[StandIn]:
    state = StandIn()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app_for(state), host="127.0.0.1", port=port, log_config=None, access_log=False
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    state.base = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
