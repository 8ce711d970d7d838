"""The workspace's one live stream: ``GET /inbox/events`` (server-sent events of the signed-in
agent's tenant). ``static/js/live.js`` turns each SSE event into a DOM event on ``document``
(``hotline:change``, ``hotline:presence``, …) that the panes listen to.

While the stream is open the agent is online: registered with this process's presence board
and ``agents.last_seen_at`` renewed with each chunk (at least every keep-alive)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.live_feed import LiveFeed
from unifier.entrypoints.web.presence import board, seen

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]


@router.get("/inbox/events", response_class=StreamingResponse, include_in_schema=False)
async def events(request: Request, who: Who) -> StreamingResponse:
    live_feed: LiveFeed = request.app.state.live_feed
    here = board(request)
    news = live_feed.subscribe(who.tenant)

    async def stream() -> AsyncIterator[str]:
        here.opened(who.tenant, who.agent_id)  # online only once subscribed: no news missed
        try:
            async for chunk in news.chunks():
                if await request.is_disconnected():
                    return
                await seen(request, who)
                yield chunk
        finally:
            here.closed(who.tenant, who.agent_id)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
        background=BackgroundTask(news.close),
    )
