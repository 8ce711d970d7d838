"""Vonage event webhooks -> call events, table-tested on recorded payloads: every status,
a recording, a transcription and an input event; numbers, ids, durations and causes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from hotline import events as ev
from hotline.kafka.errors import PermanentError
from tests.fixtures.voice import recorded
from voice.calls import CallContext
from voice.providers.vonage.normalize import ENDED, IGNORED, STARTED, normalize

APP = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
CTX = CallContext("acme", APP, datetime(2026, 12, 7, 8, 0, tzinfo=UTC), "DE")
INBOUND_CALL = "CON-4bf66420-d6cb-46e0-9ba9-f7eede9a7301"
OUTBOUND_CALL = "CON-9c1a7d2e-51f3-4b0a-8e6d-2f7b3c4d5e6f"


@dataclass(frozen=True)
class Case:
    fixture: str
    kind: type[ev.Event] | None  # None: nothing produced
    outcome: str | None = None
    talk_s: int | None = None
    cause: str | None = None


CASES = [
    Case("started", ev.CallStarted),
    Case("ringing", ev.CallStarted),
    Case("answered", ev.CallAnswered),
    Case("disconnected", None),
    Case("completed", ev.CallEnded, "completed", 121, "completed"),
    Case("completed_outbound", ev.CallEnded, "completed", 47, "completed"),
    Case("busy", ev.CallEnded, "busy", None, "busy"),
    Case("cancelled", ev.CallEnded, "canceled", None, "cancelled"),
    Case("unanswered", ev.CallEnded, "no_answer", None, "unavailable"),
    Case("rejected", ev.CallEnded, "failed", None, "restricted"),
    Case("failed", ev.CallEnded, "failed", None, "invalid_number"),
    Case("timeout", ev.CallEnded, "no_answer", None, "ring_timeout"),
    Case("transcription", None),
    Case("input", None),
]


def run(name: str) -> list[ev.CallEvent]:
    return normalize(recorded("vonage", f"{name}.json"), CTX)


DOCUMENTED = {
    "started", "ringing", "answered", "busy", "cancelled", "unanswered",
    "disconnected", "rejected", "failed", "timeout", "completed",
}  # fmt: skip


def test_every_documented_status_has_a_recorded_case_and_a_rule() -> None:
    recorded_statuses = {
        json.loads(recorded("vonage", f"{c.fixture}.json")).get("status") for c in CASES
    }
    assert recorded_statuses >= DOCUMENTED
    assert STARTED | {"answered"} | set(ENDED) | IGNORED >= DOCUMENTED


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fixture)
def test_status_table(case: Case) -> None:
    out = run(case.fixture)
    if case.kind is None:
        assert out == []
        return
    [event] = out
    assert type(event) is case.kind
    assert isinstance(event, ev.CallStarted | ev.CallAnswered | ev.CallEnded)
    assert event.channel == ev.ChannelRef(kind="voice", account_id=APP)
    assert event.tenant == "acme"
    if isinstance(event, ev.CallEnded):
        assert (event.outcome, event.talk_s, event.cause) == (case.outcome, case.talk_s, case.cause)
        assert event.duration_s == case.talk_s


def test_inbound_caller_is_from_and_line_is_to_international_whatever_the_region() -> None:
    [event] = run("started")
    assert isinstance(event, ev.CallStarted)
    assert event.direction == "inbound"
    assert event.caller.handle == "+447700900000"  # not read as a German national number
    assert [(i.kind, i.value, i.source, i.level) for i in event.caller.identifiers] == [
        ("phone", "+447700900000", "vonage.from", "carrier_asserted")
    ]
    assert event.line == "+447700900001"
    assert event.conversation_key == f"acme/voice/{APP}/+447700900000"
    assert event.provider_timestamp == datetime(2026, 12, 7, 8, 0, 1, 284000, tzinfo=UTC)


def test_outbound_caller_is_to() -> None:
    [event] = run("busy")
    assert isinstance(event, ev.CallEnded)
    assert (event.direction, event.caller.handle, event.line) == (
        "outbound",
        "+447700900002",
        "+447700900001",
    )
    assert event.caller.identifiers[0].source == "vonage.to"


def test_one_call_id_and_deterministic_event_ids_per_step() -> None:
    started, ringing = run("started")[0], run("ringing")[0]
    answered, ended = run("answered")[0], run("completed")[0]
    assert started.event_id == ringing.event_id  # a repeat of the same step
    assert started.event_id == ev.event_id_for("acme", "voice", INBOUND_CALL, "call.started")
    assert answered.event_id == ev.event_id_for("acme", "voice", INBOUND_CALL, "call.answered")
    assert ended.event_id == ev.event_id_for("acme", "voice", INBOUND_CALL, "call.ended")
    assert {e.provider_message_id for e in (started, answered, ended)} == {INBOUND_CALL}
    assert run("busy")[0].provider_message_id == OUTBOUND_CALL


def test_answered_by_our_number() -> None:
    [event] = run("answered")
    assert isinstance(event, ev.CallAnswered)
    assert event.answered_by == "+447700900001"


def test_recording_names_the_conversation_and_its_file() -> None:
    [event] = run("recording")
    assert isinstance(event, ev.CallRecording)
    rid = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
    assert event.call_id == INBOUND_CALL
    assert event.event_id == ev.event_id_for("acme", "voice", INBOUND_CALL, f"call.recording:{rid}")
    assert event.recording_id == rid
    assert event.recording.ref == f"provider:vonage/{rid}"
    assert event.recording.source_url == f"https://api.nexmo.com/v1/files/{rid}"
    assert (event.recording.mime_type, event.recording.size) == ("audio/mpeg", 28910)
    assert event.duration_s == 121  # end_time - start_time
    assert event.caller.handle == ""  # Vonage names no numbers on recordings
    assert event.conversation_key == f"acme/voice/{APP}/call:{INBOUND_CALL}"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "malformed"),
        (b"[]", "schema_mismatch"),
        (b'{"status": "started"}', "schema_mismatch"),  # no call id
        (b'{"uuid": "u1", "status": "completed", "duration": [1]}', "schema_mismatch"),
    ],
)
def test_bad_bodies(body: bytes, reason: str) -> None:
    with pytest.raises(PermanentError) as caught:
        normalize(body, CTX)
    assert caught.value.reason == reason


def test_leg_uuid_is_the_call_without_a_conversation() -> None:
    [event] = normalize(b'{"uuid": "leg-1", "status": "ringing", "from": "4930123456"}', CTX)
    assert event.provider_message_id == "leg-1"
