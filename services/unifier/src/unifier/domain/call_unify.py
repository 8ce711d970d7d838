"""A call event in a batch: folded into its call record, the call placed in the customer's thread.

The call's first event (whichever step that is) places it like a message from the caller: the
caller's identifiers resolve to a contact under the same rules as an SMS sender (an E.164
phone at ``carrier_asserted`` joins the contact holding that phone at a linking level, e.g. her
WhatsApp number), and the thread follows the tenant's grouping mode. The call is one item of
the thread (a message row keyed by the call id whose text is the call's one-line summary);
every later event only folds into the record. Each change publishes the whole record
(``conversation.call.updated.v1``). A missed call or a voicemail opens (or reopens) the thread,
moves it up the list and marks it as needing a callback; an answered call settles it.
"""

from __future__ import annotations

import copy
from datetime import datetime

from hotline import events as ev
from hotline import unified as un
from unifier.domain import calls
from unifier.domain.placing import contact_of, facts_of, settle
from unifier.domain.records import at, new_message, opened_by
from unifier.domain.rules import RuleSet
from unifier.domain.threading import decide
from unifier.domain.working import MessageState, Plan, WorkingSet


def call_message_id(tenant: str, channel_kind: str, call_id: str) -> str:
    """The call's item in the thread: one id per call, whichever event came first."""
    return ev.event_id_for(tenant, channel_kind, call_id, "call")


def call(ws: WorkingSet, plan: Plan, rules: RuleSet, event: ev.CallEvent, raw: bytes) -> None:
    key = (event.channel.kind, event.call_id)
    record = ws.calls.setdefault(event.call_id, calls.new_record(event))
    was_missed = record.needs_callback
    changed = calls.fold(record, event)
    state = ws.messages.get(key)
    if state is None and not record.caller:  # no event named the caller yet: kept unplaced
        _unplaced(plan, event.call_id, changed)
        return
    if state is None:  # the first event of this call that names the caller: it joins a thread
        state = _place(ws, plan, rules, event, record, raw)
    elif not changed:  # a repeated callback: nothing new
        plan.duplicates += 1
        return
    else:
        plan.updated_messages.add(key)
    state.text = calls.summary(record)
    plan.calls.add(event.call_id)
    missed_now = record.needs_callback and not was_missed
    _callback(ws, plan, (event, rules.version, missed_now), state.thread_id, record)
    row = ws.threads.get(state.thread_id)
    contact = row.contact_id if row else ""
    plan.outbox.append(_updated(ws.tenant, event, state, contact, record))


def _unplaced(plan: Plan, call_id: str, changed: bool) -> None:
    """A callback that names no caller (Vonage's recording events) cannot say whose thread the
    call is in: the record keeps what it brought, and the call joins a thread (and the stream)
    with the first event that names the caller."""
    if changed:
        plan.calls.add(call_id)
    else:
        plan.duplicates += 1


def as_message(event: ev.CallEvent, record: un.CallRecord) -> ev.MessageReceived:
    """The call as the message the thread rules decide about: from the caller (the customer's
    side, whichever way the call went), with the call's summary as its text."""
    caller = ev.Sender(
        handle=event.caller.handle,
        display_name=event.caller.display_name,
        identifiers=event.caller.identifiers,
    )
    return ev.MessageReceived(
        event_id=call_message_id(event.tenant, event.channel.kind, event.call_id),
        tenant=event.tenant,
        channel=event.channel,
        provider_message_id=event.call_id,
        received_at=event.received_at,
        conversation_key=event.conversation_key,
        provider_timestamp=event.provider_timestamp,
        sender=caller,
        content=ev.TextContent(text=calls.summary(record)),
    )


def _place(
    ws: WorkingSet,
    plan: Plan,
    rules: RuleSet,
    event: ev.CallEvent,
    record: un.CallRecord,
    raw: bytes,
) -> MessageState:
    message = as_message(event, record)
    merges = len(plan.merges)
    contact, resolved = contact_of(ws, plan, rules, message)
    facts = facts_of(message, contact)
    td = decide(rules, facts, ws.context())
    tid = settle(ws, plan, rules, message, (facts, td, merges))
    key = (event.channel.kind, event.call_id)
    state = ws.messages[key] = MessageState(message.event_id, tid, calls.summary(record))
    row = new_message(message, tid, contact, td.decision, raw=raw, resolved=resolved)
    plan.messages.append(row)
    return state


def _callback(
    ws: WorkingSet,
    plan: Plan,
    why: tuple[ev.CallEvent, str, bool],
    tid: str,
    record: un.CallRecord,
) -> None:
    """Record what the call says about the thread's callback (``why``: the event, the rule
    set's version, whether this event made the call a missed one). The event that makes a call
    missed reopens a closed thread and moves it up; a later recording or transcript of it does
    not (an agent may have called back and closed the thread meanwhile)."""
    event, version, missed_now = why
    due, done = calls.callback_marks(record, at(event))
    if due is None and done is None:
        return
    held_due, held_done = plan.callbacks.get(tid, (None, None))
    plan.callbacks[tid] = (_later(held_due, due), _later(held_done, done))
    row = ws.threads.get(tid)
    if due is None or row is None or not missed_now:
        return
    row.last_message_at = max(row.last_message_at, due)
    plan.touched_threads.add(tid)
    if not row.open:
        row.open, row.closed_at = True, None
        plan.outbox.append(_reopened(ws.tenant, event, row.contact_id, tid, version))


def _reopened(
    tenant: str, event: ev.CallEvent, contact: str, tid: str, version: str
) -> un.ConversationOpened:
    why = f"call {event.call_id} was missed: the customer waits for a call back"
    decision = un.DecisionInfo(rule="call.missed", evidence=why, rule_version=version)
    return opened_by(tenant, event, (tid, contact), True, decision)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _updated(
    tenant: str, event: ev.CallEvent, state: MessageState, contact: str, record: un.CallRecord
) -> un.ConversationCallUpdated:
    return un.ConversationCallUpdated(
        event_id=un.unified_event_id(tenant, event.event_id, "call.updated"),
        tenant=tenant,
        occurred_at=at(event),
        conversation_id=state.thread_id,
        message_id=state.message_id,
        contact_id=contact,
        call=copy.deepcopy(record),  # as of this event: later events go on folding into it
        source_event_id=event.event_id,
    )
