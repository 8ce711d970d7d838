"""A customer's message wakes a snoozed thread in the batch's plan; a message after the snooze
already ended does not (the thread is back in the views anyway)."""

from __future__ import annotations

from datetime import timedelta

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import T0, ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet

ALICE = [ident("email", "alice@example.test")]


def _snoozed_thread(until: timedelta) -> tuple[WorkingSet, str]:
    ws = WorkingSet("acme")
    first = message("m1", ids=ALICE)
    plan = unify(ws, [(first, ev.encode(first))], RuleSet())
    (tid,) = plan.new_threads
    ws.threads[tid].snoozed_until = T0 + until
    return ws, tid


def _answer() -> ev.MessageReceived:
    hints = ev.ThreadHints(message_id="<m2@x>", in_reply_to=["<m1@x>"])
    return message("m2", ids=ALICE, at=timedelta(hours=1), hints=hints)


def test_a_customer_message_wakes_the_thread() -> None:
    ws, tid = _snoozed_thread(timedelta(days=1))
    e = _answer()
    plan = unify(ws, [(e, ev.encode(e))], RuleSet())
    assert plan.woken == {tid} and ws.threads[tid].snoozed_until is None
    [woke] = [x for x in plan.outbox if isinstance(x, un.ConversationSnoozed)]
    assert woke.conversation_id == tid and woke.until is None and woke.by is None
    replayed = unify(*_snoozed_thread(timedelta(days=1))[:1], [(e, ev.encode(e))], RuleSet())
    assert [x.event_id for x in replayed.outbox if isinstance(x, un.ConversationSnoozed)] == [
        woke.event_id
    ]  # deterministic: a replayed batch writes the same event and activity ids


def test_a_message_after_the_snooze_ended_wakes_nothing() -> None:
    for until in (timedelta(minutes=30), timedelta(hours=1)):
        ws, tid = _snoozed_thread(until)
        e = _answer()
        plan = unify(ws, [(e, ev.encode(e))], RuleSet())
        assert [m.thread_id for m in plan.messages] == [tid]  # it joined the snoozed thread
        assert plan.woken == set() and ws.threads[tid].snoozed_until == T0 + until
        assert not [x for x in plan.outbox if isinstance(x, un.ConversationSnoozed)]
