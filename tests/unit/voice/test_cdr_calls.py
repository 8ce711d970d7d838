"""A call record into its call events: the steps it implies, the contract's deterministic ids,
E.164 callers with the account's region, withheld callers, durations on call.ended."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hotline import events
from voice.cdr.calls import Line, call_events
from voice.cdr.record import CallRecord

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LINE = Line("acme", "pbx-berlin", "DE")
ANSWERED = CallRecord(
    call_id="1764579600.1",
    direction="inbound",
    customer="030/1234567",
    line="200",
    started=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    ended=datetime(2026, 12, 1, 8, 5, 12, tzinfo=UTC),
    outcome="completed",
    duration_s=312,
    wait_s=12,
    answered=datetime(2026, 12, 1, 8, 0, 12, tzinfo=UTC),
    talk_s=300,
    answered_by="SIP/201",
    queue="support-de",
    cause="ANSWERED",
    customer_name="Lopez, Maria",
)
MISSED = replace(
    ANSWERED, outcome="abandoned", answered=None, talk_s=None, answered_by="", wait_s=312
)


def test_an_answered_call_is_started_answered_ended_with_the_contracts_ids() -> None:
    started, answered, ended = call_events(ANSWERED, LINE, NOW)
    assert isinstance(started, events.CallStarted)
    assert isinstance(answered, events.CallAnswered)
    assert isinstance(ended, events.CallEnded)
    for step, event in zip(
        ("call.started", "call.answered", "call.ended"), (started, answered, ended), strict=True
    ):
        assert event.event_id == events.event_id_for("acme", "voice", "1764579600.1", step)
        assert event.provider_message_id == event.call_id == "1764579600.1"
        assert event.conversation_key == "acme/voice/pbx-berlin/+49301234567"
        assert event.channel == events.ChannelRef(kind="voice", account_id="pbx-berlin")
        assert (event.tenant, event.direction, event.line) == ("acme", "inbound", "200")
        assert event.received_at == NOW
    assert started.provider_timestamp == ANSWERED.started and started.queue == "support-de"
    assert answered.provider_timestamp == ANSWERED.answered and answered.answered_by == "SIP/201"
    assert (ended.outcome, ended.duration_s, ended.talk_s, ended.wait_s, ended.cause) == (
        "completed",
        312,
        300,
        12,
        "ANSWERED",
    )
    caller = started.caller
    assert (caller.handle, caller.display_name) == ("+49301234567", "Lopez, Maria")
    assert caller.identifiers == [
        events.identifier("phone", "+49301234567", "carrier_asserted", "cdr")
    ]


def test_an_unanswered_call_has_no_answer_step() -> None:
    got = call_events(MISSED, LINE, NOW)
    assert [events.event_tag(e) for e in got] == ["call.started.v1", "call.ended.v1"]
    ended = got[-1]
    assert isinstance(ended, events.CallEnded)
    assert (ended.outcome, ended.talk_s, ended.wait_s) == ("abandoned", None, 312)


def test_the_same_record_gives_the_same_ids_on_every_import() -> None:
    first = call_events(ANSWERED, LINE, NOW)
    later = call_events(ANSWERED, LINE, datetime(2027, 1, 1, tzinfo=UTC))
    assert [e.event_id for e in first] == [e.event_id for e in later]
    other_tenant = call_events(ANSWERED, replace(LINE, tenant="globex"), NOW)
    assert not {e.event_id for e in first} & {e.event_id for e in other_tenant}


@pytest.mark.parametrize("customer", ["anonymous", "", "201", "not a number"])
def test_a_caller_without_a_number_is_a_thread_of_its_own(customer: str) -> None:
    started = call_events(replace(ANSWERED, customer=customer), LINE, NOW)[0]
    assert started.caller.identifiers == []
    assert started.caller.handle == (customer or "anonymous")
    assert started.conversation_key == "acme/voice/pbx-berlin/anonymous:1764579600.1"


def test_events_encode_and_decode_as_the_contract() -> None:
    for event in call_events(ANSWERED, LINE, NOW):
        assert events.decode(events.encode(event)) == event
