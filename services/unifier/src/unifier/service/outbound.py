"""Agent replies in the thread: stored as outbound messages when requested, then moved by the
channel's result (its provider message id, sent/failed/window_closed) and by the provider
statuses that were held because they came before that result."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain.effects import advance, apply_effect
from unifier.domain.exchange import effect_events, placeholder_id, reply_status
from unifier.domain.working import MsgKey
from unifier.store import outbound_rows
from unifier.store.write import write_outbox

log = logging.getLogger(__name__)
HELD = (ev.DeliveryStatus, ev.MessageEdited, ev.MessageDeleted, ev.Reaction)


async def add_outbound(
    conn: AsyncConnection, request: ev.ReplyRequested, text: str
) -> un.ConversationReplyAdded:
    """The reply as a message of its thread (status ``requested``) and its unified event."""
    tenant, kind = request.tenant, request.channel.kind
    evidence = f"{request.requested_by} replied to {request.recipient}"
    await outbound_rows.add_message(
        conn,
        {
            "message_id": request.reply_id,
            "tenant": tenant,
            "channel_kind": kind,
            "provider_message_id": placeholder_id(request.reply_id),
            "account_id": request.channel.account_id,
            "thread_id": request.conversation_id,
            "contact_id": "",
            "sender_handle": request.requested_by,
            "role": "agent",
            "at": request.requested_at,
            "text": text,
            "edited": False,
            "deleted": False,
            "reactions": "{}",
            "status": "requested",
            "rule": "reply.agent",
            "evidence": evidence,
            "rule_version": "manual",
            "payload": ev.encode(request),
            "direction": "outbound",
            "author": request.requested_by,
            "reply_id": request.reply_id,
        },
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
    state = await outbound_rows.state_of(conn, tenant, placeholder)
    if state is None:  # a redelivered result (the row has its provider id) or an older reply
        return
    key = await _final_key(conn, tenant, placeholder, r.provider_message_id)
    out: list[un.UnifiedEvent] = []
    if advance(state, r.status, r.reason or r.provider_code):
        out.append(reply_status(tenant, state, r.channel, key[1], r.event_id, r.completed_at))
    if key != placeholder:
        for effect in await _take_held(conn, tenant, key):
            out += effect_events(tenant, state, effect, apply_effect(state, effect))
    await outbound_rows.save_state(conn, tenant, placeholder, key[1], state)
    await write_outbox(conn, out)


async def _final_key(
    conn: AsyncConnection, tenant: str, placeholder: MsgKey, provider_id: str | None
) -> MsgKey:
    """The provider's id, unless a message with that id is already stored (a provider echo of
    this reply that came first): then the reply keeps its placeholder."""
    if not provider_id:
        return placeholder
    key = (placeholder[0], provider_id)
    if await outbound_rows.state_of(conn, tenant, key) is not None:
        log.warning("reply's provider id %s is already stored: kept its placeholder", key[1])
        return placeholder
    return key


async def _take_held(conn: AsyncConnection, tenant: str, key: MsgKey) -> list[ev.InboundEvent]:
    """The effects held for this provider id, in arrival order, removed from the hold."""
    held = (ev.decode(payload) for payload in await outbound_rows.take_held(conn, tenant, key))
    return [event for event in held if isinstance(event, HELD)]
