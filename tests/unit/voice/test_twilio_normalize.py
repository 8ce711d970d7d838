"""Twilio Voice callbacks -> call events, one table row per recorded payload (every
CallStatus, queue results, outbound, recordings, transcriptions, odd callers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from hotline import events as ev
from hotline import twilio
from hotline.kafka.errors import PermanentError
from tests.unit.voice.helpers import ACCOUNT, CALL, CALLER, CTX, LINE, RECORDING, form
from voice.providers.twilio.normalize import normalize

OUTBOUND = "CA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
REC_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}"


def summary(e: ev.CallEvent) -> dict[str, Any]:
    """The fields a row checks: the tag, and what that kind of event says."""
    out: dict[str, Any] = {"type": type(e).__struct_config__.tag, "direction": e.direction}
    if isinstance(e, ev.CallStarted):
        out |= {"queue": e.queue, "ivr": e.ivr_selection}
    if isinstance(e, ev.CallAnswered):
        out |= {"by": e.answered_by}
    if isinstance(e, ev.CallEnded):
        out |= {"outcome": e.outcome, "s": (e.duration_s, e.talk_s, e.wait_s), "cause": e.cause}
    if isinstance(e, ev.CallRecording | ev.CallVoicemail) and e.recording is not None:
        r = e.recording
        out |= {"ref": r.ref, "url": r.source_url, "error": r.fetch_error, "dur": e.duration_s}
    if isinstance(e, ev.CallRecording):
        out |= {"channels": e.channels, "id": e.recording_id}
    if isinstance(e, ev.CallTranscript):
        out |= {"text": e.text, "engine": e.engine, "id": e.recording_id}
    return out


IN, OUT = "inbound", "outbound"
TRANSCRIPT = "Hallo, mein Router blinkt rot seit dem Update. Bitte rufen Sie mich zurück."
ENDED_NOTHING = (0, None, None)
TABLE: dict[str, list[dict[str, Any]]] = {
    "status_queued": [{"type": "call.started.v1", "direction": IN, "queue": None, "ivr": None}],
    "status_initiated": [{"type": "call.started.v1", "direction": IN, "queue": None, "ivr": None}],
    "status_ringing": [{"type": "call.started.v1", "direction": IN, "queue": None, "ivr": None}],
    "status_in_progress": [{"type": "call.answered.v1", "direction": IN, "by": LINE}],
    "status_completed": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "completed",
            "s": (154, 154, None),
            "cause": "completed",
        }
    ],
    "status_busy": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "busy",
            "s": ENDED_NOTHING,
            "cause": "busy",
        }
    ],
    "status_no_answer": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "no_answer",
            "s": ENDED_NOTHING,
            "cause": "no-answer",
        }
    ],
    "status_canceled": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "canceled",
            "s": ENDED_NOTHING,
            "cause": "canceled",
        }
    ],
    "status_failed": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "failed",
            "s": ENDED_NOTHING,
            "cause": "failed",
        }
    ],
    "queue_abandoned": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "abandoned",
            "s": (97, None, 94),
            "cause": "completed (hangup)",
        }
    ],
    "queue_bridged": [
        {
            "type": "call.ended.v1",
            "direction": IN,
            "outcome": "completed",
            "s": (220, 180, 40),
            "cause": "completed (bridged)",
        }
    ],
    "outbound_initiated": [
        {"type": "call.started.v1", "direction": OUT, "queue": None, "ivr": None}
    ],
    "outbound_answered": [{"type": "call.answered.v1", "direction": OUT, "by": CALLER}],
    "outbound_completed": [
        {
            "type": "call.ended.v1",
            "direction": OUT,
            "outcome": "completed",
            "s": (61, 61, None),
            "cause": "completed",
        }
    ],
    "national_caller": [{"type": "call.started.v1", "direction": IN, "queue": None, "ivr": None}],
    "withheld_caller": [{"type": "call.started.v1", "direction": IN, "queue": None, "ivr": None}],
    "recording_completed": [
        {
            "type": "call.recording.v1",
            "direction": IN,
            "ref": f"provider:twilio/{RECORDING}",
            "url": REC_URL,
            "error": None,
            "dur": 147,
            "channels": 2,
            "id": RECORDING,
        }
    ],
    "recording_absent": [
        {
            "type": "call.recording.v1",
            "direction": IN,
            "ref": "provider:twilio/RE00000000000000000000000000000001",
            "url": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/"
            "RE00000000000000000000000000000001",
            "error": "twilio: recording absent",
            "dur": 0,
            "channels": 1,
            "id": "RE00000000000000000000000000000001",
        }
    ],
    "transcription_completed": [
        {
            "type": "call.transcript.v1",
            "direction": IN,
            "text": TRANSCRIPT,
            "engine": "twilio",
            "id": RECORDING,
        }
    ],
    "transcription_failed": [],
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_recorded_callback(name: str) -> None:
    assert [summary(e) for e in normalize(form(name), CTX)] == TABLE[name]


def test_every_call_status_has_a_row() -> None:
    statuses = {form(n).fields.get("CallStatus") for n in TABLE if n.startswith("status_")}
    assert statuses == {
        "queued", "initiated", "ringing", "in-progress", "completed",
        "busy", "no-answer", "canceled", "failed",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("status_queued", "call.started"),
        ("status_ringing", "call.started"),
        ("status_in_progress", "call.answered"),
        ("status_completed", "call.ended"),
        ("recording_completed", f"call.recording:{RECORDING}"),
        ("transcription_completed", f"call.transcript:{RECORDING}"),
    ],
)
def test_ids_are_one_per_step_of_one_call(name: str, step: str) -> None:
    [e] = normalize(form(name), CTX)
    assert e.event_id == ev.event_id_for("acme", "voice", CALL, step)
    assert (e.call_id, e.provider_message_id, e.tenant) == (CALL, CALL, "acme")
    assert e.channel == ev.ChannelRef(kind="voice", account_id=ACCOUNT)


def test_the_caller_is_a_carrier_asserted_phone_keyed_into_one_conversation() -> None:
    [e] = normalize(form("status_ringing"), CTX)
    assert e.caller == ev.Sender(
        handle=CALLER,
        identifiers=[ev.identifier("phone", CALLER, "carrier_asserted", source="twilio.from")],
    )
    assert e.line == LINE
    assert e.conversation_key == f"acme/voice/{ACCOUNT}/{CALLER}"
    assert e.provider_timestamp == datetime(2026, 12, 7, 9, 0, 1, tzinfo=UTC)


def test_outbound_the_customer_is_the_callee() -> None:
    [e] = normalize(form("outbound_answered"), CTX)
    assert (e.caller.handle, e.line) == (CALLER, LINE)
    assert e.caller.identifiers[0].source == "twilio.to"
    assert e.conversation_key == f"acme/voice/{ACCOUNT}/{CALLER}"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("030/1234567", "DE", "+49301234567"),
        ("030 1234 567", "DE", "+49301234567"),
        ("+49 30 1234567", "US", "+49301234567"),
        ("(415) 555-0100", "US", "+14155550100"),
    ],
)
def test_national_callers_in_the_accounts_region(raw: str, region: str, expected: str) -> None:
    pairs = [(k, raw if k in ("From", "Caller") else v) for k, v in form("national_caller").pairs]
    body = twilio.Form(pairs, dict(pairs))
    [e] = normalize(body, replace(CTX, region=region))
    assert e.caller.handle == expected
    assert e.caller.identifiers[0].level == "carrier_asserted"
    assert e.conversation_key.endswith(f"/{expected}")


def test_a_withheld_caller_has_no_identifier_and_is_keyed_by_its_call() -> None:
    [e] = normalize(form("withheld_caller"), CTX)
    assert (e.caller.handle, e.caller.identifiers) == ("anonymous", [])
    assert e.conversation_key == f"acme/voice/{ACCOUNT}/call:CA99990000111122223333444455556666"


def test_a_recording_callback_without_caller_is_keyed_by_its_call() -> None:
    [e] = normalize(form("recording_completed"), CTX)
    assert (e.caller.handle, e.caller.identifiers) == ("", [])
    assert e.conversation_key == f"acme/voice/{ACCOUNT}/call:{CALL}"


def test_voicemail_marker_makes_a_voicemail_and_ends_the_call_as_one() -> None:
    vm = replace(CTX, flags=frozenset({"voicemail"}))
    recording, voicemail = normalize(form("recording_completed"), vm)
    assert isinstance(recording, ev.CallRecording) and isinstance(voicemail, ev.CallVoicemail)
    assert voicemail.recording == recording.recording and voicemail.duration_s == 147
    assert voicemail.event_id == ev.event_id_for("acme", "voice", CALL, "call.voicemail")
    [ended] = normalize(form("status_completed"), vm)
    assert isinstance(ended, ev.CallEnded) and ended.outcome == "voicemail"


def test_a_recording_still_in_progress_is_nothing_yet() -> None:
    pairs = [(k, "in-progress" if k == "RecordingStatus" else v) for k, v in
             form("recording_completed").pairs]  # fmt: skip
    assert normalize(twilio.Form(pairs, dict(pairs)), CTX) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"CallSid": ""}, "schema_mismatch"),
        ({"CallStatus": ""}, "schema_mismatch"),
        ({"CallStatus": "teleported"}, "unknown_status"),
        ({"Direction": "sideways"}, "schema_mismatch"),
        ({"CallDuration": "12s"}, "schema_mismatch"),
    ],
)
def test_bad_fields(change: dict[str, str], reason: str) -> None:
    pairs = [(k, change.get(k, v)) for k, v in form("status_completed").pairs]
    with pytest.raises(PermanentError) as err:
        normalize(twilio.Form(pairs, dict(pairs)), CTX)
    assert err.value.reason == reason
