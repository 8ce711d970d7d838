"""Batch decisions: duplicates, out-of-order effects, determinism, outbox contents."""

from __future__ import annotations

import gc
import weakref
from typing import Literal

import msgspec

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import envelope, ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet

ALICE = [ident("email", "alice@example.test")]


def batch(*events: ev.InboundEvent) -> list[tuple[ev.InboundEvent, bytes]]:
    return [(e, ev.encode(e)) for e in events]


def test_provider_retry_is_stored_once() -> None:
    ws = WorkingSet("acme")
    m = message("m1", ids=ALICE)
    plan = unify(ws, batch(m, m), RuleSet())
    assert len(plan.messages) == 1 and plan.duplicates == 1


def test_effects_before_their_message_are_held_then_applied() -> None:
    ws = WorkingSet("acme")
    edit = ev.MessageEdited(
        **envelope("whatsapp", "e1"),
        target_message_id="w1",
        sender=ev.Sender(handle="+49"),
        content=ev.TextContent(text="fixed"),
    )
    react = ev.Reaction(
        **envelope("whatsapp", "r1"),
        target_message_id="w1",
        emoji="👍",
        sender=ev.Sender(handle="+49"),
    )
    plan = unify(ws, batch(edit, react), RuleSet())
    assert [k for k, _ in plan.held_add] == [("whatsapp", "w1"), ("whatsapp", "w1")]
    plan = unify(ws, batch(message("w1", "whatsapp", handle="+49", text="typo")), RuleSet())
    state = ws.messages[("whatsapp", "w1")]
    assert (state.text, state.edited, state.reactions) == ("fixed", True, {"👍": ["+49"]})
    assert plan.held_done == {("whatsapp", "w1")}


def test_effects_are_idempotent_and_statuses_monotonic() -> None:
    ws = WorkingSet("acme")
    unify(ws, batch(message("w1", "whatsapp", handle="+49")), RuleSet())

    def status(s: Literal["delivered", "read"]) -> ev.DeliveryStatus:
        return ev.DeliveryStatus(
            **envelope("whatsapp", "s" + s),
            target_message_id="w1",
            status=s,
        )

    react = ev.Reaction(
        **envelope("whatsapp", "r1"),
        target_message_id="w1",
        emoji="❤",
        sender=ev.Sender(handle="+49"),
    )
    plan = unify(ws, batch(react, react, status("read"), status("delivered")), RuleSet())
    state = ws.messages[("whatsapp", "w1")]
    assert state.reactions == {"❤": ["+49"]} and state.status == "read"
    assert plan.updated_messages == {("whatsapp", "w1")}


def test_same_batch_twice_decides_identically() -> None:
    events = batch(message("m1", ids=ALICE), message("w1", "whatsapp", handle="+49"))
    first, second = (
        unify(WorkingSet("acme"), events, RuleSet()),
        unify(WorkingSet("acme"), events, RuleSet()),
    )
    assert [m.thread_id for m in first.messages] == [m.thread_id for m in second.messages]
    assert [e.event_id for e in first.outbox] == [e.event_id for e in second.outbox]


def test_outbox_for_a_new_contact_and_thread() -> None:
    plan = unify(WorkingSet("acme"), batch(message("m1", ids=ALICE)), RuleSet())
    tags = [un.unified_tag(e) for e in plan.outbox]
    assert tags == ["contact.linked.v1", "conversation.opened.v1", "conversation.message.added.v1"]
    added = plan.outbox[-1]
    assert isinstance(added, un.ConversationMessageAdded)
    assert added.decision.rule == "group.by_contact" and added.decision.rule_version == "1"
    assert un.unified_key(added) == added.conversation_id.encode()


def test_each_linked_identity_keeps_its_own_reply_address() -> None:
    """chatwoot#15359: after linking, a reply on WhatsApp still goes to the WhatsApp number."""
    ws = WorkingSet("acme")
    phone = ident("phone", "+4915100000001")
    plan = unify(ws, batch(message("e1", ids=[*ALICE, phone])), RuleSet())
    contact = plan.messages[0].contact_id
    wa = message("w1", "whatsapp", handle="+4915100000001", ids=[ident("wa_id", "49151"), phone])
    plan = unify(ws, batch(wa), RuleSet())
    assert plan.messages[0].contact_id == contact
    [linked] = plan.identities
    assert (linked.kind, linked.handle, linked.channel_kind) == (
        "wa_id",
        "+4915100000001",
        "whatsapp",
    )


def test_a_decided_batch_is_freed_without_the_garbage_collector() -> None:
    """No reference cycles: the working set and plan of a batch (thousands of rows) go the
    moment the batch is done, not at the next collection (the SQLite drain spent ~10% of
    its time collecting them)."""
    gc.collect()
    gc.disable()
    try:
        ws = WorkingSet("acme")
        events = [message(f"m{i}", ids=ALICE, hints=ev.ThreadHints(message_id=f"<m{i}@x>",
                  in_reply_to=[f"<m{i - 1}@x>"] if i else [])) for i in range(20)]  # fmt: skip
        plan = unify(ws, batch(*events), RuleSet())
        assert len(plan.messages) == 20 and len(ws.threads) == 1
        alive = [weakref.ref(o) for o in (ws, plan, *ws.threads.values(), ws.context())]
        del ws, plan
        assert [r() for r in alive] == [None] * len(alive)
    finally:
        gc.enable()


def test_new_contacts_and_threads_get_ids_ordered_by_arrival() -> None:
    from datetime import timedelta

    # store indexes on these ids grow at one end (a 1M-message SQLite drain: 0.76 -> 0.99)
    events = [message(f"m{i}", ids=[ident("email", f"p{i}@example.test")]) for i in range(20)]
    events = [
        msgspec.structs.replace(e, received_at=e.received_at + timedelta(seconds=20 - i))
        for i, e in enumerate(events)
    ]
    plan = unify(WorkingSet("acme"), batch(*events), RuleSet())
    threads = [m.thread_id for m in plan.messages]
    assert len(set(threads)) == 20 and sorted(threads) == threads[::-1]
    assert sorted(plan.contacts) == plan.contacts[::-1]
    again = unify(WorkingSet("acme"), batch(*events), RuleSet())
    assert [m.thread_id for m in again.messages] == threads
