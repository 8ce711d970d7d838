"""The thread's timeline beside its messages: internal notes and system activity (assigned,
merged, closed, ...), with the agents' names, and where the thread's customer can be answered."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.call_views import not_a_call
from unifier.store.dialect import when
from unifier.store.schema import identities, messages
from unifier.store.schema_accounts import agents
from unifier.store.schema_workspace import activity, notes

Row = dict[str, Any]


def _agent_name(tenant: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The agent's name, else the stored id (an API token, a removed agent, a rule)."""
    a = agents.c
    named = sa.select(a.name).where(a.tenant == tenant, a.agent_id == column).scalar_subquery()
    return sa.func.coalesce(named, column)


async def thread_notes(conn: AsyncConnection, tenant: str, thread_id: str) -> list[Row]:
    n = notes.c
    q = (
        sa.select(n.note_id, n.author, n.at, n.text, _agent_name(tenant, n.author).label("name"))
        .where(n.tenant == tenant, n.thread_id == thread_id)
        .order_by(n.at, n.note_id)
    )
    return [{**r._mapping, "at": when(r.at)} for r in await conn.execute(q)]


async def thread_activity(conn: AsyncConnection, tenant: str, thread_id: str) -> list[Row]:
    """Activity rows with ``detail`` parsed (a row whose detail is not a JSON object keeps it as
    ``{"reason": <text>}``: shown, never dropped)."""
    t = activity.c
    q = (
        sa.select(t.activity_id, t.kind, t.actor, t.at, t.detail)
        .add_columns(_agent_name(tenant, t.actor).label("name"))
        .where(t.tenant == tenant, t.thread_id == thread_id)
        .order_by(t.at, t.activity_id)
    )
    return [
        {**r._mapping, "at": when(r.at), "detail": _detail(r.detail)} for r in await conn.execute(q)
    ]


def _detail(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"reason": raw}
    return parsed if isinstance(parsed, dict) else {"reason": raw}


async def add_note(conn: AsyncConnection, row: Row) -> None:
    await conn.execute(sa.insert(notes).values(**row))


async def last_inbound(conn: AsyncConnection, tenant: str, thread_id: str) -> dict[str, datetime]:
    """Channel kind -> when the customer last wrote in this thread on it (a call is not
    writing: a WhatsApp call opens no reply window here)."""
    m = messages.c
    q = (
        sa.select(m.channel_kind, sa.func.max(m.at))
        .where(
            m.tenant == tenant,
            m.thread_id == thread_id,
            m.role == "customer",
            not_a_call(messages),
        )
        .group_by(m.channel_kind)
    )
    return {kind: when(at) for kind, at in await conn.execute(q)}


async def handles(conn: AsyncConnection, tenant: str, contacts: list[str]) -> dict[str, str]:
    """Channel kind -> a handle the contacts' identities have on it (replies go there)."""
    i = identities.c
    q = (
        sa.select(i.channel_kind, sa.func.min(i.handle))
        .where(i.tenant == tenant, i.contact_id.in_(contacts), i.handle != "")
        .group_by(i.channel_kind)
    )
    return dict((kind, handle) for kind, handle in await conn.execute(q))


async def agent_names(conn: AsyncConnection, tenant: str, ids: set[str]) -> dict[str, str]:
    """Agent id -> name, for the ids that are agents of the tenant."""
    if not ids:
        return {}
    a = agents.c
    q = sa.select(a.agent_id, a.name).where(a.tenant == tenant, a.agent_id.in_(sorted(ids)))
    return dict((agent_id, name) for agent_id, name in await conn.execute(q))
