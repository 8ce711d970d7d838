"""Waiting on the customer: an agent marks a conversation as waiting for the customer's answer
(its SLA clocks pause) or clears it; the customer's next message clears it by itself (the SLA
refresh in the consumer's transaction, :mod:`unifier.service.sla_refresh`). Each is a line in
the thread's activity (``waiting``, ``waiting_ended``), which the clocks are computed from, and
a ``conversation.waiting.v1`` through the outbox (:mod:`unifier.domain.waits`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.waits import waiting_event
from unifier.service import sla_refresh
from unifier.service.activity import record
from unifier.service.commands import CommandError, known
from unifier.store import sla_rows, thread_rows
from unifier.store.write import write_outbox


async def set_waiting(
    conn: AsyncConnection, tenant: str, tid: str, by: str, *, on: bool
) -> datetime | None:
    """Mark (``on``) or clear; the answer is the time it waits since (None: cleared)."""
    row = known(await thread_rows.head(conn, tenant, tid), f"conversation {tid}")
    if not row.open:
        raise CommandError(409, "closed", "a closed conversation does not wait; reopen it")
    heads = await sla_rows.heads(conn, tenant, [tid], lock=True)
    if (heads[tid].waiting_since is not None) == on:
        state = "already waiting" if on else "not waiting"
        raise CommandError(409, "waiting_unchanged", f"the conversation is {state}")
    now = datetime.now(UTC)
    since = heads[tid].waiting_since
    await sla_rows.set_thread(conn, tenant, tid, {"waiting_since": now if on else None})
    await record(conn, tenant, tid, "waiting" if on else "waiting_ended", by, now, reason="manual")
    await write_outbox(conn, [_event(tenant, tid, by, now, since)])
    await sla_refresh.refresh(conn, tenant, [tid], now)
    return now if on else None


def _event(
    tenant: str, tid: str, by: str, now: datetime, since: datetime | None
) -> un.ConversationWaiting:
    """The wait's start (``since`` None: it was not waiting) or the end of the one since."""
    if since is None:
        return waiting_event(tenant, tid, now, by=by)
    return waiting_event(tenant, tid, since, now, by)
