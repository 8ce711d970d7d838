"""Edits, deletes, reactions, delivery statuses: idempotent updates of their target message.

Edits keep the text they replace in the message's history; a delete hides the text (it moves
to the history, kept as long as retention allows). Statuses only move forward: requested ->
accepted -> sent -> delivered -> read, and failed (window_closed, deleted) is final.
"""

from __future__ import annotations

from typing import Literal

from hotline import events as ev
from unifier.domain.content import text_of
from unifier.domain.working import MessageState, MsgKey

Change = Literal["edited", "deleted", "reaction", "status"]
STATUS_RANK = {"requested": 0, "accepted": 1, "sent": 2, "delivered": 3, "read": 4}
FINAL = frozenset({"failed", "window_closed", "deleted"})


def target_key(event: ev.InboundEvent) -> MsgKey:
    if isinstance(event, ev.MessageReceived):
        return (event.channel.kind, event.provider_message_id)
    return (event.channel.kind, event.target_message_id)


def apply_effect(state: MessageState, event: ev.InboundEvent) -> Change | None:
    """Apply one effect and say what changed; applying it twice changes nothing more
    (redelivery-safe), and an effect that changes nothing returns None."""
    if isinstance(event, ev.MessageEdited):
        changed = edit(state, text_of(event.content), when(event), event.event_id)
        return "edited" if changed else None
    if isinstance(event, ev.MessageDeleted):
        return "deleted" if delete(state, when(event), event.event_id) else None
    if isinstance(event, ev.Reaction):
        return "reaction" if _react(state, event) else None
    if isinstance(event, ev.DeliveryStatus):
        return "status" if advance(state, event.status, _error(event)) else None
    return None


def when(event: ev.Envelope) -> str:
    return (event.provider_timestamp or event.received_at).isoformat()


def edit(state: MessageState, text: str, at: str, event_id: str) -> bool:
    """Each history entry names the effect that replaced its text: a redelivered edit (even an
    older one, after a newer edit) changes nothing."""
    seen = any(h.get("event") == event_id for h in state.history)
    if state.deleted or seen or text == state.text:
        return False
    state.history.append({"text": state.text, "replaced_at": at, "event": event_id})
    state.text, state.edited = text, True
    return True


def delete(state: MessageState, at: str, event_id: str) -> bool:
    if state.deleted:
        return False
    state.history.append({"text": state.text, "deleted_at": at, "event": event_id})
    state.text, state.deleted = "", True
    return True


def advance(state: MessageState, status: str, detail: str | None = None) -> bool:
    """Move the status forward only; a final status never changes."""
    if state.status in FINAL:
        return False
    if status not in FINAL and STATUS_RANK.get(status, -1) <= STATUS_RANK.get(
        state.status or "", -1
    ):
        return False
    state.status = status
    if detail:
        state.status_detail = detail
    return True


def _error(event: ev.DeliveryStatus) -> str | None:
    parts = [p for p in (event.error_code, event.error_detail) if p]
    return ": ".join(parts) or None


def _react(state: MessageState, event: ev.Reaction) -> bool:
    who = event.sender.handle if event.sender else ""
    before = list(state.reactions.get(event.emoji, []))
    people = set(before)
    if event.removed:
        people.discard(who)
    else:
        people.add(who)
    if people:
        state.reactions[event.emoji] = sorted(people)
    else:
        state.reactions.pop(event.emoji, None)
    return sorted(people) != sorted(before)
