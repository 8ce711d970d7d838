"""The unifier app as make bench-inbox serves it (``python -m bench.inbox_server``, settings from
HOTLINE_* variables like ``python -m unifier``), plus one route of the workspace list shape
(``bench.inbox_queries``) so views, labels, keyset pages and the new search predicate are timed
over HTTP behind the same authentication as the real API:
``GET /api/tenants/{tenant}/bench/inbox?view=&status=&label=&channel=&q=&before_at=&before_id=``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request

from bench.inbox_queries import ListAsk, list_page
from hotline.http.serve import serve
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.app import create_app
from unifier.settings import UnifierSettings

router = APIRouter(prefix="/api/tenants/{tenant}/bench")
Who = Annotated[Principal, Depends(principal)]


@router.get("/inbox")
async def inbox(
    request: Request,
    tenant: str,
    who: Who,
    view: Literal["all", "mine", "unassigned"] = "all",
    status: Literal["open", "closed"] | None = None,
    label: str | None = None,
    channel: str | None = None,
    q: str | None = None,
    before_at: datetime | None = None,
    before_id: str | None = None,
) -> list[dict[str, Any]]:
    after = (before_at, before_id) if before_at and before_id else None
    ask = ListAsk(view, status, label, channel, q, after)
    async with request.app.state.runtime.engine.connect() as conn:
        return await list_page(conn, tenant, who.agent_id, ask, datetime.now(UTC))


def bootstrap() -> tuple[FastAPI, UnifierSettings]:
    settings = UnifierSettings()
    app = create_app(settings)
    app.include_router(router)
    return app, settings


if __name__ == "__main__":
    app, settings = bootstrap()
    serve(app, settings)
