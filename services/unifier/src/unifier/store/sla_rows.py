"""The rows SLA reads and writes per conversation: what its clocks are computed from (thread,
messages, activity, labels, stored cycles) and what they leave (clocks, the thread's SLA
columns). Loaded for many threads at once (``IN`` lists, chunked)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.sla_facts import Done, Said
from unifier.store.bulk import execute_rows
from unifier.store.dialect import chunks, insert_ignore, upsert, when
from unifier.store.schema import messages, threads
from unifier.store.schema_assignment import team_inboxes
from unifier.store.schema_sla import sla_clocks, sla_cycles
from unifier.store.schema_workspace import activity, thread_labels

_t, _m, _a, _l = threads.c, messages.c, activity.c, thread_labels.c
_cy, _ck = sla_cycles.c, sla_clocks.c
FACT_KINDS = (
    "closed",
    "reopened",
    "reopened_by_message",
    "waiting",
    "waiting_ended",
    "snoozed",
    "unsnoozed",
    "woken",
)


class Head(NamedTuple):
    thread_id: str
    open: bool
    contact_id: str
    channel_kind: str
    assignee: str | None
    priority: str | None
    waiting_since: datetime | None
    sla_status: str | None
    sla_next_at: datetime | None


class Stored(NamedTuple):
    """A stored clock: what was already emitted for it."""

    state: str
    due_at: datetime | None
    emitted: frozenset[str]
    policy: str = ""


Key = tuple[int, str, int]  # cycle, target, n


def _opt(value: Any) -> datetime | None:
    return None if value is None else when(value)


async def heads(
    conn: AsyncConnection, tenant: str, tids: Sequence[str], *, lock: bool = False
) -> dict[str, Head]:
    """The threads' heads. ``lock``: hold their rows until the transaction ends (PostgreSQL,
    in thread id order), so a writer's recompute of a thread waits for another's; a read-only
    view passes False and locks nothing."""
    cols = (_t.thread_id, _t.open, _t.contact_id, _t.channel_kind, _t.assignee, _t.priority)
    more = (_t.waiting_since, _t.sla_status, _t.sla_next_at)
    out: dict[str, Head] = {}
    for part in chunks(list(tids)):
        q = (
            sa.select(*cols, *more)
            .where(_t.tenant == tenant, _t.thread_id.in_(part))
            .order_by(_t.thread_id)
        )
        for r in await conn.execute(q.with_for_update() if lock else q):
            out[r.thread_id] = Head(
                *r[:6], _opt(r.waiting_since), r.sla_status, _opt(r.sla_next_at)
            )
    return out


async def waiting(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, datetime]:
    """The threads among ``tids`` that wait on the customer, and since when."""
    out: dict[str, datetime] = {}
    for part in chunks(list(tids)):
        q = sa.select(_t.thread_id, _t.waiting_since).where(
            _t.tenant == tenant, _t.thread_id.in_(part), _t.waiting_since.is_not(None)
        )
        out |= {r.thread_id: when(r.waiting_since) for r in await conn.execute(q)}
    return out


async def said(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, list[Said]]:
    out: dict[str, list[Said]] = defaultdict(list)
    cols = (_m.thread_id, _m.at, _m.role, _m.direction, _m.status)
    for part in chunks(list(tids)):
        q = sa.select(*cols).where(_m.tenant == tenant, _m.thread_id.in_(part))
        for r in await conn.execute(q):
            out[r.thread_id].append(Said(when(r.at), r.role, r.direction, r.status))
    return out


async def done(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, list[Done]]:
    out: dict[str, list[Done]] = defaultdict(list)
    for part in chunks(list(tids)):
        q = sa.select(_a.thread_id, _a.at, _a.kind, _a.detail).where(
            _a.tenant == tenant, _a.thread_id.in_(part), _a.kind.in_(FACT_KINDS)
        )
        for r in await conn.execute(q):
            out[r.thread_id].append(Done(when(r.at), r.kind, json.loads(r.detail)))
    return out


async def labels(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for part in chunks(list(tids)):
        q = sa.select(_l.thread_id, _l.label).where(_l.tenant == tenant, _l.thread_id.in_(part))
        for r in await conn.execute(q):
            out[r.thread_id].add(r.label)
    return out


async def accounts(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> dict[str, str]:
    """The account (inbox) each thread's customer messages came to: its team's inbox."""
    out: dict[str, str] = {}
    for part in chunks(list(tids)):
        q = (
            sa.select(_m.thread_id, sa.func.min(_m.account_id).label("account"))
            .where(_m.tenant == tenant, _m.thread_id.in_(part), _m.direction == "inbound")
            .group_by(_m.thread_id)
        )
        out |= {r.thread_id: r.account for r in await conn.execute(q)}
    return out


async def inboxes(conn: AsyncConnection, tenant: str) -> list[tuple[str, str, str]]:
    c = team_inboxes.c
    q = sa.select(c.team_id, c.channel_kind, c.account_id).where(c.tenant == tenant)
    return [(r.team_id, r.channel_kind, r.account_id) for r in await conn.execute(q)]


async def cycles(
    conn: AsyncConnection, tenant: str, tids: Sequence[str]
) -> dict[str, dict[int, str]]:
    """Per thread, each stored cycle's policy spec (JSON, "" for none)."""
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for part in chunks(list(tids)):
        q = sa.select(_cy.thread_id, _cy.cycle, _cy.spec).where(
            _cy.tenant == tenant, _cy.thread_id.in_(part)
        )
        for r in await conn.execute(q):
            out[r.thread_id][r.cycle] = r.spec
    return out


async def stored_clocks(
    conn: AsyncConnection, tenant: str, tids: Sequence[str]
) -> dict[str, dict[Key, Stored]]:
    out: dict[str, dict[Key, Stored]] = defaultdict(dict)
    cols = (_ck.thread_id, _ck.cycle, _ck.target, _ck.n, _ck.state, _ck.due_at)
    more = (_ck.emitted, _ck.policy)
    for part in chunks(list(tids)):
        q = sa.select(*cols, *more).where(_ck.tenant == tenant, _ck.thread_id.in_(part))
        for r in await conn.execute(q):
            emitted = frozenset(filter(None, r.emitted.split(",")))
            found = Stored(r.state, _opt(r.due_at), emitted, r.policy)
            out[r.thread_id][(r.cycle, r.target, r.n)] = found
    return out


async def add_cycles(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await insert_ignore(conn, sla_cycles, rows)


async def drop_cycles_from(conn: AsyncConnection, tenant: str, tid: str, cycle: int) -> None:
    """Forget the policy of cycle ``cycle`` and later (a recompute applies the current one)."""
    where = sa.and_(_cy.tenant == tenant, _cy.thread_id == tid, _cy.cycle >= cycle)
    await conn.execute(sa.delete(sla_cycles).where(where))


CLOCK_COLUMNS = ["policy", "state", "due_at", "warn_at", "warned_at", "ended_at", "emitted"]


async def put_clocks(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await upsert(conn, sla_clocks, rows, [*CLOCK_COLUMNS, "started_at", "updated_at"])


def _sla_columns() -> sa.Update:
    where = sa.and_(_t.tenant == sa.bindparam("b_tenant"), _t.thread_id == sa.bindparam("b_tid"))
    return (
        threads.update()
        .where(where)
        .values(
            sla_due_at=sa.bindparam("b_due"),
            sla_status=sa.bindparam("b_status"),
            sla_next_at=sa.bindparam("b_next"),
        )
    )


async def set_sla_columns(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Many threads' SLA columns in one executemany: rows of ``b_tenant``, ``b_tid``,
    ``b_due`` (``sla_due_at``), ``b_status``, ``b_next`` (``sla_next_at``)."""
    await execute_rows(conn, "update:threads:sla", _sla_columns, rows)


async def set_thread(conn: AsyncConnection, tenant: str, tid: str, values: dict[str, Any]) -> None:
    """The thread's SLA columns (``sla_due_at``, ``sla_status``, ``sla_next_at``, ...)."""
    where = sa.and_(_t.tenant == tenant, _t.thread_id == tid)
    await conn.execute(sa.update(threads).where(where).values(**values))
