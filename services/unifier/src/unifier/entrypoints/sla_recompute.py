"""Recompute the SLA clocks of every open conversation under the current policies (after a
policy or calendar change): a shadow run that reports what would change (due times, states,
policies, the events that would go out), writing nothing; with ``apply`` the same, written (the
open cycle takes the current first match; closed cycles keep theirs, so resolved conversations
are not looked at; events already out are not sent again, an outcome once out is never taken
back). One transaction per tenant with policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service import sla_refresh
from unifier.service.sla_view import ThreadSla
from unifier.store import sla_due_rows, sla_rows
from unifier.store.engine import create_engine


@dataclass
class Report:
    applied: bool
    threads: int = 0
    changed: int = 0  # threads with a clock whose state, due time or policy would change
    events: int = 0  # events that would go out (or went out, applied)
    examples: list[dict[str, Any]] = field(default_factory=list)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def changes(p: ThreadSla) -> list[dict[str, Any]]:
    """The thread's clocks that differ from the stored ones."""
    out = []
    for c in p.clocks:
        old = p.stored.get((c.cycle, c.target, c.n))
        before = (old.state, old.due_at, old.policy) if old else (None, None, None)
        if before != (c.state, c.due_at, c.policy):
            out.append(
                {
                    "conversation": p.head.thread_id,
                    "clock": f"{c.cycle}/{c.target}/{c.n}",
                    "policy": [before[2], c.policy],
                    "state": [before[0], c.state],
                    "due_at": [_iso(before[1]), _iso(c.due_at)],
                }
            )
    return out


async def recompute_tenant(
    conn: AsyncConnection, tenant: str, tids: list[str], now: datetime, apply: bool
) -> list[ThreadSla]:
    plans = await sla_refresh.plan(conn, tenant, tids, now, lock=apply, fresh=True)
    if apply:
        for p in plans:
            stored = [k[0] for k in p.stored]
            if p.head.open and stored:
                await sla_rows.drop_cycles_from(conn, tenant, p.head.thread_id, max(stored))
        await sla_refresh.apply(conn, plans, now)
    return plans


async def recompute(dsn: str, tenant: str | None, *, apply: bool, examples: int = 10) -> Report:
    engine = create_engine(dsn)
    report, now = Report(apply), datetime.now(UTC)
    try:
        async with engine.connect() as conn:
            pairs = await sla_due_rows.threads_of(conn, tenant)
        for t, group in groupby(pairs, key=lambda p: p[0]):
            async with engine.begin() as conn:
                plans = await recompute_tenant(conn, t, [tid for _, tid in group], now, apply)
                if not apply:
                    await conn.rollback()
            _count(report, plans, examples)
    finally:
        await engine.dispose()
    return report


def _count(report: Report, plans: list[ThreadSla], examples: int) -> None:
    for p in plans:
        report.threads += 1
        found = changes(p)
        report.changed += bool(found)
        report.events += len(p.events)
        report.examples += found[: max(examples - len(report.examples), 0)]
        for e in p.events[: max(examples - len(report.examples), 0)]:
            clock = f"{e.cycle}/{e.target}/{e.n}"
            report.examples.append(
                {"conversation": e.conversation, "clock": clock, "event": e.kind, "at": _iso(e.at)}
            )
