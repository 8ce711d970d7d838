"""Agent replies: reply.requested.v1 through the outbox, once per Idempotency-Key for 24 h."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline.topics import replies_topic_for
from unifier.domain.unify import reply_token
from unifier.service import sla_refresh
from unifier.service.commands import CommandError
from unifier.service.outbound import add_outbound
from unifier.service.reply_files import reply_attachments
from unifier.service.template_replies import TEMPLATE_CHANNEL, TemplateAsk, template_text
from unifier.service.timeline import reachable_channel
from unifier.store import reply_rows, thread_rows
from unifier.store.reply_rows import Answered


@dataclass(frozen=True)
class ReplyAsk:
    tenant: str
    conversation_id: str
    text: str
    agent: str
    idempotency_key: str | None = None
    channel: str | None = None  # a channel kind; default: the one the customer last used
    template: TemplateAsk | None = None  # an approved WhatsApp template instead of free text
    attachments: tuple[str, ...] = ()  # blob refs this tenant uploaded (POST .../uploads)


async def stored_reply(
    conn: AsyncConnection, ask: ReplyAsk, window: timedelta
) -> dict[str, Any] | None:
    """The answer given to this Idempotency-Key within the window, if any."""
    if not ask.idempotency_key:
        return None
    stored = await reply_rows.stored_answer(conn, ask.tenant, ask.idempotency_key)
    if stored is None:
        return None
    answer, created_at = stored
    if created_at < datetime.now(UTC) - window:
        await reply_rows.forget_answer(conn, ask.tenant, ask.idempotency_key)
        return None
    return answer


async def request_reply(conn: AsyncConnection, ask: ReplyAsk) -> dict[str, Any]:
    target = await _answered_message(conn, ask)
    hints = ev.decode(target.payload)
    assert isinstance(hints, ev.MessageReceived)
    reply_id = str(uuid.uuid4())
    channel = ev.ChannelRef(kind=target.channel_kind, account_id=target.account_id)
    text, chosen = ask.text, ask.template
    if chosen is not None and ask.attachments:
        raise CommandError(422, "attachments_unsupported", "a template reply carries no files")
    files = await reply_attachments(conn, ask.tenant, channel.kind, ask.attachments)
    if chosen is not None:
        text = await template_text(conn, ask.tenant, channel.kind, channel.account_id, chosen)
    event = ev.ReplyRequested(
        event_id=ev.event_id_for(ask.tenant, channel.kind, reply_id, "reply"),
        reply_id=reply_id,
        tenant=ask.tenant,
        channel=channel,
        conversation_id=ask.conversation_id,
        recipient=target.sender_handle,
        content=reply_content(hints, text),
        requested_at=datetime.now(UTC),
        requested_by=ask.agent,
        thread=thread_hints(hints, ask.conversation_id),
        attachments=files,
        template=chosen.name if chosen else None,
        template_language=chosen.language if chosen else None,
        template_params=list(chosen.params) if chosen else [],
    )
    answer = {
        "reply_id": reply_id,
        "event_id": event.event_id,
        "channel": channel.kind,
        "recipient": target.sender_handle,
        "conversation_id": ask.conversation_id,
    }
    await reply_rows.add_request(
        conn,
        {
            "tenant": ask.tenant,
            "idempotency_key": ask.idempotency_key or reply_id,
            "reply_id": reply_id,
            "conversation_id": ask.conversation_id,
            "created_at": datetime.now(UTC),
            "status": "requested",
            "response": answer,
        },
    )
    await add_outbound(conn, event, text)
    await sla_refresh.refresh(conn, ask.tenant, [ask.conversation_id], datetime.now(UTC))
    await reply_rows.queue_request(conn, replies_topic_for(channel.kind), event)
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


async def _answered_message(conn: AsyncConnection, ask: ReplyAsk) -> Answered:
    if await thread_rows.head(conn, ask.tenant, ask.conversation_id) is None:
        raise CommandError(404, "not_found", f"conversation {ask.conversation_id}")
    channel = TEMPLATE_CHANNEL if ask.template is not None else ask.channel
    row = await reply_rows.answered(conn, ask.tenant, ask.conversation_id, channel)
    if row is None:
        raise CommandError(422, "no_recipient", "no customer message on that channel to answer")
    return row


def reply_content(msg: ev.MessageReceived, text: str) -> ev.Content:
    if isinstance(msg.content, ev.EmailContent):
        subject = msg.content.subject
        subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        return ev.EmailContent(subject=subject, text=text, visible_text=text)
    return ev.TextContent(text=text)


def thread_hints(msg: ev.MessageReceived, conversation_id: str) -> ev.ThreadHints:
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


async def reply_once(conn: AsyncConnection, ask: ReplyAsk, window: timedelta) -> dict[str, Any]:
    """The answer given earlier to this Idempotency-Key, else a new reply: free text to a channel
    that can take it now (a 422 ``CommandError`` says why none can), a template as asked."""
    earlier = await stored_reply(conn, ask, window)
    if earlier is not None:
        return {**earlier, "replayed": True}
    if ask.template is None:
        channel = await reachable_channel(conn, ask.tenant, ask.conversation_id, ask.channel)
        ask = replace(ask, channel=channel)
    return await request_reply(conn, ask)
