"""Generic CTI (Zammad-compatible) -> call events, table-tested on recorded PBX requests:
every event, every hangup cause, form and JSON bodies, numbers in national and punctuated
forms ("030/6098541", "+49 30 ...", "0049 ..."), voicemail and queues."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from hotline import events as ev
from hotline.kafka.errors import PermanentError
from tests.fixtures.voice import recorded
from voice.calls import CallContext
from voice.providers.cti.normalize import OUTCOMES, normalize

CTX = CallContext("acme", "pbx-berlin", datetime(2026, 12, 7, 8, 0, tzinfo=UTC), "DE")
CALL = "4991155921769858278-1"


def run(name: str) -> ev.CallEvent:
    [event] = normalize(recorded("cti", name), CTX)
    return event


def hangup(cause: str, **extra: str) -> ev.CallEnded:
    fields = {"event": "hangup", "callId": "c1", "direction": "in", "from": "030/1234567"}
    body = urlencode({**fields, "cause": cause, **extra}).encode()
    [event] = normalize(body, CTX)
    assert isinstance(event, ev.CallEnded)
    return event


def test_new_call_inbound_with_national_and_punctuated_numbers() -> None:
    event = run("newCall_in.form")
    assert isinstance(event, ev.CallStarted)
    assert (event.direction, event.call_id, event.queue) == ("inbound", CALL, "support")
    assert event.caller.handle == "+49306098541"  # "030/6098541" in region DE
    assert event.caller.identifiers == [
        ev.identifier("phone", "+49306098541", "carrier_asserted", source="cti.from")
    ]
    assert event.line == "+493060981111"  # "+49 30 60981111"
    assert event.channel == ev.ChannelRef(kind="voice", account_id="pbx-berlin")
    assert event.conversation_key == "acme/voice/pbx-berlin/+49306098541"
    assert event.event_id == ev.event_id_for("acme", "voice", CALL, "call.started")


def test_answer_names_the_agent_and_matches_the_call() -> None:
    event = run("answer_in.form")
    assert isinstance(event, ev.CallAnswered)
    assert event.answered_by == "Alice Agent"
    assert event.event_id == ev.event_id_for("acme", "voice", CALL, "call.answered")
    assert event.conversation_key == run("newCall_in.form").conversation_key


def test_answer_without_user_names_the_answering_number() -> None:
    body = b"event=answer&direction=in&callId=c2&from=030%2F1&answeringNumber=0049%2030%2060981122"
    [event] = normalize(body, CTX)
    assert isinstance(event, ev.CallAnswered)
    assert event.answered_by == "+493060981122"


def test_hangup_normal_clearing() -> None:
    event = run("hangup_in.form")
    assert isinstance(event, ev.CallEnded)
    assert (event.outcome, event.cause, event.duration_s) == ("completed", "normalClearing", None)
    assert event.event_id == ev.event_id_for("acme", "voice", CALL, "call.ended")


def test_outbound_json_call_the_customer_is_to() -> None:
    event = run("newCall_out.json")
    assert isinstance(event, ev.CallStarted)
    assert (event.direction, event.caller.handle, event.line) == (
        "outbound",
        "+4915123456789",  # "0151 23456789"
        "+4930609811111",  # Zammad's digits without "+": country code first
    )
    assert event.caller.identifiers[0].source == "cti.to"


def test_voicemail_answer_and_hangup() -> None:
    answered, ended = run("answer_voicemail.form"), run("hangup_voicemail.form")
    assert isinstance(answered, ev.CallAnswered) and isinstance(ended, ev.CallEnded)
    assert answered.answered_by == "voicemail"
    assert (ended.outcome, ended.cause) == ("voicemail", "normalClearing")


def test_caller_who_hangs_up_in_a_queue_abandoned_it() -> None:
    event = run("hangup_queue.json")
    assert isinstance(event, ev.CallEnded)
    assert (event.outcome, event.cause, event.caller.handle) == (
        "abandoned",
        "cancel",
        "+49891234567",  # "0049 89 1234567"
    )


CAUSES = [
    ("normalClearing", "completed"),
    ("busy", "busy"),
    ("cancel", "canceled"),
    ("noAnswer", "no_answer"),
    ("congestion", "failed"),
    ("notFound", "failed"),
    ("unavailable", "failed"),
    ("forwarded", "completed"),
]


def test_the_cause_table_covers_every_cause() -> None:
    assert dict(CAUSES) == OUTCOMES


@pytest.mark.parametrize(("cause", "outcome"), CAUSES)
def test_every_hangup_cause(cause: str, outcome: str) -> None:
    event = hangup(cause)
    assert (event.outcome, event.cause) == (outcome, cause)


def test_unknown_and_missing_causes() -> None:
    assert (hangup("somethingNew").outcome, hangup("somethingNew").cause) == (
        "failed",
        "somethingNew",
    )
    assert (hangup("").outcome, hangup("").cause) == ("completed", None)


@pytest.mark.parametrize(
    ("number", "handle", "who"),
    [
        ("030/1234567", "+49301234567", "+49301234567"),
        ("+49 30 1234567", "+49301234567", "+49301234567"),
        ("0049301234567", "+49301234567", "+49301234567"),
        ("0049 (0)30 123 45 67", "+49301234567", "+49301234567"),
        ("anonymous", "anonymous", "call:c1"),  # withheld callers never share a thread
        ("", "", "call:c1"),
    ],
)
def test_caller_numbers(number: str, handle: str, who: str) -> None:
    event = hangup("normalClearing", **{"from": number})
    assert event.caller.handle == handle
    assert bool(event.caller.identifiers) is handle.startswith("+")
    assert event.conversation_key == f"acme/voice/pbx-berlin/{who}"


def test_several_users_are_joined() -> None:
    body = b"event=answer&direction=in&callId=c3&user%5B%5D=Ann&user%5B%5D=Bo"
    [event] = normalize(body, CTX)
    assert isinstance(event, ev.CallAnswered)
    assert event.answered_by == "Ann, Bo"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"event=ring&direction=in&callId=c", "schema_mismatch"),
        (b"event=hangup&direction=sideways&callId=c", "schema_mismatch"),
        (b"event=hangup&direction=in", "schema_mismatch"),
        (b"direction=in&callId=c", "schema_mismatch"),
        (b'{"event": "newCall"', "malformed"),
        (b'{"event": "newCall", "direction": "in", "callId": {"a": 1}}', "schema_mismatch"),
        (b"\xff\xfe", "malformed"),
    ],
)
def test_bad_requests(body: bytes, reason: str) -> None:
    with pytest.raises(PermanentError) as caught:
        normalize(body, CTX)
    assert caught.value.reason == reason
