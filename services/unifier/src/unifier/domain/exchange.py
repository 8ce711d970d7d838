"""The unified events of a message's life after it was added: edits, deletes and reactions
(``conversation.message.updated.v1``) and outbound status moves (``conversation.reply.status.v1``).
Ids derive from the effect that caused them, so a replay publishes the same events."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from hotline import events as ev
from hotline import unified as un
from unifier.domain.content import text_of
from unifier.domain.effects import Change, advance, apply_effect, target_key
from unifier.domain.rules import Decision
from unifier.domain.threading import ThreadDecision
from unifier.domain.working import MessageState, MsgKey, Plan, WorkingSet

DIAGNOSTIC_CHARS = 500
_OUR_MESSAGE_ID = re.compile(r"^<hotline\.([A-Za-z0-9_.-]+)@[^<>@\s]+>$")


def placeholder_id(reply_id: str) -> str:
    """An outbound message's provider id until the channel reports its own."""
    return "reply:" + reply_id


def answer_keys(results: Iterable[ev.ReplyResult]) -> dict[str, str]:
    """Thread key -> thread: an email reply sent under a Message-ID is what an answer's
    In-Reply-To names, so that id leads to the reply's thread."""
    return {
        f"mid:{r.provider_message_id}": r.conversation_id
        for r in results
        if r.status == "sent" and r.provider_message_id and r.channel.kind == "email"
    }


def reply_status(
    tenant: str,
    state: MessageState,
    channel: ev.ChannelRef,
    provider_message_id: str | None,
    source_event_id: str,
    at: datetime,
) -> un.ConversationReplyStatus:
    assert state.reply_id is not None and state.status is not None
    pmid = provider_message_id if provider_message_id != placeholder_id(state.reply_id) else None
    return un.ConversationReplyStatus(
        event_id=un.unified_event_id(tenant, source_event_id, "reply.status", state.message_id),
        tenant=tenant,
        occurred_at=at,
        conversation_id=state.thread_id,
        message_id=state.message_id,
        reply_id=state.reply_id,
        channel=channel,
        status=state.status,  # type: ignore[arg-type]  # a status the effects let through
        provider_message_id=pmid,
        detail=state.status_detail,
        source_event_id=source_event_id,
    )


def message_updated(
    tenant: str, state: MessageState, event: ev.Envelope, target: str, change: Change
) -> un.ConversationMessageUpdated:
    assert change != "status"
    return un.ConversationMessageUpdated(
        event_id=un.unified_event_id(tenant, event.event_id, "updated"),
        tenant=tenant,
        occurred_at=event.provider_timestamp or event.received_at,
        conversation_id=state.thread_id,
        message_id=state.message_id,
        channel=event.channel,
        provider_message_id=target,
        change=change,
        text=None if state.deleted else state.text,
        deleted=state.deleted,
        edits=sum(1 for h in state.history if "replaced_at" in h),
        reactions={emoji: list(who) for emoji, who in state.reactions.items()},
        source_event_id=event.event_id,
    )


def effect_events(
    tenant: str, state: MessageState, event: ev.InboundEvent, change: Change | None
) -> list[un.UnifiedEvent]:
    """What integrators hear about one applied effect (nothing when it changed nothing, or a
    status of an inbound message)."""
    if change is None or isinstance(event, ev.MessageReceived):
        return []
    target = event.target_message_id
    at = event.provider_timestamp or event.received_at
    if change == "status":
        if state.reply_id is None:
            return []
        return [reply_status(tenant, state, event.channel, target, event.event_id, at)]
    return [message_updated(tenant, state, event, target, change)]


def bounce_candidates(event: ev.MessageReceived) -> list[MsgKey]:
    """Where a DSN says which mail bounced: the original's Message-ID (from the returned
    headers), then In-Reply-To, then References (newest first). Our own Message-IDs name the
    reply (``<hotline.<reply id>@..>``, see email_ingest.compose), so a DSN that beats the
    reply's result still finds the reply under its placeholder id."""
    if not event.flags.bounce or event.channel.kind != "email":
        return []
    h = event.thread
    ids = [h.replied_to_message_id] if h.replied_to_message_id else []
    out: list[MsgKey] = []
    for mid in dict.fromkeys([*ids, *h.in_reply_to, *reversed(h.references)]):
        out.append(("email", mid))
        if ours := _OUR_MESSAGE_ID.match(mid):
            out.append(("email", placeholder_id(ours.group(1))))
    return out


def bounced_reply(
    messages: Mapping[MsgKey, MessageState], event: ev.MessageReceived
) -> tuple[MsgKey, MessageState] | None:
    """The outbound reply of ours this DSN reports, if it is one."""
    for key in bounce_candidates(event):
        state = messages.get(key)
        if state is not None and state.reply_id is not None:
            return key, state
    return None


def bounce_decision(key: MsgKey, reply: MessageState, version: str) -> ThreadDecision:
    evidence = (
        f"bounce of our reply {reply.reply_id} (Message-ID {key[1]}) in thread "
        f"{reply.thread_id}; attaches without reopening"
    )
    return ThreadDecision(
        "attach", reply.thread_id, Decision("email.bounce_of_reply", evidence, version)
    )


def bounce_detail(event: ev.MessageReceived) -> str:
    text = " ".join(text_of(event.content).split())[:DIAGNOSTIC_CHARS]
    return f"bounce {event.bounce_status or 'unknown'}: {text}"


def fail_bounced(
    ws: WorkingSet, plan: Plan, dsn: ev.MessageReceived, bounced: tuple[MsgKey, MessageState]
) -> None:
    """Our reply the DSN reports failed, with its diagnostic."""
    key, reply = bounced
    if advance(reply, "failed", bounce_detail(dsn)):
        plan.updated_messages.add(key)
        at = dsn.provider_timestamp or dsn.received_at
        plan.outbox.append(reply_status(ws.tenant, reply, dsn.channel, key[1], dsn.event_id, at))


def effect(ws: WorkingSet, plan: Plan, event: ev.InboundEvent) -> None:
    """Apply an edit, delete, reaction or status to its message, or hold it until the message
    (or, for an outbound message, the channel's result naming its provider id) arrives."""
    key = target_key(event)
    state = ws.messages.get(key)
    if state is None:
        ws.held.setdefault(key, []).append(event)
        plan.held_add.append((key, event))
        return
    change = apply_effect(state, event)
    if change is not None:
        plan.updated_messages.add(key)
        plan.outbox += effect_events(ws.tenant, state, event, change)
