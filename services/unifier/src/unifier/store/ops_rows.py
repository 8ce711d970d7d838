"""The operations report's facts (``unifier.domain.ops_report``): the conversations opened in
the window one by one, those opened before it counted (backlog, callbacks owed), and the missed
calls started in it.

Bounded: the conversations opened in the window by the ``(tenant, opened_at)`` index (migration
0021); those opened before it from the open working set (open now, closed after the window,
owing a call back), counted in SQL per channel kind, inbox and agent. Per conversation, its
inbox (the account of its first message), the first customer message and the first reply (with
its author) come from ``(tenant, thread_id, at)`` of messages, its closes and reopens from that
of the activity. Merged-away threads are left out (their messages moved on). Missed calls by
``(tenant, started_at)`` of calls (0021).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.ops_report import Carried, Conversation, MissedCall
from unifier.store.call_views import needs_callback, not_a_call
from unifier.store.dialect import when
from unifier.store.schema import messages, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_calls import calls
from unifier.store.schema_workspace import activity

_t = threads.c


def _first(
    role: str, m: sa.FromClause, after: sa.ColumnElement[datetime] | None
) -> sa.Label[datetime]:
    """The conversation's first written (no call) message of ``role``, at or after ``after``."""
    cond = [m.c.tenant == _t.tenant, m.c.thread_id == _t.thread_id, m.c.role == role, not_a_call(m)]
    if after is not None:
        cond.append(m.c.at >= after)
    first = sa.select(sa.func.min(m.c.at)).where(*cond).correlate(threads)
    return first.scalar_subquery().label(f"first_{role}")


def _first_of(m: sa.FromClause, column: str, *cond: sa.ColumnElement[bool]) -> sa.ScalarSelect[str]:
    """``column`` of the conversation's earliest message (that meets ``cond``)."""
    at = sa.and_(m.c.tenant == _t.tenant, m.c.thread_id == _t.thread_id, *cond)
    return sa.select(m.c[column]).where(at).order_by(m.c.at).limit(1).scalar_subquery()


def _replier() -> sa.ScalarSelect[str]:
    """The agent of the earliest written reply an agent (not an API token) sent."""
    m, a = messages.alias("m_author"), agents.c
    agent = sa.select(a.agent_id).where(a.tenant == m.c.tenant, a.agent_id == m.c.author)
    return _first_of(m, "author", m.c.role == "agent", not_a_call(m), sa.exists(agent))


def _recorded(kind: str) -> sa.ColumnElement[bool]:
    a = activity.c
    return sa.exists().where(a.tenant == _t.tenant, a.thread_id == _t.thread_id, a.kind == kind)


def _carried_ids(tenant: str, end: datetime) -> sa.CompoundSelect[Any]:
    """The threads that may be open at the window's end or owe a call back, each part found by
    an index: open (ix_threads_open_assignee), closed after the end (ix_threads_closed), ever
    owed a call back (ix_threads_callback_due)."""

    def ids(*cond: sa.ColumnElement[bool]) -> sa.Select[Any]:
        return sa.select(_t.thread_id).where(_t.tenant == tenant, *cond)

    return sa.union(
        ids(_t.open == sa.true()),
        ids(_t.closed_at >= end),
        ids(_t.callback_due_at.is_not(None)),
    )


def _flag(cond: sa.ColumnElement[bool]) -> sa.Case[int]:
    return sa.case((cond, 1), else_=0)


def carried_query(tenant: str, start: datetime, end: datetime) -> sa.Select[Any]:
    """The conversations opened before the window, counted per channel kind, inbox and agent:
    not closed by its end (backlog), owing a call back."""
    found = _carried_ids(tenant, end).subquery("carried_ids")
    at = sa.and_(_t.tenant == tenant, _t.thread_id == found.c.thread_id)
    each = (
        sa.select(
            _t.channel_kind.label("channel"),
            _first_of(messages.alias("m_inbox"), "account_id").label("account"),
            sa.func.coalesce(_t.assignee, _replier()).label("agent"),
            _flag(sa.or_(_t.open, _t.closed_at >= end)).label("backlog"),
            _flag(needs_callback()).label("owed"),
        )
        .select_from(found.join(threads, at))
        .where(_t.merged_into.is_(None), _t.opened_at < start)
        .subquery("each")
    )
    keys = (each.c.channel, each.c.account, each.c.agent)
    sums = (sa.func.sum(each.c.backlog).label("backlog"), sa.func.sum(each.c.owed).label("owed"))
    return sa.select(*keys, *sums).group_by(*keys)


async def carried(
    conn: AsyncConnection, tenant: str, start: datetime, end: datetime
) -> list[Carried]:
    rows = await conn.execute(carried_query(tenant, start, end))
    return [
        Carried(r.channel, r.account or "", r.agent, int(r.backlog), int(r.owed))
        for r in rows
        if r.backlog or r.owed
    ]


def conversations_query(tenant: str, start: datetime, end: datetime) -> sa.Select[Any]:
    customer = _first("customer", messages.alias("mc"), None)
    reply = _first("agent", messages, customer)
    return sa.select(
        _t.thread_id,
        _t.channel_kind,
        _first_of(messages.alias("m_inbox"), "account_id").label("account"),
        sa.func.coalesce(_t.assignee, _replier()).label("agent"),
        _t.opened_at,
        _t.closed_at,
        _t.open,
        customer,
        reply,
        _recorded("closed").label("closed"),
        _recorded("reopened").label("reopened"),
        needs_callback().label("owed"),
    ).where(
        _t.tenant == tenant,
        _t.opened_at >= start,
        _t.opened_at < end,  # ix_threads_opened
        _t.merged_into.is_(None),
    )


async def conversations(
    conn: AsyncConnection, tenant: str, start: datetime, end: datetime
) -> list[Conversation]:
    q = conversations_query(tenant, start, end)
    return [_conversation(r) for r in await conn.execute(q)]


def _conversation(r: sa.Row[tuple[object, ...]]) -> Conversation:
    closed_at = None if r.open or r.closed_at is None else when(r.closed_at)
    return Conversation(
        thread_id=r.thread_id,
        channel=r.channel_kind,
        account=r.account or "",
        agent=r.agent,
        opened_at=when(r.opened_at),
        closed_at=closed_at,
        first_customer_at=when(r.first_customer) if r.first_customer else None,
        first_reply_at=when(r.first_agent) if r.first_agent else None,
        closed=bool(r.closed) or closed_at is not None,
        reopened=bool(r.reopened),
        callback_owed=bool(r.owed),
    )


def missed_calls_query(tenant: str, start: datetime, end: datetime) -> sa.Select[Any]:
    c, m = calls.c, messages.c
    item = sa.and_(
        m.tenant == c.tenant, m.provider_message_id == c.call_id, m.channel_kind == c.channel_kind
    )
    return (
        sa.select(c.channel_kind, c.account_id, c.started_at, _t.assignee)
        .select_from(
            calls.join(messages, item).outerjoin(
                threads, sa.and_(_t.tenant == m.tenant, _t.thread_id == m.thread_id)
            )
        )
        .where(c.tenant == tenant, c.needs_callback, c.started_at >= start, c.started_at < end)
    )


async def missed_calls(
    conn: AsyncConnection, tenant: str, start: datetime, end: datetime
) -> list[MissedCall]:
    """Inbound calls started in the window that are owed a call back (missed), with the
    assignee of their conversation."""
    rows = await conn.execute(missed_calls_query(tenant, start, end))
    return [MissedCall(r.channel_kind, r.account_id, r.assignee, when(r.started_at)) for r in rows]
