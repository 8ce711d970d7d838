"""Folding call events into one call record: any order, any number of times, the same record;
and what a call does in the batch (one thread item, the callback mark, the unified events)."""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from datetime import timedelta

import pytest

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.call_factory import Call
from tests.unit.unifier.factory import T0, ident, message
from unifier.domain import calls
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import UnifierInbound, WorkingSet

C = Call("CA1")
SEQUENCES: dict[str, list[ev.CallEvent]] = {
    "answered, recorded, transcribed": C.whole(),
    "abandoned in the queue": [C.started(), C.ended(30, "abandoned", talk=None)],
    "voicemail": [C.started(), C.ended(50, "voicemail", talk=None), C.voicemail()],
    "recording failed, then stored": [
        C.started(),
        C.answered(),
        C.ended(),
        C.recording(error="http 404"),
        C.recording(),
        C.transcript(),
    ],
    "two recordings, two transcripts": [
        *C.whole(),
        C.recording("RE2", 70),
        C.transcript("RE2", 95, "second part"),
    ],
    "a status callback repeated with a later time": [
        C.started(0),
        C.started(3),
        C.answered(10),
        C.answered(12, "agent:bob"),
        C.ended(60, "completed"),
    ],
}


def folded(events: Sequence[ev.CallEvent]) -> un.CallRecord:
    record = calls.new_record(events[0])
    for e in events:
        calls.fold(record, e)
    return record


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_any_order_and_repeats_fold_into_the_same_record(name: str) -> None:
    events = SEQUENCES[name]
    want = folded(events)
    rng = random.Random(name)
    for _ in range(40):
        mixed = events + rng.choices(events, k=rng.randint(0, len(events)))
        rng.shuffle(mixed)
        assert folded(mixed) == want


def test_the_record_keeps_everything_each_step_said() -> None:
    r = folded(SEQUENCES["answered, recorded, transcribed"])
    assert (r.status, r.outcome, r.direction, r.caller, r.line) == (
        "ended",
        "completed",
        "inbound",
        C.number,
        "+4930555000111",
    )
    assert (r.started_at, r.answered_at, r.ended_at) == (
        T0,
        T0 + timedelta(seconds=10),
        T0 + timedelta(seconds=60),
    )
    assert (r.answered_by, r.duration_s, r.talk_s, r.wait_s, r.cause) == (
        "agent:ann",
        60,
        50,
        10,
        "COMPLETED",
    )
    assert (r.queue, r.ivr_selection, r.needs_callback) == ("support", "2", False)
    [rec] = r.recordings
    assert (rec.ref, rec.recording_id, rec.duration_s, rec.channels, rec.fetch_error) == (
        "blob:sha256/re1",
        "RE1",
        50,
        2,
        None,
    )
    said = [(t.text, t.language, t.engine) for t in r.transcripts]
    assert said == [("my router", "en", "twilio")]


def test_a_late_start_never_reopens_an_ended_call_and_the_earliest_start_is_kept() -> None:
    r = folded([C.ended(60, "no_answer", talk=None), C.started(5), C.started(0)])
    assert (r.status, r.outcome, r.started_at) == ("ended", "no_answer", T0)
    assert calls.fold(r, C.started(2)) is False  # later than the start it has: nothing changes


def test_the_latest_end_is_the_final_outcome() -> None:
    one = [C.ended(40, "no_answer", talk=None), C.ended(41, "voicemail", talk=None)]
    assert folded(one).outcome == folded(one[::-1]).outcome == "voicemail"


def test_a_stored_recording_wins_over_a_failed_fetch_in_any_order() -> None:
    failed, stored = C.recording(error="timeout"), C.recording()
    for order in ([failed, stored], [stored, failed]):
        [rec] = folded([C.started(), *order]).recordings
        assert (rec.ref, rec.fetch_error) == ("blob:sha256/re1", None)
    [only] = folded([C.started(), failed]).recordings
    assert only.fetch_error == "timeout"  # visible, never dropped


@pytest.mark.parametrize(
    ("direction", "outcome", "voicemail", "needs", "summary"),
    [
        ("inbound", "completed", False, False, "Incoming call (completed, 50 s)"),
        ("inbound", "busy", False, True, "Missed call (busy)"),
        ("inbound", "no_answer", False, True, "Missed call (not answered)"),
        ("inbound", "canceled", False, True, "Missed call (canceled by the caller)"),
        ("inbound", "abandoned", False, True, "Missed call (abandoned in the queue)"),
        ("inbound", "voicemail", False, True, "Missed call (voicemail)"),
        ("inbound", "failed", False, False, "Incoming call (failed)"),
        ("inbound", "no_answer", True, True, "Voicemail"),
        ("outbound", "no_answer", False, False, "Outgoing call (not answered)"),
        ("outbound", "completed", False, False, "Outgoing call (completed, 50 s)"),
    ],
)
def test_who_is_owed_a_call_back(
    direction: ev.CallDirection, outcome: ev.CallOutcome, voicemail: bool, needs: bool, summary: str
) -> None:
    c = Call("CA9", direction=direction)
    events: list[ev.CallEvent] = [c.started(), c.ended(60, outcome)]
    if outcome == "completed":
        events.append(c.answered())
    if voicemail:
        events.append(c.voicemail())
    r = folded(events)
    assert (r.needs_callback, calls.summary(r)) == (needs, summary)


def test_a_call_still_ringing_is_summarised_by_its_status() -> None:
    assert calls.summary(folded([C.started()])) == "Incoming call (ringing)"
    assert calls.summary(folded([C.started(), C.answered()])) == "Incoming call (answered)"


def batch(*events: UnifierInbound) -> list[tuple[UnifierInbound, bytes]]:
    return [(e, ev.encode(e)) for e in events]


def test_a_call_is_one_thread_item_whatever_comes_first() -> None:
    ws = WorkingSet("acme")
    events = C.whole()
    plan = unify(ws, batch(events[3], *events, events[1]), RuleSet())
    [item] = plan.messages
    assert (item.channel_kind, item.provider_message_id, item.role) == ("voice", "CA1", "customer")
    assert item.event_id == ev.event_id_for("acme", "voice", "CA1", "call")
    assert ws.messages[("voice", "CA1")].text == "Incoming call (completed, 50 s)"
    assert plan.calls == {"CA1"} and plan.duplicates == 2
    updates = [e for e in plan.outbox if isinstance(e, un.ConversationCallUpdated)]
    assert len(updates) == 5 and {u.conversation_id for u in updates} == {item.thread_id}
    assert updates[0].call.status == "ringing"  # each carries the record as of its event
    assert updates[-1].call == ws.calls["CA1"]


def test_whatsapp_message_and_call_of_one_number_share_contact_and_thread() -> None:
    """WhatsApp vouches for the number (provider_verified); the call's carrier-asserted number
    joins the contact holding it at that level (``identity.carrier_match``), as an SMS does."""
    ws = WorkingSet("acme")
    wa = message(
        "w1",
        "whatsapp",
        handle="4915100000001",
        ids=[
            ident("wa_id", "4915100000001", level="provider_verified"),
            ident("phone", "+4915100000001", level="provider_verified"),
        ],
    )
    plan = unify(ws, batch(wa, C.started(), C.ended(30, "abandoned", talk=None)), RuleSet())
    first, call_item = plan.messages
    assert call_item.contact_id == first.contact_id and call_item.thread_id == first.thread_id
    assert call_item.rule == "group.by_contact"
    linked = [i for i in plan.identities if i.channel_kind == "voice"]
    assert [(i.kind, i.level, i.rule) for i in linked] == [
        ("phone", "carrier_asserted", "identity.carrier_match")
    ]
    assert plan.callbacks == {first.thread_id: (T0 + timedelta(seconds=30), None)}


def test_a_missed_call_reopens_a_closed_thread_and_an_answered_call_settles_it() -> None:
    ws = WorkingSet("acme")
    first = unify(ws, batch(C.started(), C.answered()), RuleSet())
    tid = first.messages[0].thread_id
    ws.threads[tid].open = False  # an agent closed it meanwhile
    plan = unify(ws, batch(C.ended(60, "completed")), RuleSet())
    assert plan.callbacks == {tid: (None, T0 + timedelta(seconds=10))}
    assert ws.threads[tid].open is False  # an answered call opens nothing
    missed = Call("CA2")
    again = batch(missed.started(100), missed.ended(130, "no_answer", talk=None))
    plan = unify(ws, again, RuleSet())
    assert plan.callbacks == {tid: (T0 + timedelta(seconds=130), None)}
    assert ws.threads[tid].open is True
    reopened = [e for e in plan.outbox if isinstance(e, un.ConversationOpened)]
    assert [(e.reopened, e.decision.rule) for e in reopened] == [(True, "group.by_contact.reopen")]
    ws.threads[tid].open = False  # an agent called her back and closed it
    plan = unify(ws, batch(missed.voicemail(140)), RuleSet())
    assert ws.threads[tid].open is False  # what the missed call brings later reopens nothing
    assert not [e for e in plan.outbox if isinstance(e, un.ConversationOpened)]


def test_a_call_already_in_the_thread_that_turns_out_missed_reopens_it() -> None:
    ws = WorkingSet("acme")
    tid = unify(ws, batch(C.started()), RuleSet()).messages[0].thread_id
    ws.threads[tid].open = False
    plan = unify(ws, batch(C.ended(30, "busy", talk=None)), RuleSet())
    assert ws.threads[tid].open is True and tid in plan.touched_threads
    [opened] = [e for e in plan.outbox if isinstance(e, un.ConversationOpened)]
    assert (opened.reopened, opened.decision.rule) == (True, "call.missed")
    assert ws.threads[tid].last_message_at == T0 + timedelta(seconds=30)


def test_the_decision_does_not_depend_on_the_batches_the_events_came_in() -> None:
    events = SEQUENCES["voicemail"]
    whole = WorkingSet("acme")
    unify(whole, batch(*events), RuleSet())
    one_by_one = WorkingSet("acme")
    for e in reversed(events):
        unify(one_by_one, batch(e), RuleSet())
    assert copy.deepcopy(whole.calls) == one_by_one.calls


def test_provider_text_is_cut_to_what_the_store_keeps_and_still_folds_once() -> None:
    ended, started = C.ended(60, "busy", talk=None), C.started()
    ended.cause, started.queue = "Q" * 300, "S" * 300
    r = folded([started, ended])
    assert (len(r.cause or ""), len(r.queue or "")) == (calls.SHORT, calls.SHORT)
    assert calls.fold(r, ended) is False and calls.fold(r, started) is False


def test_a_callback_naming_no_caller_waits_for_one_that_does() -> None:
    """Vonage's recording callbacks name no caller: the record keeps the recording, and the
    call joins her thread (and the stream) with the first event that names her."""
    ws = WorkingSet("acme")
    nameless = C.recording()
    nameless.caller = ev.Sender(handle="")
    plan = unify(ws, batch(nameless), RuleSet())
    assert (plan.messages, plan.outbox, plan.calls) == ([], [], {"CA1"})
    assert unify(ws, batch(nameless), RuleSet()).duplicates == 1
    plan = unify(ws, batch(C.started()), RuleSet())
    [item] = plan.messages
    [update] = [e for e in plan.outbox if isinstance(e, un.ConversationCallUpdated)]
    assert update.call.caller == C.number and update.call.recordings[0].recording_id == "RE1"
    assert item.contact_id and item.sender_handle == C.number
