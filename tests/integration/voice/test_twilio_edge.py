"""Twilio Voice through the real HTTP edge onto the real broker: one call's callbacks (it
rings, is answered, ends, gets a recording and a transcript), signed, shuffled and repeated,
are exactly one event per step on hotline.inbound.voice, with the deterministic ids, keyed by
the call's conversation; a bad signature is 401 and produces nothing."""

from __future__ import annotations

import random

import pytest

from hotline import events as ev
from hotline.topics import INBOUND_VOICE
from tests.integration.voice.conftest import Running
from tests.kafka_helpers import read_all, total_records
from tests.unit.voice.helpers import ACCOUNT, CALL, CALLER, RECORDING, fixture, signed

pytestmark = pytest.mark.integration

CALLBACKS = [
    "status_initiated",
    "status_ringing",
    "status_in_progress",
    "status_completed",
    "recording_completed",
    "transcription_completed",
]
STEPS = {
    "call.started": ev.CallStarted,
    "call.answered": ev.CallAnswered,
    "call.ended": ev.CallEnded,
    f"call.recording:{RECORDING}": ev.CallRecording,
    f"call.transcript:{RECORDING}": ev.CallTranscript,
}


CALL_EVENTS = (ev.CallStarted, ev.CallAnswered, ev.CallEnded, ev.CallRecording, ev.CallTranscript)


def step_id(step: str) -> str:
    return ev.event_id_for("acme", "voice", CALL, step)


async def test_a_call_shuffled_and_repeated_is_one_event_per_step(
    voice: Running, kafka: str
) -> None:
    bodies = [fixture(name) for name in CALLBACKS] * 3  # every callback retried twice
    random.Random(25).shuffle(bodies)
    before = await total_records(kafka, INBOUND_VOICE)
    url = voice.settings.twilio_webhook_url
    for body in bodies:
        res = await voice.client.post(url, content=body, headers=signed(body, url))
        assert res.status_code == 200, res.text
    assert await total_records(kafka, INBOUND_VOICE) - before == len(STEPS)
    records = await read_all(kafka, INBOUND_VOICE)
    landed = [(r, ev.decode(r.value)) for r in records]
    ours = [(r, e) for r, e in landed if isinstance(e, CALL_EVENTS) and e.call_id == CALL]
    assert sorted(e.event_id for _, e in ours) == sorted(step_id(s) for s in STEPS)
    for step, kind in STEPS.items():
        [event] = [e for _, e in ours if e.event_id == step_id(step)]
        assert isinstance(event, kind) and event.channel.account_id == ACCOUNT
    ended = next(e for _, e in ours if isinstance(e, ev.CallEnded))
    assert (ended.outcome, ended.duration_s) == ("completed", 154)
    keys = {r.key for r, e in ours if e.caller.handle == CALLER}
    assert keys == {f"acme/voice/{ACCOUNT}/{CALLER}".encode()}


async def test_a_bad_signature_is_401_and_produces_nothing(voice: Running, kafka: str) -> None:
    before = await total_records(kafka, INBOUND_VOICE, f"{INBOUND_VOICE}.dlq")
    url = voice.settings.twilio_webhook_url
    body = fixture("status_busy")
    forged = signed(body, url, token="not-the-auth-token")
    res = await voice.client.post(url, content=body, headers=forged)
    assert res.status_code == 401 and res.json()["error"] == "bad_signature"
    wrong_url = signed(body, url.replace("/twilio", "/other"))
    assert (await voice.client.post(url, content=body, headers=wrong_url)).status_code == 401
    assert await total_records(kafka, INBOUND_VOICE, f"{INBOUND_VOICE}.dlq") == before
