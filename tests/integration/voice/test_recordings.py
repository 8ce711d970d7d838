"""Recordings copied before publish, through the real voice edge and broker: a Twilio
recording callback and a Vonage recording event name a file on a local HTTP server that
answers like the provider (Twilio: Basic ``AccountSid:auth_token``; Vonage: a bearer JWT
signed with the application's private key). The published ``call.recording`` carries the
blob (in the file store, its size and sha256) and still the provider's ``source_url``; a
file served late, or after a 503, still lands; a 404 and a Vonage account without a private
key are published with ``fetch_error`` (visible, never missing). A Vonage transcription
event's document is fetched the same way (after a 503 too) and published as a
``call.transcript``; one that 404s, or whose account has no key, publishes nothing and is
counted as failed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import jwt
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.blobs import PREFIX, FileBlobStore
from hotline.topics import INBOUND_VOICE
from hotline_tools.devstack.broker import free_port
from tests.fixtures.voice import VONAGE_KEY, VONAGE_PEM
from tests.http_helpers import serve_app
from tests.integration.voice.conftest import Running, serve
from tests.kafka_helpers import read_all
from tests.unit.voice.helpers import settings_for, signed
from voice.providers.vonage.verify import token_for

pytestmark = pytest.mark.integration
SID, TOKEN = "AC" + "7" * 32, "rec-twilio-auth-token"
APP, NO_KEY_APP = "aaaaaaaa-0000-4000-8000-00000000aaaa", "bbbbbbbb-0000-4000-8000-00000000bbbb"
SECRET = "rec-vonage-signature-secret-0123456789"
TRANSCRIPT = b'{"channels": [{"transcript": [{"sentence": "My line is down."}]}]}'
AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00" + hashlib.sha256(b"a call").digest() * 200


@dataclass
class Provider:
    base: str = ""
    stall_once: set[str] = field(default_factory=set)  # answered after 1 s, once
    fail_once: set[str] = field(default_factory=set)  # a 503 first
    gets: list[str] = field(default_factory=list)


def provider_app(p: Provider) -> FastAPI:
    app = FastAPI()

    async def answer(rid: str) -> Response:
        p.gets.append(rid)
        if rid in p.stall_once:
            p.stall_once.discard(rid)
            await asyncio.sleep(1.0)
        if rid in p.fail_once:
            p.fail_once.discard(rid)
            return Response(status_code=503)
        if rid.endswith("gone"):
            return Response(b'{"status": 404}', status_code=404)
        if rid.startswith("vtr-"):
            return Response(TRANSCRIPT, media_type="application/json")
        return Response(AUDIO, media_type="audio/mpeg")

    @app.get("/2010-04-01/Accounts/{sid}/Recordings/{rid}")
    async def twilio(sid: str, rid: str, request: Request) -> Response:
        basic = request.headers.get("authorization", "")
        if sid != SID or basic != "Basic " + _b64(f"{SID}:{TOKEN}"):
            return Response(status_code=401)
        return await answer(rid)

    @app.get("/v1/files/{uuid}")
    async def vonage(uuid: str, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, VONAGE_KEY.public_key(), algorithms=["RS256"])
        except jwt.InvalidTokenError:
            return Response(status_code=401)
        return await answer(uuid) if claims["application_id"] == APP else Response(status_code=403)

    return app


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    p = Provider()
    async with serve_app(provider_app(p)) as p.base:
        yield p


@pytest.fixture
async def voice(kafka: str, tmp_path: Path) -> AsyncIterator[Running]:
    settings = settings_for(
        kafka,
        free_port(),
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        blob_dir=tmp_path,
        recording_budget=5.0,
    )
    async with serve(settings) as running:
        registry = running.app.state.accounts
        assert isinstance(registry, AccountRegistry)
        secrets = {"signature_secret": (SECRET,), "private_key": (VONAGE_PEM,)}
        registry.put(Account("voice", APP, "acme", secrets, {"source": "vonage"}, version=1))
        bare = {"signature_secret": (SECRET,)}
        registry.put(Account("voice", NO_KEY_APP, "acme", bare, {"source": "vonage"}, version=1))
        yield running


def twilio_recording(p: Provider, rid: str) -> bytes:
    fields = {
        "AccountSid": SID,
        "CallSid": f"CA{rid}",
        "RecordingSid": rid,
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
        "RecordingChannels": "1",
        "RecordingUrl": f"{p.base}/2010-04-01/Accounts/{SID}/Recordings/{rid}",
    }
    return urlencode(fields).encode()


async def post_twilio(voice: Running, body: bytes) -> None:
    url = voice.settings.twilio_webhook_url
    res = await voice.client.post(url, content=body, headers=signed(body, url, TOKEN))
    assert res.status_code == 200, res.text


async def post_vonage(voice: Running, p: Provider, rid: str, app: str = APP) -> None:
    doc = {
        "conversation_uuid": f"CON-{rid}",
        "recording_uuid": rid,
        "recording_url": f"{p.base}/v1/files/{rid}",
        "start_time": "2026-12-07T09:00:00Z",
        "end_time": "2026-12-07T09:00:12Z",
    }
    body = json.dumps(doc).encode()
    headers = {"authorization": f"Bearer {token_for(SECRET, body, app, time.time())}"}
    res = await voice.client.post("/webhooks/voice/vonage", content=body, headers=headers)
    assert res.status_code == 200, res.text


async def published(kafka: str, rid: str) -> ev.AttachmentRef:
    for _ in range(100):
        for record in await read_all(kafka, INBOUND_VOICE):
            event = ev.decode(record.value)
            if isinstance(event, ev.CallRecording) and event.recording_id == rid:
                return event.recording
        await asyncio.sleep(0.1)
    raise AssertionError(f"no call.recording for {rid}")


def assert_stored(ref: ev.AttachmentRef, blobs: Path, url: str) -> None:
    assert ref.ref.startswith(PREFIX) and ref.fetch_error is None, ref
    assert (ref.size, ref.sha256) == (len(AUDIO), hashlib.sha256(AUDIO).hexdigest())
    assert ref.source_url == url  # the provider's link stays on the event
    assert FileBlobStore(blobs).get(ref.ref) == AUDIO


async def test_twilio_served_late_and_after_a_503_all_land(
    voice: Running, provider: Provider, kafka: str
) -> None:
    provider.stall_once.add("RErecslow")
    provider.fail_once.add("RErec503")
    blobs = voice.settings.blob_dir
    assert blobs is not None
    for rid in ("RErecok", "RErecslow", "RErec503"):
        await post_twilio(voice, twilio_recording(provider, rid))
        url = f"{provider.base}/2010-04-01/Accounts/{SID}/Recordings/{rid}"
        assert_stored(await published(kafka, rid), blobs, url)
    assert provider.gets.count("RErec503") == 2  # retried once


async def test_twilio_404_is_published_as_failed(
    voice: Running, provider: Provider, kafka: str
) -> None:
    await post_twilio(voice, twilio_recording(provider, "RErecgone"))
    ref = await published(kafka, "RErecgone")
    assert (ref.ref, ref.fetch_error) == ("provider:twilio/RErecgone", "http 404")
    assert ref.source_url and ref.source_url.endswith("/Recordings/RErecgone")


async def test_vonage_with_its_key_lands_and_without_one_is_visible(
    voice: Running, provider: Provider, kafka: str
) -> None:
    blobs = voice.settings.blob_dir
    assert blobs is not None
    await post_vonage(voice, provider, "vrec-ok")
    assert_stored(await published(kafka, "vrec-ok"), blobs, f"{provider.base}/v1/files/vrec-ok")
    await post_vonage(voice, provider, "vrec-nokey", app=NO_KEY_APP)
    ref = await published(kafka, "vrec-nokey")
    assert (ref.ref, ref.fetch_error) == ("provider:vonage/vrec-nokey", "no_credentials")
    assert "vrec-nokey" not in provider.gets


async def post_transcription(voice: Running, p: Provider, rid: str, app: str = APP) -> None:
    doc = {
        "conversation_uuid": f"CON-{rid}",
        "type": "transcription",
        "recording_uuid": f"rec-{rid}",
        "status": "completed",
        "language": "en-GB",
        "transcription_url": f"{p.base}/v1/files/{rid}",
    }
    body = json.dumps(doc).encode()
    headers = {"authorization": f"Bearer {token_for(SECRET, body, app, time.time())}"}
    res = await voice.client.post("/webhooks/voice/vonage", content=body, headers=headers)
    assert res.status_code == 200, res.text


async def transcripts(kafka: str, until: str) -> dict[str, ev.CallTranscript]:
    """The published transcripts by recording id, once ``until``'s is among them."""
    for _ in range(100):
        found = {
            e.recording_id: e
            for e in (ev.decode(r.value) for r in await read_all(kafka, INBOUND_VOICE))
            if isinstance(e, ev.CallTranscript)
        }
        if until in found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no call.transcript for {until}")


async def failed_count(voice: Running) -> float:
    text = (await voice.client.get("/metrics")).text
    line = 'hotline_call_transcripts_total{outcome="failed",source="vonage"}'
    values = [float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)]
    return values[0] if values else 0.0


async def test_vonage_transcript_fetched_with_the_jwt_and_published(
    voice: Running, provider: Provider, kafka: str
) -> None:
    provider.fail_once.add("vtr-ok")
    await post_transcription(voice, provider, "vtr-ok")
    event = (await transcripts(kafka, "rec-vtr-ok"))["rec-vtr-ok"]
    assert (event.text, event.language, event.engine) == ("My line is down.", "en-GB", "vonage")
    assert event.call_id == "CON-vtr-ok"
    step = "call.transcript:rec-vtr-ok"
    assert event.event_id == ev.event_id_for("acme", "voice", "CON-vtr-ok", step)
    assert provider.gets.count("vtr-ok") == 2  # retried after the 503


async def test_vonage_transcript_not_fetched_publishes_nothing_and_is_counted(
    voice: Running, provider: Provider, kafka: str
) -> None:
    await post_transcription(voice, provider, "vtr-gone")
    await post_transcription(voice, provider, "vtr-nokey", app=NO_KEY_APP)
    await post_transcription(voice, provider, "vtr-after")  # published after both
    found = await transcripts(kafka, "rec-vtr-after")
    assert "rec-vtr-gone" not in found and "rec-vtr-nokey" not in found
    assert "vtr-gone" in provider.gets and "vtr-nokey" not in provider.gets
    assert await failed_count(voice) == 2
