"""What a decided message becomes: its stored row and its unified (outbox) events."""

from __future__ import annotations

from datetime import datetime

from hotline import events as ev
from hotline import unified as un
from unifier.domain.content import text_of
from unifier.domain.names import clean_name
from unifier.domain.rules import Decision
from unifier.domain.threading import ThreadDecision
from unifier.domain.working import NewMessage


def at(event: ev.Envelope) -> datetime:
    return event.provider_timestamp or event.received_at


def info(decision: Decision) -> un.DecisionInfo:
    return un.DecisionInfo(
        rule=decision.rule, evidence=decision.evidence, rule_version=decision.version
    )


def new_message(
    event: ev.MessageReceived,
    tid: str,
    contact: str,
    d: Decision,
    *,
    raw: bytes,
    resolved: str | None = None,
    language: str | None = None,
) -> NewMessage:
    return NewMessage(
        event.event_id,
        tid,
        contact,
        event.channel.kind,
        event.channel.account_id,
        event.provider_message_id,
        event.sender.handle,
        event.sender.role,
        at(event),
        text_of(event.content),
        d.rule,
        d.evidence,
        d.version,
        raw,
        resolved,
        clean_name(event.sender.display_name),
        language,
    )


def added(
    tenant: str,
    event: ev.MessageReceived,
    tid: str,
    contact: str,
    d: Decision,
    language: str | None = None,
) -> un.ConversationMessageAdded:
    return un.ConversationMessageAdded(
        event_id=un.unified_event_id(tenant, event.event_id, "added"),
        tenant=tenant,
        occurred_at=at(event),
        conversation_id=tid,
        message_id=event.event_id,
        source_event_id=event.event_id,
        channel=event.channel,
        provider_message_id=event.provider_message_id,
        contact_id=contact,
        sender_handle=event.sender.handle,
        role=event.sender.role,
        content=event.content,
        attachments=event.attachments,
        decision=info(d),
        language=language,
    )


def opened(
    tenant: str, event: ev.MessageReceived, tid: str, contact: str, td: ThreadDecision
) -> un.ConversationOpened:
    return opened_by(tenant, event, (tid, contact), td.action == "reopen", info(td.decision))


def opened_by(
    tenant: str,
    event: ev.Envelope,
    where: tuple[str, str],
    reopened: bool,
    decision: un.DecisionInfo,
) -> un.ConversationOpened:
    """Conversation ``where`` = (thread, contact) opened (or reopened) by ``event``."""
    tid, contact = where
    return un.ConversationOpened(
        event_id=un.unified_event_id(tenant, event.event_id, "opened"),
        tenant=tenant,
        occurred_at=at(event),
        conversation_id=tid,
        contact_id=contact,
        channel=event.channel,
        reopened=reopened,
        decision=decision,
    )


def woken(tenant: str, event: ev.MessageReceived, tid: str) -> un.ConversationSnoozed:
    """The customer wrote into a snoozed conversation: it is back in the views now."""
    return un.ConversationSnoozed(
        event_id=un.unified_event_id(tenant, event.event_id, "woken"),
        tenant=tenant,
        occurred_at=at(event),
        conversation_id=tid,
        until=None,
        by=None,
    )
