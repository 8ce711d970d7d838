"""``hotline normalize voice-twilio FILE``: our fixtures, and a raw HTTP capture checked with
``--secret`` as the edge checks it (or run ``--unverified``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hotline import twilio
from hotline.channels import registered
from hotline.cli import app
from tests.unit.voice.helpers import FIXTURES, fixture
from tests.unit.voice.test_twilio_normalize import TABLE

SECRET = "capture-token"


def run(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["normalize", "voice-twilio", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_registered() -> None:
    assert registered()["voice-twilio"].request is not None


def test_every_fixture_normalizes_to_its_table_row() -> None:
    files = sorted(FIXTURES.glob("*.form"))
    lines = run(*map(str, files))
    assert [line.get("error") for line in lines] == [None] * len(files)
    produced = {Path(str(line["file"])).stem: line["events"] for line in lines}
    assert {k: len(v) for k, v in produced.items()} == {k: len(v) for k, v in TABLE.items()}
    types = [e["type"] for events in produced.values() for e in events]
    assert {t for t in types} == {
        "call.started.v1",
        "call.answered.v1",
        "call.ended.v1",
        "call.recording.v1",
        "call.transcript.v1",
    }


def capture(tmp_path: Path, query: str, signature: str) -> Path:
    body = fixture("recording_completed")
    head = (
        f"POST /webhooks/voice/twilio{query} HTTP/1.1\r\nHost: hotline.example.com\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\n\r\n"
    )
    path = tmp_path / "callback.http"
    path.write_bytes(head.encode() + body)
    return path


def test_a_capture_checked_with_its_secret(tmp_path: Path) -> None:
    url = "https://hotline.example.com/webhooks/voice/twilio?voicemail=1"
    pairs = twilio.parse_form(fixture("recording_completed")).pairs
    good = capture(tmp_path, "?voicemail=1", twilio.sign(SECRET.encode(), url, pairs))
    [line] = run("--secret", SECRET, str(good))
    assert line["verified"] is True
    assert [e["type"] for e in line["events"]] == ["call.recording.v1", "call.voicemail.v1"]
    [refused] = run("--secret", "another-token", str(good))
    assert refused["error"] == {
        "reason": "bad_signature",
        "detail": "the signature does not match this secret",
    }
    [unchecked] = run("--unverified", str(capture(tmp_path, "", "forged")))
    assert unchecked["verified"] is False and len(unchecked["events"]) == 1
