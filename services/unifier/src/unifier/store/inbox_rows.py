"""The conversation list's SQL: one page of threads in a view, newest first, keyset-paged on
(last_message_at, thread_id), with what each row shows (assignee name, unread count for the
asking agent, channels, last message, labels).

The page reads ``threads`` only through ``(tenant, last_message_at)`` order; the per-row extras
are read for the page's ids alone, so a page costs the same on the first page and the
thousandth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.call_views import needs_callback
from unifier.store.dialect import when
from unifier.store.inbox_search import text_match, walks
from unifier.store.schema import TS, messages, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_workspace import labels, reads, thread_labels

Row = dict[str, Any]
View = Literal["mine", "unassigned", "all"]
Status = Literal["open", "closed", "snoozed"]
Sort = Literal["recent", "due"]
_t, _m = threads.c, messages.c
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # "due" order: conversations without a due time last


@dataclass(frozen=True)
class Key:
    """Where a page ends: the last row's (last_message_at, thread_id); in "due" order its
    (due time, thread_id)."""

    at: datetime
    thread_id: str


@dataclass(frozen=True)
class ListQuery:
    tenant: str
    agent_id: str  # the asking agent: "mine" and the unread counts are theirs
    now: datetime
    view: View = "all"
    status: Status | None = None  # None: every status
    channel: str | None = None
    label: str | None = None
    assignee: str | None = None
    contacts: list[str] | None = None  # a contact and those merged into it
    text: str | None = None
    needs_callback: bool = False  # only conversations waiting for a call back
    sort: Sort = "recent"  # "due": the earliest SLA due time first
    after: Key | None = None
    limit: int = 50


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    next: Key | None = None  # None: this is the last page


async def page(conn: AsyncConnection, q: ListQuery) -> Page:
    walk = bool(q.text) and await walks(conn, q.tenant, q.text or "")
    found = [dict(r._mapping) for r in await conn.execute(_select(q, walk))]
    rows = found[: q.limit]
    last = rows[-1] if len(found) > q.limit else None
    await _add_extras(conn, q.tenant, rows)
    return Page(rows, _key(q, last) if last else None)


def _key(q: ListQuery, last: Row) -> Key:
    if q.sort == "due":
        return Key(when(last["sla_due_at"]) if last["sla_due_at"] else NO_DUE, last["thread_id"])
    return Key(when(last["last_message_at"]), last["thread_id"])


def _due() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(_t.sla_due_at, sa.literal(NO_DUE, TS))


def _select(q: ListQuery, walk: bool = False) -> sa.Select[Any]:
    """The page's threads (one more, to know whether another page follows) with the assignee's
    name and the asking agent's unread count; ``walk``: the text search probes thread by
    thread, newest first (``inbox_search.walks``)."""
    rd, ag = reads.alias("rd"), agents.alias("ag")
    mine = sa.and_(
        rd.c.tenant == _t.tenant, rd.c.thread_id == _t.thread_id, rd.c.agent_id == q.agent_id
    )
    named = sa.and_(ag.c.tenant == _t.tenant, ag.c.agent_id == _t.assignee)
    unread = _t.message_count - sa.func.coalesce(rd.c.seen_count, 0)
    return (
        sa.select(
            threads,
            ag.c.name.label("assignee_name"),
            unread.label("unread"),
            needs_callback().label("needs_callback"),
        )
        .select_from(threads.outerjoin(rd, mine).outerjoin(ag, named))
        .where(_t.tenant == q.tenant, _t.merged_into.is_(None), *_filters(q, walk))
        .order_by(*_order(q))
        .limit(q.limit + 1)
    )


def _order(q: ListQuery) -> list[sa.ColumnElement[Any]]:
    if q.sort == "due":
        return [_due().asc(), _t.thread_id.asc()]
    return [_t.last_message_at.desc(), _t.thread_id.desc()]


def _filters(q: ListQuery, walk: bool) -> list[sa.ColumnElement[bool]]:
    out = [*_view(q), *_status(q.status, q.now)]
    if q.assignee:
        out.append(_t.assignee == q.assignee)
    if q.needs_callback:
        out.append(needs_callback())
    if q.contacts is not None:
        out.append(_t.contact_id.in_(q.contacts))
    if q.channel:
        out.append(_has_message(_m.channel_kind == q.channel))
    if q.label:
        tl = thread_labels.c
        labelled = sa.select(tl.thread_id).where(
            tl.tenant == _t.tenant, tl.thread_id == _t.thread_id, tl.label == q.label
        )
        out.append(labelled.exists())
    if q.text:
        matching = text_match(_m.text, q.text)
        out.append(_probe(matching) if walk else _has_message(matching))
    if q.after:  # a row comparison: the index range starts at the key (an OR would not)
        key = sa.tuple_(sa.literal(q.after.at, TS), q.after.thread_id)
        if q.sort == "due":
            out.append(sa.tuple_(_due(), _t.thread_id) > key)
        else:
            out.append(sa.tuple_(_t.last_message_at, _t.thread_id) < key)
    return out


def _view(q: ListQuery) -> list[sa.ColumnElement[bool]]:
    if q.view == "mine":
        return [_t.assignee == q.agent_id]
    if q.view == "unassigned":
        return [_t.assignee.is_(None)]
    return []


def _status(status: Status | None, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Snoozed: open with ``snoozed_until`` still ahead; hidden from "open" until then."""
    awake = sa.or_(_t.snoozed_until.is_(None), _t.snoozed_until <= now)
    if status == "open":
        return [_t.open.is_(True), awake]
    if status == "snoozed":
        return [_t.open.is_(True), _t.snoozed_until > now]
    if status == "closed":
        return [_t.open.is_(False)]
    return []


def _has_message(cond: sa.ColumnElement[bool]) -> sa.Exists:
    return (
        sa.select(_m.message_id)
        .where(_m.tenant == _t.tenant, _m.thread_id == _t.thread_id, cond)
        .exists()
    )


def _probe(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """A message matches, asked per thread: a correlated subquery with LIMIT is never turned
    into a join, so the threads are walked in the list's order."""
    one = sa.select(sa.literal(1)).where(_m.tenant == _t.tenant, _m.thread_id == _t.thread_id)
    return one.where(cond).limit(1).scalar_subquery().is_not(None)


async def _add_extras(conn: AsyncConnection, tenant: str, rows: list[Row]) -> None:
    """``channels``, ``last`` (the newest message) and ``labels`` of each row."""
    ids = [r["thread_id"] for r in rows]
    channels = await _channels(conn, tenant, ids)
    last = await _last_messages(conn, tenant, ids)
    labels = await _labels(conn, tenant, ids)
    for r in rows:
        tid = r["thread_id"]
        r["channels"] = channels.get(tid, [r["channel_kind"]])
        r["last"] = last.get(tid)
        r["labels"] = labels.get(tid, [])


async def _channels(conn: AsyncConnection, tenant: str, ids: list[str]) -> dict[str, list[str]]:
    if not ids:
        return {}
    q = (
        sa.select(_m.thread_id, _m.channel_kind)
        .where(_m.tenant == tenant, _m.thread_id.in_(ids))
        .group_by(_m.thread_id, _m.channel_kind)
        .order_by(_m.thread_id, _m.channel_kind)
    )
    out: dict[str, list[str]] = {}
    for tid, kind in await conn.execute(q):
        out.setdefault(tid, []).append(kind)
    return out


async def _last_messages(conn: AsyncConnection, tenant: str, ids: list[str]) -> dict[str, Row]:
    """Each thread's newest message (inbound or outbound): text, direction, deleted, sender."""
    if not ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(partition_by=_m.thread_id, order_by=(_m.at.desc(), _m.message_id.desc()))
        .label("rank")
    )
    cols = (_m.thread_id, _m.text, _m.direction, _m.deleted, _m.author, _m.channel_kind, _m.at)
    ranked = sa.select(*cols, rank).where(_m.tenant == tenant, _m.thread_id.in_(ids)).subquery()
    q = sa.select(*(ranked.c[c.name] for c in cols)).where(ranked.c.rank == 1)
    return {r.thread_id: dict(r._mapping) for r in await conn.execute(q)}


async def _labels(conn: AsyncConnection, tenant: str, ids: list[str]) -> dict[str, list[str]]:
    if not ids:
        return {}
    tl = thread_labels.c
    q = (
        sa.select(tl.thread_id, tl.label)
        .where(tl.tenant == tenant, tl.thread_id.in_(ids))
        .order_by(tl.thread_id, tl.label)
    )
    out: dict[str, list[str]] = {}
    for tid, label in await conn.execute(q):
        out.setdefault(tid, []).append(label)
    return out


async def choices(conn: AsyncConnection, tenant: str) -> dict[str, list[tuple[str, str]]]:
    """What the filters offer: the tenant's agents (id, name) and labels (label, label)."""
    a, lb, tl = agents.c, labels, thread_labels.c
    people = await conn.execute(
        sa.select(a.agent_id, a.name)
        .where(a.tenant == tenant, a.disabled_at.is_(None))
        .order_by(a.name)
    )
    used = sa.select(tl.label).where(tl.tenant == tenant)
    names = await conn.execute(
        sa.select(lb.c.label).where(lb.c.tenant == tenant).union(used).order_by("label")
    )
    return {
        "agents": [(r.agent_id, r.name) for r in people],
        "labels": [(r[0], r[0]) for r in names],
    }
