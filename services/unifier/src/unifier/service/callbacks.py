""" "Call back": an agent records that the customer will be called (an outbound call intent,
``conversation.callback.requested.v1`` on the unified stream for the telephony side: dialling
stays with the provider). The conversation no longer needs a callback from now on; a missed
call after this marks it again.

The number is the caller of the conversation's latest call, else a phone of its contact (and
the contacts merged into it); without either there is nothing to call (422).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.service import activity
from unifier.service.commands import CommandError, known
from unifier.store import call_rows, call_views, thread_rows
from unifier.store.queries import members
from unifier.store.write import write_outbox

MAX_NOTE = 2_000


async def request_callback(
    conn: AsyncConnection, tenant: str, tid: str, by: str, note: str | None = None
) -> un.ConversationCallbackRequested:
    if note is not None and len(note) > MAX_NOTE:
        raise CommandError(422, "too_long", f"a callback note has at most {MAX_NOTE:,} characters")
    head = known(await thread_rows.head(conn, tenant, tid), f"conversation {tid}")
    now = datetime.now(UTC)
    event = un.ConversationCallbackRequested(
        event_id=str(uuid.uuid4()),
        tenant=tenant,
        occurred_at=now,
        conversation_id=tid,
        callback_id=str(uuid.uuid4()),
        requested_by=by,
        number="",
        note=note or None,
    )
    call = await call_views.latest_call(conn, tenant, tid)
    if call is not None:
        event.number, event.channel, event.call_id = call.caller, call.channel, call.call_id
    else:
        event.number = await _contact_phone(conn, tenant, head.contact_id or "")
    await call_rows.mark_callbacks(conn, tenant, {tid: (None, now)})
    await activity.record(
        conn, tenant, tid, "callback_requested", by, now, number=event.number, reason=note or ""
    )
    await write_outbox(conn, [event])
    return event


async def _contact_phone(conn: AsyncConnection, tenant: str, contact_id: str) -> str:
    phones = await call_views.phones(conn, tenant, await members(conn, tenant, contact_id))
    if not phones:
        raise CommandError(422, "no_number", "the customer has no phone number to call back")
    return phones[0]
