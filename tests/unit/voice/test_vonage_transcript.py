"""Vonage transcription events -> the transcript to fetch, and the fetched document -> text:
a recorded event and document, split channels, raw sentences, unreadable documents."""

from __future__ import annotations

import json

import httpx
import pytest
from prometheus_client import CollectorRegistry

from hotline import events as ev
from hotline.accounts import Account
from hotline.blobs import MemoryBlobStore
from hotline.blobs.fetch import FetchLimits
from hotline.kafka.errors import PermanentError
from tests.fixtures.voice import VONAGE_PEM, recorded
from tests.unit.voice.test_vonage_normalize import APP, CTX, INBOUND_CALL
from voice.providers.vonage.transcript import pending, read
from voice.recordings import RecordingCopier
from voice.transcripts import TranscriptFetcher, transcript_counter

RECORDING = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
ACCOUNT = Account(
    "voice", APP, "acme", {"private_key": (VONAGE_PEM,)}, {"source": "vonage"}, version=1
)
FILE_URL = "https://api.nexmo.com/v1/files/cccccccc-dddd-eeee-ffff-0123456789ab"


def test_a_transcription_event_names_its_document_and_the_transcript_fields() -> None:
    found = pending(recorded("vonage", "transcription.json"), CTX)
    assert found is not None
    assert (found.url, found.recording_id, found.engine) == (FILE_URL, RECORDING, "vonage")
    step = f"call.transcript:{RECORDING}"
    assert found.fields["event_id"] == ev.event_id_for("acme", "voice", INBOUND_CALL, step)
    assert found.fields["provider_message_id"] == INBOUND_CALL
    assert found.fields["channel"] == ev.ChannelRef(kind="voice", account_id=APP)
    # no numbers on the event: keyed by the call until a status callback names the caller
    assert found.fields["conversation_key"] == f"acme/voice/{APP}/call:{INBOUND_CALL}"
    assert found.language is None


def test_language_and_a_missing_recording_uuid() -> None:
    doc = json.loads(recorded("vonage", "transcription.json"))
    del doc["recording_uuid"]
    found = pending(json.dumps({**doc, "language": "de-DE"}).encode(), CTX)
    assert found is not None
    assert (found.recording_id, found.language) == (FILE_URL.rsplit("/", 1)[1], "de-DE")


@pytest.mark.parametrize("name", ["started", "completed", "recording", "input"])
def test_other_events_name_no_transcript(name: str) -> None:
    assert pending(recorded("vonage", f"{name}.json"), CTX) is None


def test_document_text_per_channel_punctuated_else_raw() -> None:
    text, language = read(recorded("vonage", "transcript_document.json"))
    assert text == (
        "Hello, my router keeps dropping the line. since monday"
        "\n\nThanks, let me check that for you."
    )
    assert language is None
    assert read(b'{"channels": [], "language": "en-GB"}') == ("", "en-GB")


@pytest.mark.parametrize(
    ("document", "reason"),
    [(b"<html>", "malformed"), (b'{"channels": {"transcript": 1}}', "schema_mismatch")],
)
def test_unreadable_documents(document: bytes, reason: str) -> None:
    with pytest.raises(PermanentError) as exc:
        read(document)
    assert exc.value.reason == reason


def fetcher(answers: dict[str, httpx.Response] | None) -> TranscriptFetcher:
    """A fetcher whose HTTP answers are ``answers`` by path (None: it copies no files)."""
    counter = transcript_counter(CollectorRegistry())
    if answers is None:
        return TranscriptFetcher(None, counter)
    transport = httpx.MockTransport(lambda req: answers[req.url.path])
    limits = FetchLimits(budget=2.0, attempts=1, max_bytes=10_000, hosts=("api.nexmo.com",))
    copier = RecordingCopier(MemoryBlobStore(), httpx.AsyncClient(transport=transport), limits)
    return TranscriptFetcher(copier, counter)


def counted(f: TranscriptFetcher, outcome: str) -> float:
    value: float = f.counter.labels("vonage", outcome)._value.get()
    return value


async def fetch(f: TranscriptFetcher, account: Account = ACCOUNT) -> list[ev.CallEvent]:
    found = pending(recorded("vonage", "transcription.json"), CTX)
    assert found is not None
    return await f.fetch(found, account)


DOC_PATH = "/v1/files/cccccccc-dddd-eeee-ffff-0123456789ab"
DOCUMENT = recorded("vonage", "transcript_document.json")


async def test_a_fetched_document_is_published_and_counted() -> None:
    f = fetcher({DOC_PATH: httpx.Response(200, content=DOCUMENT)})
    [event] = await fetch(f)
    assert isinstance(event, ev.CallTranscript)
    assert event.text.startswith("Hello, my router") and event.engine == "vonage"
    assert event.recording_id == RECORDING
    assert (counted(f, "published"), counted(f, "failed")) == (1.0, 0.0)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404),
        httpx.Response(200, content=b'{"channels": []}'),  # empty
        httpx.Response(200, content=b"<html>"),  # unreadable
    ],
    ids=["404", "empty", "unreadable"],
)
async def test_nothing_published_when_the_document_cannot_be_had(answer: httpx.Response) -> None:
    f = fetcher({DOC_PATH: answer})
    assert await fetch(f) == []
    assert (counted(f, "published"), counted(f, "failed")) == (0.0, 1.0)


async def test_no_key_or_no_file_copying_publishes_nothing() -> None:
    keyless = Account("voice", APP, "acme", {}, {"source": "vonage"}, version=1)
    for f, account in ((fetcher({}), keyless), (fetcher(None), ACCOUNT)):
        assert await fetch(f, account) == []  # fetcher({}): any request would fail the test
        assert counted(f, "failed") == 1.0
