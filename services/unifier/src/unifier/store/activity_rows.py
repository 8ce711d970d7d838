"""The thread's activity rows: what agents and rules did to a conversation, with the reason
(assigned, labelled, snoozed, woken, closed, merged, split, ...), shown in the thread."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore, when
from unifier.store.schema_workspace import activity

_a = activity.c


def activity_row(
    tenant: str,
    activity_id: str,
    tid: str,
    at: datetime,
    kind: str,
    actor: str | None,
    detail: Mapping[str, Any],
) -> dict[str, Any]:
    """``actor``: an agent id, None for the system; ``detail`` (JSON) says why."""
    return {
        "tenant": tenant,
        "activity_id": activity_id,
        "thread_id": tid,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": json.dumps(dict(detail), sort_keys=True),
    }


async def add(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Written once: an activity id replayed (a consumer batch run again) is ignored."""
    await insert_ignore(conn, activity, rows)


async def of_thread(
    conn: AsyncConnection, tenant: str, tid: str, limit: int = 200
) -> list[dict[str, Any]]:
    """The thread's latest activity, oldest first."""
    q = (
        sa.select(_a.activity_id, _a.at, _a.kind, _a.actor, _a.detail)
        .where(_a.tenant == tenant, _a.thread_id == tid)
        .order_by(_a.at.desc(), _a.activity_id.desc())
        .limit(limit)
    )
    rows = [
        {
            "activity_id": r.activity_id,
            "at": when(r.at).isoformat(),
            "kind": r.kind,
            "actor": r.actor,
            "detail": json.loads(r.detail),
        }
        for r in await conn.execute(q)
    ]
    return rows[::-1]
