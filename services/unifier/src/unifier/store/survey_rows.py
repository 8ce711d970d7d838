"""Survey rows (``schema_surveys``): asked, found by id or by the customer's open survey,
answered; and the thread's resolution count (its ``closed`` activity rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.domain.surveys import state as survey_state
from unifier.store.dialect import insert_ignore, when
from unifier.store.schema_surveys import survey_answers, surveys
from unifier.store.schema_workspace import activity

_s, _a = surveys.c, survey_answers.c


class Survey(NamedTuple):
    survey_id: str
    thread_id: str
    cycle: int
    channel_kind: ev.ChannelKind
    account_id: str
    recipient: str
    agent: str
    scale: int
    expires_at: datetime
    answers: int


_COLS = (
    _s.survey_id,
    _s.thread_id,
    _s.cycle,
    _s.channel_kind,
    _s.account_id,
    _s.recipient,
    _s.agent,
    _s.scale,
    _s.expires_at,
    _s.answers,
)


def _survey(row: Any) -> Survey:
    values = dict(row._mapping)
    return Survey(**{**values, "expires_at": when(values["expires_at"])})


async def add(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await insert_ignore(conn, surveys, [{**row, "answers": 0, "late_answers": 0}])


async def end_open(conn: AsyncConnection, tenant: str, tid: str, at: datetime) -> None:
    """The thread's surveys still open expire now: a newer resolution asks afresh."""
    q = surveys.update().where(_s.tenant == tenant, _s.thread_id == tid, _s.expires_at > at)
    await conn.execute(q.values(expires_at=at))


async def one(conn: AsyncConnection, tenant: str, survey_id: str) -> Survey | None:
    q = sa.select(*_COLS).where(_s.tenant == tenant, _s.survey_id == survey_id)
    row = (await conn.execute(q)).first()
    return None if row is None else _survey(row)


async def open_for(
    conn: AsyncConnection, tenant: str, kind: str, recipient: str, at: datetime
) -> Survey | None:
    """The customer's latest survey on this channel that has not expired at ``at``."""
    q = sa.select(*_COLS).where(
        _s.tenant == tenant,
        _s.channel_kind == kind,
        _s.recipient == recipient,
        _s.expires_at > at,
    )
    row = (await conn.execute(q.order_by(_s.asked_at.desc()).limit(1))).first()
    return None if row is None else _survey(row)


async def seen(conn: AsyncConnection, tenant: str, event_id: str) -> bool:
    q = sa.select(_a.event_id).where(_a.tenant == tenant, _a.event_id == event_id)
    return (await conn.execute(q)).first() is not None


async def add_answer(conn: AsyncConnection, tenant: str, row: dict[str, Any]) -> None:
    """The answer by its event, and the survey's current answer (accepted) or late count."""
    await conn.execute(sa.insert(survey_answers).values(tenant=tenant, **row))
    q = surveys.update().where(_s.tenant == tenant, _s.survey_id == row["survey_id"])
    if row["late"]:
        await conn.execute(q.values(late_answers=_s.late_answers + 1))
        return
    latest = {"score": row["score"], "answered_at": row["at"], "answers": _s.answers + 1}
    if row["comment"] is not None:  # a score alone keeps the comment given before
        latest["comment"] = row["comment"]
    await conn.execute(q.values(**latest))


async def resolutions(conn: AsyncConnection, tenant: str, tid: str) -> int:
    """How often the thread was closed (its ``closed`` activity rows)."""
    q = sa.select(sa.func.count()).where(
        activity.c.tenant == tenant, activity.c.thread_id == tid, activity.c.kind == "closed"
    )
    return int((await conn.execute(q)).scalar_one())


async def of_thread(
    conn: AsyncConnection, tenant: str, tid: str, now: datetime
) -> list[dict[str, Any]]:
    """The thread's surveys, newest first, as the API and the thread pane show them (with
    their ``state`` at ``now``)."""
    q = surveys.select().where(_s.tenant == tenant, _s.thread_id == tid)
    rows = await conn.execute(q.order_by(_s.asked_at.desc()))
    out = []
    for r in rows:
        row = dict(r._mapping)
        row.pop("tenant")
        row["state"] = survey_state(row["score"], when(row["expires_at"]), now)
        for name in ("asked_at", "expires_at", "answered_at"):
            row[name] = when(row[name]).isoformat() if row[name] is not None else None
        out.append(row)
    return out
