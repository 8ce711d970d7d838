"""Snooze a conversation until a time (hidden from the views until then) or wake it early.

A customer message wakes it too (the consumer clears ``snoozed_until`` in its thread update).
Each is an event (``conversation.snoozed.v1``) and a line in the thread's activity."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.snoozing import BadSnooze, check_until
from unifier.service import sla_refresh
from unifier.service.activity import record
from unifier.service.commands import CommandError, event_id, known
from unifier.store import thread_rows
from unifier.store.thread_rows import ThreadHead
from unifier.store.write import write_outbox


async def _open_thread(conn: AsyncConnection, tenant: str, tid: str) -> ThreadHead:
    row = known(await thread_rows.head(conn, tenant, tid), f"conversation {tid}")
    if not row.open:
        raise CommandError(409, "closed", "a closed conversation cannot be snoozed; reopen it")
    return row


async def snooze(
    conn: AsyncConnection, tenant: str, thread_id: str, by: str, until: datetime
) -> un.ConversationSnoozed:
    now = datetime.now(UTC)
    try:
        until = check_until(until, now)
    except BadSnooze as exc:
        raise CommandError(422, "bad_snooze", str(exc)) from None
    await _open_thread(conn, tenant, thread_id)
    return await _set(conn, tenant, thread_id, by, until, now)


async def unsnooze(
    conn: AsyncConnection, tenant: str, thread_id: str, by: str
) -> un.ConversationSnoozed:
    row = await _open_thread(conn, tenant, thread_id)
    now = datetime.now(UTC)
    if row.snoozed_until is None or row.snoozed_until <= now:
        raise CommandError(409, "not_snoozed", "the conversation is not snoozed")
    return await _set(conn, tenant, thread_id, by, None, now)


async def _set(
    conn: AsyncConnection,
    tenant: str,
    tid: str,
    by: str,
    until: datetime | None,
    now: datetime,
) -> un.ConversationSnoozed:
    await thread_rows.set_snooze(conn, tenant, tid, until)
    event = un.ConversationSnoozed(
        event_id=event_id(), tenant=tenant, occurred_at=now, conversation_id=tid, until=until, by=by
    )
    await write_outbox(conn, [event])
    if until is None:
        await record(conn, tenant, tid, "unsnoozed", by, now, reason="manual")
    else:
        await record(
            conn, tenant, tid, "snoozed", by, now, until=until.isoformat(), reason="manual"
        )
    await sla_refresh.refresh(conn, tenant, [tid], now)  # a snooze pauses the clocks
    return event
