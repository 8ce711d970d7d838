"""Agent replies in the thread: stored as outbound messages when requested, then moved by the
channel's result (its provider message id, sent/failed/window_closed) and by the provider
statuses that were held because they came before that result."""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain.effects import advance, apply_effect
from unifier.domain.exchange import effect_events, placeholder_id, reply_status
from unifier.domain.working import MessageState, MsgKey
from unifier.store.load import message_state
from unifier.store.schema import held, messages
from unifier.store.write import write_outbox

log = logging.getLogger(__name__)
_m = messages.c
STATE_COLS = (
    _m.message_id,
    _m.thread_id,
    _m.text,
    _m.edited,
    _m.deleted,
    _m.reactions,
    _m.status,
    _m.reply_id,
    _m.status_detail,
    _m.history,
)


async def add_outbound(
    conn: AsyncConnection, request: ev.ReplyRequested, text: str
) -> un.ConversationReplyAdded:
    """The reply as a message of its thread (status ``requested``) and its unified event."""
    tenant, kind = request.tenant, request.channel.kind
    evidence = f"{request.requested_by} replied to {request.recipient}"
    await conn.execute(
        sa.insert(messages).values(
            message_id=request.reply_id,
            tenant=tenant,
            channel_kind=kind,
            provider_message_id=placeholder_id(request.reply_id),
            account_id=request.channel.account_id,
            thread_id=request.conversation_id,
            contact_id="",
            sender_handle=request.requested_by,
            role="agent",
            at=request.requested_at,
            text=text,
            edited=False,
            deleted=False,
            reactions="{}",
            status="requested",
            rule="reply.agent",
            evidence=evidence,
            rule_version="manual",
            payload=ev.encode(request),
            direction="outbound",
            author=request.requested_by,
            reply_id=request.reply_id,
        )
    )
    added = un.ConversationReplyAdded(
        event_id=un.unified_event_id(tenant, request.reply_id, "reply.added"),
        tenant=tenant,
        occurred_at=request.requested_at,
        conversation_id=request.conversation_id,
        message_id=request.reply_id,
        reply_id=request.reply_id,
        channel=request.channel,
        author=request.requested_by,
        recipient=request.recipient,
        content=request.content,
    )
    await write_outbox(conn, [added])
    return added


async def record_results(conn: AsyncConnection, tenant: str, results: list[ev.ReplyResult]) -> None:
    for r in results:
        await _result(conn, tenant, r)


async def _result(conn: AsyncConnection, tenant: str, r: ev.ReplyResult) -> None:
    placeholder = (r.channel.kind, placeholder_id(r.reply_id))
    state = await _state(conn, tenant, placeholder)
    if state is None:  # a redelivered result (the row has its provider id) or an older reply
        return
    key = await _final_key(conn, tenant, placeholder, r.provider_message_id)
    out: list[un.UnifiedEvent] = []
    if advance(state, r.status, r.reason or r.provider_code):
        out.append(reply_status(tenant, state, r.channel, key[1], r.event_id, r.completed_at))
    if key != placeholder:
        for effect in await _take_held(conn, tenant, key):
            out += effect_events(tenant, state, effect, apply_effect(state, effect))
    await _save(conn, tenant, placeholder, key[1], state)
    await write_outbox(conn, out)


async def _final_key(
    conn: AsyncConnection, tenant: str, placeholder: MsgKey, provider_id: str | None
) -> MsgKey:
    """The provider's id, unless a message with that id is already stored (a provider echo of
    this reply that came first): then the reply keeps its placeholder."""
    if not provider_id:
        return placeholder
    key = (placeholder[0], provider_id)
    if await _state(conn, tenant, key) is not None:
        log.warning("reply's provider id %s is already stored: kept its placeholder", key[1])
        return placeholder
    return key


async def _state(conn: AsyncConnection, tenant: str, key: MsgKey) -> MessageState | None:
    row = (
        await conn.execute(
            sa.select(*STATE_COLS).where(
                _m.tenant == tenant, _m.provider_message_id == key[1], _m.channel_kind == key[0]
            )
        )
    ).first()
    if row is None:
        return None
    return message_state(row)


async def _take_held(conn: AsyncConnection, tenant: str, key: MsgKey) -> list[ev.InboundEvent]:
    """The effects held for this provider id, in arrival order, removed from the hold."""
    h = held.c
    where = (h.tenant == tenant, h.channel_kind == key[0], h.target_id == key[1])
    rows = await conn.execute(sa.select(h.payload).where(*where).order_by(h.id))
    out: list[ev.InboundEvent] = []
    for (payload,) in rows:
        event = ev.decode(payload)
        if isinstance(
            event, ev.DeliveryStatus | ev.MessageEdited | ev.MessageDeleted | ev.Reaction
        ):
            out.append(event)
    await conn.execute(held.delete().where(*where))
    return out


async def _save(
    conn: AsyncConnection, tenant: str, old: MsgKey, provider_id: str, s: MessageState
) -> None:
    values: dict[str, Any] = {
        "provider_message_id": provider_id,
        "status": s.status,
        "status_detail": s.status_detail,
        "text": s.text,
        "edited": s.edited,
        "deleted": s.deleted,
        "reactions": json.dumps(s.reactions),
        "history": json.dumps(s.history) if s.history else None,
    }
    await conn.execute(
        messages.update()
        .where(_m.tenant == tenant, _m.provider_message_id == old[1], _m.channel_kind == old[0])
        .values(values)
    )
