"""Agent replies: reply.requested.v1 through the outbox, once per Idempotency-Key for 24 h."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline.topics import replies_topic_for
from unifier.domain.unify import reply_token
from unifier.service.commands import CommandError
from unifier.service.outbound import add_outbound
from unifier.store.dialect import when
from unifier.store.schema import messages, outbox, replies, threads


@dataclass(frozen=True)
class ReplyAsk:
    tenant: str
    conversation_id: str
    text: str
    agent: str
    idempotency_key: str | None = None
    channel: str | None = None  # a channel kind; default: the one the customer last used


async def stored_reply(
    conn: AsyncConnection, ask: ReplyAsk, window: timedelta
) -> dict[str, Any] | None:
    """The answer given to this Idempotency-Key within the window, if any."""
    if not ask.idempotency_key:
        return None
    r = replies.c
    row = (
        await conn.execute(
            sa.select(r.response, r.created_at).where(
                r.tenant == ask.tenant, r.idempotency_key == ask.idempotency_key
            )
        )
    ).first()
    if row is None:
        return None
    if when(row.created_at) < datetime.now(UTC) - window:
        await conn.execute(
            replies.delete().where(r.tenant == ask.tenant, r.idempotency_key == ask.idempotency_key)
        )
        return None
    answer: dict[str, Any] = json.loads(row.response)
    return answer


async def request_reply(conn: AsyncConnection, ask: ReplyAsk) -> dict[str, Any]:
    target = await _answered_message(conn, ask)
    hints = ev.decode(target.payload)
    assert isinstance(hints, ev.MessageReceived)
    reply_id = str(uuid.uuid4())
    channel = ev.ChannelRef(kind=target.channel_kind, account_id=target.account_id)
    event = ev.ReplyRequested(
        event_id=ev.event_id_for(ask.tenant, channel.kind, reply_id, "reply"),
        reply_id=reply_id,
        tenant=ask.tenant,
        channel=channel,
        conversation_id=ask.conversation_id,
        recipient=target.sender_handle,
        content=_content(hints, ask.text),
        requested_at=datetime.now(UTC),
        requested_by=ask.agent,
        thread=_thread_hints(hints, ask.conversation_id),
    )
    answer = {
        "reply_id": reply_id,
        "event_id": event.event_id,
        "channel": channel.kind,
        "recipient": target.sender_handle,
        "conversation_id": ask.conversation_id,
    }
    await conn.execute(
        sa.insert(replies).values(
            tenant=ask.tenant,
            idempotency_key=ask.idempotency_key or reply_id,
            reply_id=reply_id,
            conversation_id=ask.conversation_id,
            created_at=datetime.now(UTC),
            status="requested",
            response=json.dumps(answer),
        )
    )
    await add_outbound(conn, event, ask.text)
    await conn.execute(
        sa.insert(outbox).values(
            topic=replies_topic_for(channel.kind),
            key=ask.conversation_id.encode(),
            event_type="reply.requested.v1",
            event_id=event.event_id,
            payload=ev.encode(event),
        )
    )
    return answer


async def typing_event(conn: AsyncConnection, ask: ReplyAsk, on: bool) -> ev.AgentTyping:
    """agent.typing.v1 for the customer's channel address (ephemeral: published directly)."""
    target = await _answered_message(conn, ask)
    channel = ev.ChannelRef(kind=target.channel_kind, account_id=target.account_id)
    marker = f"{ask.conversation_id}:typing:{uuid.uuid4()}"
    return ev.AgentTyping(
        event_id=ev.event_id_for(ask.tenant, channel.kind, marker, "typing"),
        tenant=ask.tenant,
        channel=channel,
        conversation_id=ask.conversation_id,
        recipient=target.sender_handle,
        on=on,
        at=datetime.now(UTC),
    )


async def _answered_message(conn: AsyncConnection, ask: ReplyAsk) -> Any:
    t, m = threads.c, messages.c
    found = (
        await conn.execute(
            sa.select(t.thread_id).where(t.tenant == ask.tenant, t.thread_id == ask.conversation_id)
        )
    ).first()
    if found is None:
        raise CommandError(404, "not_found", f"conversation {ask.conversation_id}")
    q = sa.select(m.channel_kind, m.account_id, m.sender_handle, m.payload).where(
        m.tenant == ask.tenant, m.thread_id == ask.conversation_id, m.role == "customer"
    )
    if ask.channel:
        q = q.where(m.channel_kind == ask.channel)
    row = (await conn.execute(q.order_by(m.at.desc()).limit(1))).first()
    if row is None:
        raise CommandError(422, "no_recipient", "no customer message on that channel to answer")
    return row


def _content(msg: ev.MessageReceived, text: str) -> ev.Content:
    if isinstance(msg.content, ev.EmailContent):
        subject = msg.content.subject
        subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        return ev.EmailContent(subject=subject, text=text, visible_text=text)
    return ev.TextContent(text=text)


def _thread_hints(msg: ev.MessageReceived, conversation_id: str) -> ev.ThreadHints:
    h = msg.thread
    mid = [h.message_id] if h.message_id else []
    return ev.ThreadHints(
        in_reply_to=mid,
        references=[*h.references, *mid],
        reply_token=reply_token(conversation_id),
        chat_thread_id=h.chat_thread_id,
        provider_conversation_id=h.provider_conversation_id,
        replied_to_message_id=msg.provider_message_id,
    )
