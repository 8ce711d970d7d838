"""Which callback a Twilio Voice body is, and what it says (pure parsing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline import twilio
from hotline.kafka.errors import PermanentError
from tests.unit.voice.helpers import CALL, RECORDING, form
from voice.providers.twilio import parse as p

KINDS = {
    "status_queued": p.Status,
    "status_completed": p.Status,
    "queue_abandoned": p.Status,
    "outbound_initiated": p.Status,
    "recording_completed": p.Recording,
    "recording_absent": p.Recording,
    "transcription_completed": p.Transcription,
    "transcription_failed": p.Transcription,
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kind_of_callback(name: str) -> None:
    assert type(p.callback(form(name))) is KINDS[name]


def test_status_fields() -> None:
    cb = p.callback(form("queue_abandoned"))
    assert isinstance(cb, p.Status)
    assert (cb.status, cb.duration_s, cb.queue_time, cb.queue_result) == (
        "completed",
        97,
        94,
        "hangup",
    )
    assert cb.queue == "QU0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert cb.leg == p.Leg(
        CALL,
        "inbound",
        "+4930123456789",
        "+4930555000111",
        datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
    )


def test_call_duration_wins_over_billed_minutes() -> None:
    cb = p.callback(form("status_completed"))
    assert isinstance(cb, p.Status) and cb.duration_s == 154  # Duration=3 (minutes) ignored


def test_recording_fields() -> None:
    cb = p.callback(form("recording_completed"))
    assert isinstance(cb, p.Recording)
    assert (cb.sid, cb.status, cb.duration_s, cb.channels) == (RECORDING, "completed", 147, 2)
    assert cb.url.endswith(f"/Recordings/{RECORDING}")
    assert (cb.leg.caller, cb.leg.direction) == ("", "")  # a recording callback names neither
    assert cb.leg.at == datetime(2026, 12, 7, 9, 0, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"CallSid": "CA1", "CallStatus": "ringing", "CallDuration": 0}', None),
        (b'{"CallSid": "CA1", "CallStatus": "ringing", "x": null, "y": true}', None),
        (b"{not json", "malformed"),
        (b'["CallSid"]', "schema_mismatch"),
        (b'{"CallSid": {"nested": 1}}', "schema_mismatch"),
    ],
)
def test_json_bodies_read_as_forms(body: bytes, reason: str | None) -> None:
    if reason is None:
        f = p.json_form(body)
        assert f.fields["CallSid"] == "CA1"
        assert isinstance(p.callback(f), p.Status)
        return
    with pytest.raises(PermanentError) as err:
        p.json_form(body)
    assert err.value.reason == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 07 Dec 2026 09:00:00 +0000", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 10:00:00 +0100", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 09:00:00", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_timestamps(text: str, expected: datetime | None) -> None:
    pairs = [("CallSid", "CA1"), ("CallStatus", "ringing"), ("Timestamp", text)]
    cb = p.callback(twilio.Form(pairs, dict(pairs)))
    assert cb.leg.at == expected
