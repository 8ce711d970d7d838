"""Call records and the threads' callback marks: load for a batch, write a plan's, read for a
thread (``schema_calls``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain.working import Plan, WorkingSet
from unifier.store.dialect import upsert, when
from unifier.store.schema import identities, messages, threads
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
        started_at=_at(r["started_at"]),
        answered_at=_at(r["answered_at"]),
        ended_at=_at(r["ended_at"]),
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


def _at(value: datetime | str | None) -> datetime | None:
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


async def load_calls(conn: AsyncConnection, ws: WorkingSet, call_ids: Iterable[str]) -> None:
    ids = sorted(set(call_ids))
    c = calls.c
    for part in (ids[i : i + 1000] for i in range(0, len(ids), 1000)):
        rows = await conn.execute(
            sa.select(calls).where(c.tenant == ws.tenant, c.call_id.in_(part))
        )
        ws.calls.update((r.call_id, record_of(r)) for r in rows)


async def write_calls(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    rows = []
    for call_id in sorted(plan.calls):
        record = ws.calls[call_id]
        state = ws.messages[(record.channel.kind, call_id)]
        rows.append(row_of(ws.tenant, state.message_id, record))
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


def not_a_call(m: sa.Table) -> sa.ColumnElement[bool]:
    """A ``messages`` row that is no call's item (something written: a reply can answer it)."""
    c = calls.c
    return ~sa.exists().where(
        c.tenant == m.c.tenant,
        c.call_id == m.c.provider_message_id,
        c.channel_kind == m.c.channel_kind,
    )


def needs_callback() -> sa.ColumnElement[bool]:
    """The thread's latest missed call is later than its latest answered call or call back."""
    t = threads.c
    return sa.and_(
        t.callback_due_at.is_not(None),
        sa.or_(t.callback_done_at.is_(None), t.callback_due_at > t.callback_done_at),
    )


async def thread_calls(
    conn: AsyncConnection, tenant: str, message_ids: Sequence[str]
) -> dict[str, un.CallRecord]:
    """Message id -> its call, for a thread's call items."""
    if not message_ids:
        return {}
    c = calls.c
    rows = await conn.execute(
        sa.select(calls).where(c.tenant == tenant, c.message_id.in_(sorted(message_ids)))
    )
    return {r.message_id: record_of(r) for r in rows}


async def add_calls(conn: AsyncConnection, tenant: str, thread: dict[str, Any]) -> None:
    """A thread as the API reads it: each call item's ``call`` (the record, JSON-ready; None on
    other messages) and the thread's ``needs_callback``."""
    found = await thread_calls(conn, tenant, [m["message_id"] for m in thread["messages"]])
    for m in thread["messages"]:
        record = found.get(m["message_id"])
        m["call"] = plain(record) if record else None
    due, done = (_at(thread.get(k)) for k in ("callback_due_at", "callback_done_at"))
    thread["needs_callback"] = due is not None and (done is None or due > done)


def plain(record: un.CallRecord) -> dict[str, Any]:
    """The record as JSON-ready data with every field (None and defaults included), so API
    clients always find the same keys."""
    asdict = msgspec.structs.asdict
    out = asdict(record)
    out["channel"] = asdict(record.channel)
    out["recordings"] = [asdict(r) for r in record.recordings]
    out["transcripts"] = [asdict(t) for t in record.transcripts]
    out["voicemail"] = asdict(record.voicemail) if record.voicemail else None
    found: dict[str, Any] = msgspec.to_builtins(out)
    return found


async def call_of_message(
    conn: AsyncConnection, tenant: str, message_id: str
) -> un.CallRecord | None:
    return (await thread_calls(conn, tenant, [message_id])).get(message_id)


async def latest_call(conn: AsyncConnection, tenant: str, tid: str) -> un.CallRecord | None:
    """The thread's most recent call (by its item's time)."""
    c, m = calls.c, messages.c
    row = (
        await conn.execute(
            sa.select(calls)
            .join(  # by the messages' primary key: the call's item is keyed by its call id
                messages,
                sa.and_(
                    m.tenant == c.tenant,
                    m.provider_message_id == c.call_id,
                    m.channel_kind == c.channel_kind,
                ),
            )
            .where(c.tenant == tenant, m.tenant == tenant, m.thread_id == tid)
            .order_by(m.at.desc(), c.call_id.desc())
            .limit(1)
        )
    ).first()
    return record_of(row) if row else None


async def phones(conn: AsyncConnection, tenant: str, contacts: list[str]) -> list[str]:
    """The contacts' phone numbers, the most trusted first (a linking level before a
    carrier-asserted one), then by number."""
    i = identities.c
    rows = await conn.execute(
        sa.select(i.value)
        .where(i.tenant == tenant, i.contact_id.in_(contacts), i.kind == "phone")
        .order_by(i.verified.desc(), i.value)
    )
    return list(dict.fromkeys(r.value for r in rows))
