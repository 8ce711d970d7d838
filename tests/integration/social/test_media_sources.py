"""The media copier on each provider's way to the bytes, over real HTTP against a local
stand-in answering in the providers' formats, into a directory blob store: Telegram (getFile,
then the file path), Messenger/Instagram CDN URLs, Twilio MMS (the account's Basic auth, then a
redirect to a CDN that must not see it), and what is refused: a size past the cap, a redirect
to a host not allowed, a ref that names nothing downloadable."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.blobs import PREFIX, FileBlobStore
from social_ingest.credentials import Tokens
from social_ingest.media import MediaCopier
from social_ingest.media_sources import Source
from social_ingest.settings import SocialSettings
from tests.http_helpers import serve_app
from tests.unit.unifier.factory import message

pytestmark = pytest.mark.integration
TOKEN, SID, AUTH = "123:tg-token", "AC" + "1" * 32, "tw-auth"
PHOTO = b"\xff\xd8\xff\xe0" + hashlib.sha256(b"photo").digest() * 40
MMS = b"GIF89a" + hashlib.sha256(b"mms").digest() * 30


@dataclass
class Seen:
    paths: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)


def provider_app(seen: Seen) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        seen.paths.append((request.url.path, request.headers.get("authorization", "")))
        return await call_next(request)

    @app.get("/bot{token}/getFile")
    async def get_file(token: str, file_id: str) -> JSONResponse:
        if token != TOKEN or file_id != "AgACAgQ":
            bad = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return JSONResponse(bad, status_code=400)
        result = {"file_id": file_id, "file_unique_id": "AQAD", "file_size": len(PHOTO)}
        return JSONResponse({"ok": True, "result": {**result, "file_path": "photos/file_7.jpg"}})

    @app.get("/file/bot{token}/photos/file_7.jpg")
    async def tg_file(token: str) -> Response:
        return Response(
            PHOTO if token == TOKEN else b"", status_code=200 if token == TOKEN else 404
        )

    @app.get("/v/t39.1997-6/{name}")
    async def cdn(name: str, oh: str = "") -> Response:  # a signed Messenger CDN URL
        return Response(PHOTO if oh else b"", status_code=200 if oh else 403)

    @app.get("/2010-04-01/Accounts/{sid}/Messages/{mid}/Media/{media}")
    async def twilio(sid: str, mid: str, media: str, request: Request) -> Response:
        pair = base64.b64encode(f"{SID}:{AUTH}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {pair}":
            return Response(status_code=401)
        other = {  # the CDN the media is served from: another origin (allowed), or not allowed
            "ME1": f"http://localhost:{request.url.port}/cdn/ME1",
            "MEbad": "http://files.example.invalid/cdn/MEbad",
        }
        return RedirectResponse(other[media], status_code=307)

    @app.get("/cdn/{media}")
    async def twilio_cdn(media: str) -> Response:
        return Response(MMS)

    @app.get("/huge")
    async def huge() -> Response:
        return Response(b"x" * 5000)

    return app


@pytest.fixture
async def provider() -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()
    async with serve_app(provider_app(seen)) as base:
        yield base, seen


def copier(base: str, root: Path, client: httpx.AsyncClient) -> MediaCopier:
    source = Source(
        whatsapp_api_base=base + "/v21.0",
        telegram_api_base=base,
        twilio_api_base=base + "/2010-04-01",
        hosts=("127.0.0.1", "localhost"),
    )
    return MediaCopier(
        FileBlobStore(root), source, client, tokens(), budget=5, attempts=2, max_bytes=4096
    )


def tokens() -> Tokens:
    """The bot and the Twilio account these files arrived on, with their tokens."""
    registry = AccountRegistry()
    registry.put(Account("telegram", "bot-1", "acme", {"bot_token": (TOKEN,)}, version=1))
    registry.put(Account("sms", SID, "acme", {"auth_token": (AUTH,)}, version=1))
    return Tokens(registry, SocialSettings())


def with_files(kind: ev.ChannelKind, account: str, *refs: str) -> ev.MessageReceived:
    event = message(f"1:{kind}", kind, handle="1")
    event.channel = ev.ChannelRef(kind=kind, account_id=account)
    event.attachments = [
        ev.AttachmentRef(ref=r, mime_type="application/octet-stream") for r in refs
    ]
    return event


async def test_each_provider_way_to_the_bytes(provider: tuple[str, Seen], tmp_path: Path) -> None:
    base, seen = provider
    mms = f"{base}/2010-04-01/Accounts/{SID}/Messages/MM1/Media/ME1"
    bot = with_files("telegram", "bot-1", "provider:telegram/AgACAgQ")
    page = with_files(
        "messenger", "page-1", f"{base}/v/t39.1997-6/p.jpg?stp=dst-jpg&oh=00_AfB&oe=6757"
    )
    mms_bad = f"{base}/2010-04-01/Accounts/{SID}/Messages/MM1/Media/MEbad"
    sms = with_files("sms", "+15005550006", mms, mms_bad)  # the routed AccountSid's files
    routed = [Account("sms", SID, "acme", {"auth_token": (AUTH,)}, version=1)]
    failing = with_files(
        "telegram",
        "bot-1",
        "provider:telegram/unknown-file",
        f"{base}/huge",
        "sticker:42",
    )
    events = [bot, page, sms, failing]
    async with httpx.AsyncClient(timeout=5) as client:
        await copier(base, tmp_path, client).copy(events, routed)
    got = [(a.ref, a.fetch_error) for e in events for a in e.attachments]
    photo, gif = (
        PREFIX + hashlib.sha256(PHOTO).hexdigest(),
        PREFIX + hashlib.sha256(MMS).hexdigest(),
    )
    assert got == [
        (photo, None),
        (photo, None),
        (gif, None),
        (mms_bad, "host not allowed: files.example.invalid"),
        ("provider:telegram/unknown-file", "http 400"),
        (f"{base}/huge", "larger than 4096 bytes"),
        ("sticker:42", "not a downloadable ref"),
    ]
    store = FileBlobStore(tmp_path)
    assert store.get(photo) == PHOTO and store.get(gif) == MMS
    assert sms.attachments[0].size == len(MMS) and sms.attachments[0].sha256 == gif[12:]
    auth = dict(seen.paths)
    assert auth["/2010-04-01/Accounts/" + SID + "/Messages/MM1/Media/ME1"].startswith("Basic ")
    assert auth["/cdn/ME1"] == ""  # the CDN, another origin, never sees the account's secret
    assert auth["/v/t39.1997-6/p.jpg"] == ""  # a page's file: no other channel's credentials
    assert "/cdn/MEbad" not in auth  # a host not allowed: refused before any request
