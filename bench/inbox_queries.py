"""The inbox list as the workspace will query it, for make bench-inbox: newest activity first
(last_message_at desc, thread_id desc), keyset paging on those two, views All / Mine /
Unassigned, filters on status (open, snoozes), label, channel (a message on it) and text
(``unifier.store.inbox_search.text_match`` on a message), the agent's unread count from its read
mark; then the page's last-message previews and contact names (``store.names``), as a page
needs them. The list helper's ``store/inbox_rows.py`` has this shape; this copy lets the bench
measure the indexes and the search predicate before that lands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.inbox_search import text_match
from unifier.store.names import add_contact_names
from unifier.store.schema import messages, threads
from unifier.store.schema_workspace import reads, thread_labels

_t = threads.c
LISTED = (_t.thread_id, _t.contact_id, _t.channel_kind, _t.open, _t.last_message_at,
          _t.message_count, _t.subject, _t.assignee, _t.snoozed_until)  # fmt: skip
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


def _has_message(cond: sa.ColumnElement[bool]) -> sa.Exists:
    m = messages.c
    return (
        sa.select(sa.literal(1))
        .where(m.tenant == threads.c.tenant, m.thread_id == threads.c.thread_id, cond)
        .exists()
    )


def list_statement(tenant: str, agent: str, ask: ListAsk, now: datetime) -> sa.Select[Any]:
    t, r, lab = threads.c, reads.c, thread_labels.c
    mark = sa.and_(r.tenant == t.tenant, r.thread_id == t.thread_id, r.agent_id == agent)
    unread = t.message_count - sa.func.coalesce(r.seen_count, 0)
    q = (
        sa.select(*LISTED, unread.label("unread"))
        .select_from(threads.outerjoin(reads, mark))
        .where(t.tenant == tenant, t.merged_into.is_(None))
    )
    if ask.view == "mine":
        q = q.where(t.assignee == agent)
    elif ask.view == "unassigned":
        q = q.where(t.assignee.is_(None))
    if ask.status == "open":
        q = q.where(t.open.is_(True), sa.or_(t.snoozed_until.is_(None), t.snoozed_until <= now))
    elif ask.status == "closed":
        q = q.where(t.open.is_(False))
    if ask.label:
        has = sa.select(sa.literal(1)).where(
            lab.tenant == t.tenant, lab.thread_id == t.thread_id, lab.label == ask.label
        )
        q = q.where(has.exists())
    if ask.channel:
        q = q.where(_has_message(messages.c.channel_kind == ask.channel))
    if ask.text:
        q = q.where(_has_message(text_match(messages.c.text, ask.text)))
    if ask.after:
        q = q.where(sa.tuple_(t.last_message_at, t.thread_id) < sa.tuple_(*ask.after))
    return q.order_by(t.last_message_at.desc(), t.thread_id.desc()).limit(ask.limit)


async def previews(conn: AsyncConnection, tenant: str, ids: list[str]) -> dict[str, str]:
    """Each thread's last message text (one index descent per thread)."""
    m = messages.c
    last = (
        sa.select(m.text)
        .where(m.tenant == tenant, m.thread_id == threads.c.thread_id)
        .order_by(m.at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await conn.execute(
        sa.select(threads.c.thread_id, last).where(
            threads.c.tenant == tenant, threads.c.thread_id.in_(ids)
        )
    )
    return {tid: text for tid, text in rows}


async def list_page(
    conn: AsyncConnection, tenant: str, agent: str, ask: ListAsk, now: datetime
) -> list[dict[str, Any]]:
    rows = [dict(r._mapping) for r in await conn.execute(list_statement(tenant, agent, ask, now))]
    shown = await previews(conn, tenant, [r["thread_id"] for r in rows])
    for r in rows:
        r["preview"] = shown.get(r["thread_id"])
    await add_contact_names(conn, tenant, rows)
    return rows
