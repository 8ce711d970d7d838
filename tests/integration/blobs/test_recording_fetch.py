"""Call recordings copied into the blob store (``hotline.recordings.fetch_recording``) from a
real HTTP server on 127.0.0.1 that answers like Twilio (Basic auth, ``.mp3`` / ``.wav``) and
Vonage (a bearer JWT per request): a recording lands in the file store and in a real S3
bucket (S3Proxy) with its size and sha256; a download that stalls past the request timeout
is tried again and lands; 429 and 503 are retried; a 404, a file past the size cap, a
redirect to a host not allowed and a download that outlasts the budget each come back as
the provider's ref with ``fetch_error`` (never silent); credentials never follow a redirect
to another origin."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from hotline import events as ev
from hotline.blobs import PREFIX, BlobSettings, BlobStore, FileBlobStore, open_blob_store
from hotline.blobs.fetch import FetchLimits
from hotline.recordings import basic_auth, bearer, fetch_recording
from hotline_tools.devstack.s3 import S3Server
from tests.http_helpers import serve_app
from tests.s3 import blob_settings

pytestmark = pytest.mark.integration
SID, TOKEN = "AC" + "0" * 32, "tw-auth-token"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + hashlib.sha256(b"recording").digest() * 300
WAV = b"RIFF\x24\x08\x00\x00WAVEfmt " + hashlib.sha256(b"voicemail").digest() * 100
LIMITS = FetchLimits(
    budget=6.0, attempts=3, max_bytes=64 * 1024, hosts=("127.0.0.1",), backoff=0.05
)


@dataclass
class Provider:
    """Recording id -> what the stand-in does; every request is seen (path, authorization)."""

    base: str = ""
    stall_once: set[str] = field(default_factory=set)  # answers after the client gave up, once
    fail_once: dict[str, int] = field(default_factory=dict)  # a 429 / 503, once
    seen: list[tuple[str, str]] = field(default_factory=list)


def provider_app(p: Provider) -> FastAPI:
    app = FastAPI()
    basic = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        p.seen.append((request.url.path, request.headers.get("authorization", "")))
        return await call_next(request)

    def special(rid: str, port: int | None) -> Response | None:
        return {
            "REhuge": lambda: Response(MP3 * 40, media_type="audio/mpeg"),
            # the file is elsewhere: a host not allowed
            "REmoved": lambda: RedirectResponse("http://recordings.example.invalid/x.mp3", 302),
            # another origin that is allowed: it must not get the credentials
            "REcdn": lambda: RedirectResponse(f"http://localhost:{port}/cdn/REcdn.mp3", 302),
            "REgone": lambda: Response(b'{"code": 20404, "status": 404}', status_code=404),
        }.get(rid, lambda: None)()

    @app.get("/2010-04-01/Accounts/{sid}/Recordings/{rid}.{ext}")
    async def twilio(sid: str, rid: str, ext: str, request: Request) -> Response:
        if request.headers.get("authorization") != basic or sid != SID:
            return Response(status_code=401)
        if rid in p.stall_once or rid == "REhang":
            p.stall_once.discard(rid)
            await asyncio.sleep(1.5)  # past the client's 0.5 s read timeout
        if status := p.fail_once.pop(rid, None):
            return Response(status_code=status, headers={"Retry-After": "0"})
        if answer := special(rid, request.url.port):
            return answer
        body, mime = (WAV, "audio/x-wav") if ext == "wav" else (MP3, "audio/mpeg")
        return Response(body, media_type=mime)

    @app.get("/cdn/{name}")
    async def cdn(name: str) -> Response:
        return Response(MP3, media_type="audio/mpeg")

    @app.get("/v1/files/{uuid}")
    async def vonage(uuid: str, request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Bearer jwt-"):
            return Response(status_code=401)
        if status := p.fail_once.pop(uuid, None):
            return Response(status_code=status)
        return Response(WAV, media_type="audio/wav")

    return app


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    p = Provider()
    async with serve_app(provider_app(p)) as base:
        p.base = base
        yield p


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5, connect=1.0)) as c:
        yield c


def twilio_ref(rid: str) -> ev.AttachmentRef:
    return ev.AttachmentRef(ref=f"provider:twilio/{rid}", mime_type="audio/mpeg")


def twilio_url(p: Provider, rid: str, ext: str = "mp3") -> str:
    return f"{p.base}/2010-04-01/Accounts/{SID}/Recordings/{rid}.{ext}"


async def twilio(
    p: Provider,
    rid: str,
    store: BlobStore,
    client: httpx.AsyncClient,
    limits: FetchLimits = LIMITS,
) -> ev.AttachmentRef:
    url, auth = twilio_url(p, rid), basic_auth(SID, TOKEN)
    return await fetch_recording(
        twilio_ref(rid), url, auth, store=store, client=client, limits=limits
    )


def stored(ref: ev.AttachmentRef, store: BlobStore, data: bytes) -> None:
    assert ref.fetch_error is None and ref.ref.startswith(PREFIX)
    assert (ref.size, ref.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert store.get(ref.ref) == data


def failed(ref: ev.AttachmentRef, rid: str, error: str) -> None:
    assert (ref.ref, ref.fetch_error, ref.size, ref.sha256) == (
        f"provider:twilio/{rid}",
        error,
        None,
        None,
    )


async def test_a_twilio_recording_lands_in_the_file_store(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = FileBlobStore(tmp_path)
    asked = twilio_ref("RE1")
    got = await twilio(provider, "RE1", store, client)
    stored(got, store, MP3)
    assert got.mime_type == "audio/mpeg" and asked.ref == "provider:twilio/RE1"  # not changed
    again = await twilio(provider, "RE1", store, client)
    assert again.ref == got.ref  # content-addressed: a repeated callback is the same blob


async def test_a_recording_lands_in_a_real_s3_bucket(
    provider: Provider, client: httpx.AsyncClient, s3_server: S3Server, s3_bucket: str
) -> None:
    store = open_blob_store(BlobSettings(**blob_settings(s3_server, s3_bucket)), None)
    stored(await twilio(provider, "RE2", store, client), store, MP3)
    provider.stall_once.add("RE3")
    stored(await twilio(provider, "RE3", store, client), store, MP3)


async def test_a_stalled_download_times_out_and_the_retry_lands(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = FileBlobStore(tmp_path)
    provider.stall_once.add("REslow")
    got = await twilio(provider, "REslow", store, client)
    stored(got, store, MP3)
    assert [path for path, _ in provider.seen].count(
        twilio_url(provider, "REslow")[len(provider.base) :]
    ) == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_429_and_5xx_are_tried_again(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path, status: int
) -> None:
    store = FileBlobStore(tmp_path)
    provider.fail_once[f"RE{status}"] = status
    stored(await twilio(provider, f"RE{status}", store, client), store, MP3)
    assert len(provider.seen) == 2


FAILURES = [  # recording id, what the ref says, requests the stand-in sees
    ("REgone", "http 404", 1),  # not retried: it will not come back
    ("REhuge", f"larger than {LIMITS.max_bytes} bytes", 1),
    ("REmoved", "host not allowed: recordings.example.invalid", 1),  # after its redirect
]


@pytest.mark.parametrize(("rid", "error", "requests"), FAILURES, ids=[f[0] for f in FAILURES])
async def test_what_cannot_be_copied_keeps_the_provider_ref_and_says_why(
    provider: Provider,
    client: httpx.AsyncClient,
    tmp_path: Path,
    rid: str,
    error: str,
    requests: int,
) -> None:
    store = FileBlobStore(tmp_path)
    failed(await twilio(provider, rid, store, client), rid, error)
    assert len(provider.seen) == requests
    assert files_in(tmp_path) == []


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_retries_end_at_the_attempts_and_the_budget(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = FileBlobStore(tmp_path)
    provider.fail_once["REbusy"] = 503
    two = FetchLimits(budget=6.0, attempts=1, max_bytes=LIMITS.max_bytes, hosts=LIMITS.hosts)
    failed(await twilio(provider, "REbusy", store, client, limits=two), "REbusy", "http 503")
    short = FetchLimits(budget=0.8, attempts=5, max_bytes=LIMITS.max_bytes, hosts=LIMITS.hosts)
    started = time.monotonic()
    failed(await twilio(provider, "REhang", store, client, limits=short), "REhang", "timeout")
    assert time.monotonic() - started < 1.5


async def test_credentials_stay_with_the_recordings_origin(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = FileBlobStore(tmp_path)
    hosts = FetchLimits(6.0, 2, LIMITS.max_bytes, ("127.0.0.1", "localhost"), backoff=0.05)
    stored(await twilio(provider, "REcdn", store, client, limits=hosts), store, MP3)
    assert [(path, auth[:6]) for path, auth in provider.seen] == [
        (twilio_url(provider, "REcdn")[len(provider.base) :], "Basic "),
        ("/cdn/REcdn.mp3", ""),
    ]


async def test_vonage_gets_a_fresh_jwt_for_every_attempt(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = FileBlobStore(tmp_path)
    minted = itertools.count(1)
    provider.fail_once["aaaa-bbbb"] = 429
    ref = ev.AttachmentRef(ref="provider:vonage/aaaa-bbbb", mime_type="application/octet-stream")
    url = f"{provider.base}/v1/files/aaaa-bbbb"
    auth = bearer(lambda: f"jwt-{next(minted)}")
    got = await fetch_recording(ref, url, auth, store=store, client=client, limits=LIMITS)
    stored(got, store, WAV)
    assert got.mime_type == "audio/wav"  # the generic type takes the provider's audio type
    assert [a for _, a in provider.seen] == ["Bearer jwt-1", "Bearer jwt-2"]


async def test_the_default_hosts_are_the_providers_only(
    provider: Provider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Without limits of its own, an edge fetches from Twilio and Vonage hosts, no other."""
    got = await fetch_recording(
        twilio_ref("RE1"), twilio_url(provider, "RE1"), basic_auth(SID, TOKEN),
        store=FileBlobStore(tmp_path), client=client,
    )  # fmt: skip
    failed(got, "RE1", "host not allowed: 127.0.0.1")
    assert provider.seen == []
