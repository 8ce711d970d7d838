"""Call records and the threads' callback marks: a stored record as the domain folds it (a
batch loads them in ``load``), write a plan's (``schema_calls``; the read side is
``call_views``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain.call_unify import call_message_id
from unifier.domain.working import Plan, WorkingSet
from unifier.store.dialect import upsert, when
from unifier.store.schema import threads
from unifier.store.schema_calls import calls

FIELDS = tuple(c.name for c in calls.columns if c.name not in ("tenant",))
_LISTS = msgspec.json.Decoder(list[un.CallRecordingInfo])
_TEXTS = msgspec.json.Decoder(list[un.CallTranscriptInfo])
_VOICEMAIL = msgspec.json.Decoder(un.CallVoicemailInfo | None)


def record_of(row: Any) -> un.CallRecord:
    """A stored call as the domain folds it."""
    r = row._mapping
    return un.CallRecord(
        call_id=r["call_id"],
        channel=ev.ChannelRef(kind=r["channel_kind"], account_id=r["account_id"]),
        direction=r["direction"],
        caller=r["caller"],
        line=r["line"],
        status=r["status"],
        outcome=r["outcome"],
        started_at=at_or_none(r["started_at"]),
        answered_at=at_or_none(r["answered_at"]),
        ended_at=at_or_none(r["ended_at"]),
        answered_by=r["answered_by"],
        duration_s=r["duration_s"],
        talk_s=r["talk_s"],
        wait_s=r["wait_s"],
        cause=r["cause"],
        queue=r["queue"],
        ivr_selection=r["ivr_selection"],
        recordings=_LISTS.decode(r["recordings"]),
        transcripts=_TEXTS.decode(r["transcripts"]),
        voicemail=_VOICEMAIL.decode(r["voicemail"] or "null"),
        needs_callback=bool(r["needs_callback"]),
    )


def at_or_none(value: datetime | str | None) -> datetime | None:
    return when(value) if value is not None else None


def row_of(tenant: str, message_id: str, record: un.CallRecord) -> dict[str, Any]:
    scalars = msgspec.structs.asdict(record)
    for name in ("channel", "recordings", "transcripts", "voicemail"):
        scalars.pop(name)
    for name, value in scalars.items():  # provider text past a column's size is cut, not
        limit = getattr(calls.c[name].type, "length", None)  # a failed (stalled) batch
        if isinstance(value, str) and limit and len(value) > limit:
            scalars[name] = value[:limit]
    return {
        **scalars,
        "tenant": tenant,
        "channel_kind": record.channel.kind,
        "account_id": record.channel.account_id,
        "message_id": message_id,
        "recordings": msgspec.json.encode(record.recordings).decode(),
        "transcripts": msgspec.json.encode(record.transcripts).decode(),
        "voicemail": msgspec.json.encode(record.voicemail).decode() if record.voicemail else None,
    }


async def write_calls(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    rows = []
    for call_id in sorted(plan.calls):
        record = ws.calls[call_id]
        item = call_message_id(ws.tenant, record.channel.kind, call_id)
        rows.append(row_of(ws.tenant, item, record))
    await upsert(conn, calls, rows, [f for f in FIELDS if f not in ("call_id", "message_id")])
    await mark_callbacks(conn, ws.tenant, plan.callbacks)


async def mark_callbacks(
    conn: AsyncConnection,
    tenant: str,
    marks: dict[str, tuple[datetime | None, datetime | None]],
) -> None:
    """Keep the latest due and done time per thread (order-free: a late event moves nothing
    back). A handful of threads per batch: one statement each."""
    t = threads.c
    for tid, (due, done) in sorted(marks.items()):
        values = {
            col.name: _latest(col, at)
            for col, at in ((t.callback_due_at, due), (t.callback_done_at, done))
            if at is not None
        }
        if values:
            await conn.execute(
                threads.update().where(t.tenant == tenant, t.thread_id == tid).values(values)
            )


def _latest(column: sa.Column[Any], at: datetime) -> sa.ColumnElement[Any]:
    given = sa.literal(at, type_=column.type)
    return sa.case((sa.or_(column.is_(None), column < given), given), else_=column)
