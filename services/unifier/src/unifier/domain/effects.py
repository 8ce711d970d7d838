"""Edits, deletes, reactions, delivery statuses: idempotent updates of their target message."""

from __future__ import annotations

from hotline import events as ev
from unifier.domain.content import text_of
from unifier.domain.working import MessageState, MsgKey

STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4, "deleted": 5}


def target_key(event: ev.InboundEvent) -> MsgKey:
    if isinstance(event, ev.MessageReceived):
        return (event.channel.kind, event.provider_message_id)
    return (event.channel.kind, event.target_message_id)


def apply_effect(state: MessageState, event: ev.InboundEvent) -> None:
    """Apply one effect; applying it twice changes nothing more (redelivery-safe)."""
    if isinstance(event, ev.MessageEdited):
        state.text, state.edited = text_of(event.content), True
    elif isinstance(event, ev.MessageDeleted):
        state.deleted = True
    elif isinstance(event, ev.Reaction):
        _react(state, event)
    elif isinstance(event, ev.DeliveryStatus):
        current = STATUS_RANK.get(state.status or "", -1)
        if STATUS_RANK[event.status] > current:
            state.status = event.status


def _react(state: MessageState, event: ev.Reaction) -> None:
    who = event.sender.handle if event.sender else ""
    people = set(state.reactions.get(event.emoji, []))
    if event.removed:
        people.discard(who)
    else:
        people.add(who)
    if people:
        state.reactions[event.emoji] = sorted(people)
    else:
        state.reactions.pop(event.emoji, None)
