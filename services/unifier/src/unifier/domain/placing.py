"""Where a message's sender and thread are: the contact it resolves to (linking, merging,
suggesting as it goes) and the thread it joins, with the thread keys it leaves behind. Shared by
messages (``domain.unify``) and calls (``domain.call_unify``); ids derive from event ids."""

from __future__ import annotations

import uuid

from hotline import events as ev
from hotline import unified as un
from unifier.domain.claims import claims
from unifier.domain.content import subject_of
from unifier.domain.identity import resolve
from unifier.domain.linking import attach, suggest
from unifier.domain.merging import join_threads, merge
from unifier.domain.records import at, opened, woken
from unifier.domain.rules import RuleSet
from unifier.domain.threading import MessageFacts, ThreadDecision, group_key, provider_thread_key
from unifier.domain.working import Plan, ThreadRow, WorkingSet

ID_NAMESPACE = uuid.UUID("5d3f2a10-8c4b-5e6f-9a7d-1b2c3d4e5f60")


def derived_id(source_event_id: str, role: str) -> str:
    return ev.uuid5_str(ID_NAMESPACE, f"{source_event_id}\x1f{role}")


def new_row_id(event: ev.Envelope, role: str) -> str:
    """A new contact's or thread's id: deterministic for the event (a replay or a rethread gives
    the same id) and ordered by its arrival, so the store's indexes grow at one end."""
    return un.time_ordered_str(ID_NAMESPACE, f"{event.event_id}\x1f{role}", event.received_at)


def reply_token(thread_id: str) -> str:
    return derived_id(thread_id, "reply-token").replace("-", "")[:20]


def contact_of(
    ws: WorkingSet, plan: Plan, rules: RuleSet, event: ev.MessageReceived
) -> tuple[str, str | None]:
    """The sender's (canonical) contact, and the pre-merge contact it resolved through when
    that is another one (an unmerge gives the message back to it)."""
    if event.sender.role != "customer":
        return "", None
    res = resolve(
        event.sender.identifiers,
        ws.identities,
        rules.version,
        exclusive=ws.exclusive,
        dismissed=ws.dismissed,
    )
    contact = res.contact_id
    if contact is None:
        contact = new_row_id(event, "contact")
        ws.canonical[contact] = contact
        ws.exclusive[contact] = set()  # a new contact has only what the batch gives it
        plan.contacts.append(contact)
        plan.claims.extend(claims(contact, res.attach, ws.identities))
    if res.merged:
        merge(ws, plan, event, contact, res)
    attach(ws, plan, event, contact, res)
    if res.suggestions:
        suggest(ws, plan, event, contact, res)
    return contact, (res.via if res.via and res.via != contact else None)


def facts_of(event: ev.MessageReceived, contact: str) -> MessageFacts:
    """What the thread rules decide ``event`` (from ``contact``) by."""
    return MessageFacts(
        event.channel.kind,
        event.channel.account_id,
        contact,
        event.sender.handle,
        at(event),
        event.thread,
        event.flags,
    )


def settle(
    ws: WorkingSet,
    plan: Plan,
    rules: RuleSet,
    event: ev.MessageReceived,
    decided: tuple[MessageFacts, ThreadDecision, int],
) -> str:
    """``event``'s thread as ``decided`` (its facts, the decision, how many merges the plan held
    before its contact resolved): placed, joined by the threads those merges brought together
    (grouping by contact), and the keys it leaves behind."""
    facts, td, merges = decided
    tid = place(ws, plan, event, facts, td)
    if len(plan.merges) > merges and rules.grouping == "by_contact":
        join_threads(ws, plan, plan.merges[merges:], tid)
    register_keys(ws, plan, rules, event, facts, tid=tid)
    return tid


def place(
    ws: WorkingSet, plan: Plan, event: ev.MessageReceived, facts: MessageFacts, td: ThreadDecision
) -> str:
    if td.thread_id is None:
        tid = new_row_id(event, "thread")
        ws.threads[tid] = ThreadRow(
            tid,
            facts.contact_id,
            facts.channel_kind,
            True,
            facts.at,
            facts.at,
            subject=subject_of(event.content),
        )
        plan.new_threads.add(tid)
        ws.keys["tok:" + reply_token(tid)] = plan.keys["tok:" + reply_token(tid)] = tid
    else:
        tid = td.thread_id
    row = ws.threads[tid]
    if td.action != "attach":
        row.open, row.closed_at = True, None
        plan.outbox.append(opened(ws.tenant, event, tid, facts.contact_id, td))
    row.message_count += 1
    row.last_message_at = max(row.last_message_at, facts.at)
    if event.sender.role == "customer" and row.snoozed_until and row.snoozed_until > facts.at:
        row.snoozed_until = None
        plan.woken.add(tid)
        plan.outbox.append(woken(ws.tenant, event, tid))
    if facts.contact_id and facts.contact_id not in row.participants:
        row.add_participant(facts.contact_id)
        plan.new_participants.add((tid, facts.contact_id))
    plan.touched_threads.add(tid)
    return tid


def register_keys(
    ws: WorkingSet,
    plan: Plan,
    rules: RuleSet,
    event: ev.MessageReceived,
    facts: MessageFacts,
    *,
    tid: str,
) -> None:
    keys = []
    if event.thread.message_id:
        keys.append("mid:" + event.thread.message_id)
    pt = provider_thread_key(facts.channel_kind, facts.account_id, event.thread)
    if pt:
        keys.append("pt:" + pt)
    if facts.contact_id and ws.threads[tid].open:
        keys.append("grp:" + group_key(rules, facts))
    for k in keys:
        if ws.keys.get(k) != tid:  # unchanged keys are not rewritten
            ws.keys[k] = plan.keys[k] = tid
