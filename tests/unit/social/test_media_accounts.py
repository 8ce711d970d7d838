"""Media copied with the token of the channel account each event arrived on, through the whole
app in process (media copy on, a directory blob store) against a local stand-in of the
providers' file APIs over real HTTP that hands each file out only for its own account's token:
two WhatsApp numbers with their own access tokens (one rotated: its newest value), a number
left to the environment's account (its token), a Telegram bot's file via its own bot token, a
Twilio MMS with its AccountSid and auth token; an account without the token leaves the
attachment failed (``no_token``) and nothing is asked of the provider with another's token."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from hotline import events as ev
from hotline.accounts import Account
from hotline.blobs import PREFIX, FileBlobStore
from hotline.topics import INBOUND_SOCIAL
from social_ingest.providers.meta import verify as meta
from tests.http_helpers import serve_app
from tests.unit.social.edges import META_SECRET, InProcess, in_process
from tests.unit.social.helpers import FIXTURES, named_cases
from tests.unit.social.providers import twilio_signer
from tests.unit.social.test_whatsapp_edge import text_webhook

ENV_WA, ENV_BOT = "it-wa-token", "it-bot-token"  # the environment's tokens (edges.settings_for)
# media id / file id -> the one token the stand-in hands it out for
WA_TOKENS = {"med-a": "tok-a", "med-b": "tok-b", "med-z": ENV_WA, "med-n": ENV_WA}
BOT_TOKENS = {"photo-111": "111:tok-t", "photo-222": ENV_BOT}
TWILIO = ("ACaaa", "tw-a")
SMS_URL = "https://hooks.example/sms/a"


def data(name: str) -> bytes:
    return b"\xff\xd8\xff\xe0" + name.encode() + hashlib.sha256(name.encode()).digest()


def blob(name: str) -> str:
    return PREFIX + hashlib.sha256(data(name)).hexdigest()


@dataclass
class Provider:
    base: str = ""
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)


def provider_app(p: Provider) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        p.seen.append((request.url.path, request.headers.get("authorization", "")))
        return await call_next(request)

    @app.get("/v21.0/{media_id}")
    async def wa_lookup(media_id: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {WA_TOKENS.get(media_id)}":
            return JSONResponse({"error": {"code": 190, "type": "OAuthException"}}, 401)
        return JSONResponse({"url": f"{p.base}/wa/{media_id}", "id": media_id})

    @app.get("/wa/{media_id}")
    async def wa_file(media_id: str, request: Request) -> Response:
        ok = request.headers.get("authorization") == f"Bearer {WA_TOKENS.get(media_id)}"
        return Response(data(media_id) if ok else b"", status_code=200 if ok else 401)

    @app.get("/bot{token}/getFile")
    async def get_file(token: str, file_id: str) -> Response:
        if BOT_TOKENS.get(file_id) != token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        return JSONResponse({"ok": True, "result": {"file_id": file_id, "file_path": file_id}})

    @app.get("/file/bot{token}/{path}")
    async def tg_file(token: str, path: str) -> Response:
        ok = BOT_TOKENS.get(path) == token
        return Response(data(path) if ok else b"", status_code=200 if ok else 404)

    @app.get("/2010-04-01/Accounts/{sid}/Messages/{mid}/Media/{media}")
    async def mms(sid: str, mid: str, media: str, request: Request) -> Response:
        basic = "Basic " + base64.b64encode(":".join(TWILIO).encode()).decode()
        ok = sid == TWILIO[0] and request.headers.get("authorization") == basic
        return Response(data(media) if ok else b"", status_code=200 if ok else 401)

    return app


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    p = Provider()
    async with serve_app(provider_app(p)) as base:
        p.base = base
        yield p


@pytest.fixture
async def svc(provider: Provider, tmp_path: Path) -> AsyncIterator[InProcess]:
    async with in_process(
        media_copy=True,
        media_attempts=1,
        media_budget=5.0,
        media_hosts=["127.0.0.1"],
        blob_dir=tmp_path,
        whatsapp_api_base=provider.base + "/v21.0",
        telegram_api_base=provider.base,
        twilio_api_base=provider.base + "/2010-04-01",
    ) as running:
        yield running


def files(svc: InProcess) -> dict[str, tuple[str, str | None]]:
    """Each published message's account -> its attachment's (ref, fetch_error)."""
    out = {}
    for e in svc.fake.events_on(INBOUND_SOCIAL):
        if isinstance(e, ev.MessageReceived) and e.attachments:
            out[e.channel.account_id] = (e.attachments[0].ref, e.attachments[0].fetch_error)
    return out


def images(media: dict[str, str]) -> bytes:
    """One entry per phone number id, each with one image message of that media id."""
    entries = []
    for number, media_id in media.items():
        entry = json.loads(text_webhook(f"wamid.{number}", "x"))["entry"][0]
        value = entry["changes"][0]["value"]
        value["metadata"]["phone_number_id"] = number
        message = value["messages"][0]
        del message["text"]
        message.update(type="image", image={"id": media_id, "mime_type": "image/jpeg"})
        entries.append(entry)
    return json.dumps({"object": "whatsapp_business_account", "entry": entries}).encode()


def meta_signed(secret: str, body: bytes) -> dict[str, str]:
    return {"x-hub-signature-256": meta.sign(secret.encode(), body)}


def wa(number: str, token: tuple[str, ...] = ()) -> Account:
    secrets = {"app_secret": ("app-1",), **({"access_token": token} if token else {})}
    return Account("whatsapp", number, "tenant-w", secrets, version=1)


async def test_each_whatsapp_number_fetches_its_media_with_its_own_token(
    svc: InProcess, provider: Provider
) -> None:
    for account in (wa("pn-a", ("tok-a", "tok-a-old")), wa("pn-b", ("tok-b",)), wa("pn-n")):
        svc.accounts.put(account)
    ours = images({"pn-a": "med-a", "pn-b": "med-b", "pn-n": "med-n"})
    env = images({"pn-z": "med-z"})  # no managed account: the environment's
    for body, secret in ((ours, "app-1"), (env, META_SECRET)):
        r = await svc.client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signed(secret, body)
        )
        assert r.status_code == 200, r.text
    assert files(svc) == {
        "pn-a": (blob("med-a"), None),
        "pn-b": (blob("med-b"), None),
        "pn-z": (blob("med-z"), None),
        "pn-n": ("provider:whatsapp/med-n", "no_token"),  # never the environment's token
    }
    assert sorted(provider.seen) == [
        ("/v21.0/med-a", "Bearer tok-a"),
        ("/v21.0/med-b", "Bearer tok-b"),
        ("/v21.0/med-z", f"Bearer {ENV_WA}"),
        ("/wa/med-a", "Bearer tok-a"),
        ("/wa/med-b", "Bearer tok-b"),
        ("/wa/med-z", f"Bearer {ENV_WA}"),
    ]
    assert FileBlobStore(svc.settings.blob_dir).get(blob("med-a")) == data("med-a")


def telegram_photo(file_id: str) -> bytes:
    doc = json.loads(named_cases(FIXTURES / "telegram" / "webhooks.json")["photo"])
    for size in doc["message"]["photo"]:
        size["file_id"] = file_id
    return json.dumps(doc).encode()


async def test_a_telegram_bots_file_comes_with_its_own_bot_token(
    svc: InProcess, provider: Provider
) -> None:
    svc.accounts.put(
        Account(
            "telegram",
            "111",
            "t",
            {"secret_token": ("s1",), "bot_token": ("111:tok-t",)},
            version=1,
        )
    )
    svc.accounts.put(Account("telegram", "222", "t2", {"secret_token": ("s2",)}, version=1))
    for bot, secret in (("111", "s1"), ("222", "s2")):
        body = telegram_photo(f"photo-{bot}")
        headers = {"x-telegram-bot-api-secret-token": secret}
        r = await svc.client.post(f"/webhooks/telegram/{bot}", content=body, headers=headers)
        assert r.status_code == 200, r.text
    assert files(svc) == {
        "111": (blob("photo-111"), None),
        "222": ("provider:telegram/photo-222", "no_token"),  # the env bot's token not borrowed
    }
    assert [path for path, _ in provider.seen] == [
        "/bot111:tok-t/getFile",
        "/file/bot111:tok-t/photo-111",
    ]


async def test_an_mms_comes_with_its_accountsid_and_auth_token(
    svc: InProcess, provider: Provider
) -> None:
    settings = {"webhook_url": SMS_URL}
    svc.accounts.put(Account("sms", "ACaaa", "t", {"auth_token": ("tw-a",)}, settings, version=1))
    form = dict(parse_qsl((FIXTURES / "twilio" / "inbound_mms.form").read_text()))
    url = f"{provider.base}/2010-04-01/Accounts/ACaaa/Messages/MM9a/Media/ME1"
    one = {k: v for k, v in form.items() if not k.endswith("1")}  # its first file only
    body = urlencode({**one, "AccountSid": "ACaaa", "NumMedia": "1", "MediaUrl0": url}).encode()
    r = await svc.client.post(
        "/webhooks/sms", content=body, headers=twilio_signer(SMS_URL, b"tw-a")(body)
    )
    assert r.status_code == 200, r.text
    ((ref, error),) = files(svc).values()  # the event names our number, not the AccountSid
    assert (ref, error) == (blob("ME1"), None)
    basic = "Basic " + base64.b64encode(b"ACaaa:tw-a").decode()
    assert provider.seen == [("/2010-04-01/Accounts/ACaaa/Messages/MM9a/Media/ME1", basic)]
