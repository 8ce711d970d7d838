"""The workspace's one live stream: ``GET /inbox/events`` (server-sent events of the signed-in
agent's tenant). ``static/js/live.js`` turns each SSE event into a DOM event on ``document``
(``hotline:change``, ``hotline:presence``, …) that the panes listen to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.live_feed import LiveFeed

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]


@router.get("/inbox/events", response_class=StreamingResponse, include_in_schema=False)
async def events(request: Request, who: Who) -> StreamingResponse:
    live_feed: LiveFeed = request.app.state.live_feed

    async def stream() -> AsyncIterator[str]:
        async for chunk in live_feed.stream(who.tenant):
            if await request.is_disconnected():
                return
            yield chunk

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
