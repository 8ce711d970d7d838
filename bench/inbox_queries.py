"""The inbox list for make bench-inbox, through the store's own functions: ``store.inbox_rows``
(the page: views, filters, keyset, text search) and ``store.names`` (contact names), exactly
what ``GET /conversations`` runs before it presents the rows. A ``ListAsk`` is the bench's
description of one list request; ``query_of`` turns it into the store's ``ListQuery``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store import inbox_rows
from unifier.store.inbox_rows import Key, ListQuery
from unifier.store.names import add_contact_names
from unifier.store.schema import threads

View = Literal["all", "mine", "unassigned"]
Cursor = tuple[datetime, str]  # (last_message_at, thread_id) of the previous page's last row


@dataclass(frozen=True)
class ListAsk:
    view: View = "all"
    status: Literal["open", "closed"] | None = None
    label: str | None = None
    channel: str | None = None
    text: str | None = None
    after: Cursor | None = None
    limit: int = 50


def query_of(tenant: str, agent: str, ask: ListAsk, now: datetime) -> ListQuery:
    after = Key(*ask.after) if ask.after else None
    return ListQuery(tenant, agent, now, ask.view, ask.status, ask.channel, ask.label,
                     text=ask.text, after=after, limit=ask.limit)  # fmt: skip


async def list_page(
    conn: AsyncConnection, tenant: str, agent: str, ask: ListAsk, now: datetime
) -> list[dict[str, Any]]:
    """One page's rows with their extras (``last``, channels, labels) and contact names."""
    found = await inbox_rows.page(conn, query_of(tenant, agent, ask, now))
    await add_contact_names(conn, tenant, found.rows)
    return found.rows


async def deep_key(
    conn: AsyncConnection, tenant: str, agent: str, view: View, offset: int
) -> Cursor | None:
    """The keyset cursor ``offset`` rows into a view (None: the view is shorter)."""
    t = threads.c
    q = sa.select(t.last_message_at, t.thread_id).where(t.tenant == tenant, t.merged_into.is_(None))
    if view != "all":
        q = q.where(t.assignee == agent if view == "mine" else t.assignee.is_(None))
    q = q.order_by(t.last_message_at.desc(), t.thread_id.desc()).offset(offset).limit(1)
    row = (await conn.execute(q)).first()
    return (row.last_message_at, row.thread_id) if row else None
