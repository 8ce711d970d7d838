"""Telegram, Twilio, X and Messenger webhooks routed to their channel accounts, through the
whole app in process: each request's account by what the provider sends (the bot id in the
path, the form's AccountSid, ``for_user_id``, the entry's page id), its secret's two values
valid, unknown accounts 404 and wrong secrets 401 with nothing produced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pytest

from hotline.accounts import Account
from hotline.topics import INBOUND_SOCIAL
from social_ingest.providers.meta import verify as meta
from social_ingest.providers.x import verify as x
from tests.unit.social.edges import TG_SECRET, X_SECRET, InProcess, in_process
from tests.unit.social.helpers import FIXTURES, named_cases
from tests.unit.social.providers import twilio_signer

BOT = Account("telegram", "111", "tenant-t", {"secret_token": ("tg-new", "tg-old")}, version=1)
SMS_URL = "https://hooks.example/sms/a"
SMS = Account(
    "sms",
    "ACaaa",
    "tenant-s",
    {"auth_token": ("tw-new", "tw-old")},
    {"webhook_url": SMS_URL},
    version=1,
)
XA = Account("x", "4337869213", "tenant-x", {"consumer_secret": ("cs-a",)}, version=1)
XB = Account("x", "999", "tenant-y", {"consumer_secret": ("cs-b",)}, version=1)
PAGE = Account("messenger", "page-7", "tenant-m", {"app_secret": ("pg-old", "pg-new")}, version=1)
NO_ENV = ("twilio_auth_token", "x_consumer_secret", "meta_app_secret")  # telegram's env stays


@dataclass
class Post:
    name: str
    path: str
    body: bytes
    headers: dict[str, str]
    status: int
    account: str = ""  # the events' channel account
    tenant: str = ""


def tg(secret: str) -> dict[str, str]:
    return {"x-telegram-bot-api-secret-token": secret}


def sms(sid: str) -> bytes:
    pairs = dict(parse_qsl((FIXTURES / "twilio" / "inbound_sms.form").read_text()))
    return urlencode({**pairs, "AccountSid": sid}).encode()


def x_body(user: str) -> bytes:
    doc = json.loads(named_cases(FIXTURES / "x" / "webhooks.json")["text"])
    return json.dumps({**doc, "for_user_id": user}).encode()


def page(page_id: str) -> bytes:
    doc = json.loads(named_cases(FIXTURES / "messenger" / "webhooks.json")["text"])
    doc["entry"][0]["id"] = page_id
    return json.dumps(doc).encode()


TG = named_cases(FIXTURES / "telegram" / "webhooks.json")["text"]
SMS_SIGNED = twilio_signer(SMS_URL, b"tw-old")(sms("ACaaa"))
X_A, X_B = x_body("4337869213"), x_body("555")
POSTS = [
    Post("bot path, newest", "/webhooks/telegram/111", TG, tg("tg-new"), 200, "111", "tenant-t"),
    Post(
        "bot path, older value", "/webhooks/telegram/111", TG, tg("tg-old"), 200, "111", "tenant-t"
    ),
    Post("bot path, env's secret", "/webhooks/telegram/111", TG, tg(TG_SECRET), 401),
    Post("unknown bot", "/webhooks/telegram/222", TG, tg(TG_SECRET), 404),
    Post("legacy path: env's bot", "/webhooks/telegram", TG, tg(TG_SECRET), 200, "bot", "acme"),
    Post("legacy path, managed bot's secret", "/webhooks/telegram", TG, tg("tg-new"), 401),
    Post(
        "sms, account url",
        "/webhooks/sms",
        sms("ACaaa"),
        SMS_SIGNED,
        200,
        "+15005550006",
        "tenant-s",
    ),
    Post(
        "sms, env url",
        "/webhooks/sms",
        sms("ACaaa"),
        twilio_signer("http://127.0.0.1:8103/webhooks/sms", b"tw-new")(sms("ACaaa")),
        401,
    ),
    Post("sms, unknown sid", "/webhooks/sms", sms("ACbbb"), SMS_SIGNED, 404),
    Post(
        "x, its user",
        "/webhooks/x",
        X_A,
        {"x-twitter-webhooks-signature": x.sign(b"cs-a", X_A)},
        200,
        "4337869213",
        "tenant-x",
    ),
    Post(
        "x, other app",
        "/webhooks/x",
        X_A,
        {"x-twitter-webhooks-signature": x.sign(b"cs-b", X_A)},
        401,
    ),
    Post(
        "x, unknown user",
        "/webhooks/x",
        X_B,
        {"x-twitter-webhooks-signature": x.sign(b"cs-a", X_B)},
        404,
    ),
    Post(
        "messenger page, older value",
        "/webhooks/messenger",
        page("page-7"),
        {"x-hub-signature-256": meta.sign(b"pg-old", page("page-7"))},
        200,
        "page-7",
        "tenant-m",
    ),
    Post(
        "messenger, unknown page",
        "/webhooks/messenger",
        page("page-8"),
        {"x-hub-signature-256": meta.sign(b"pg-new", page("page-8"))},
        404,
    ),
]


def with_accounts(svc: InProcess) -> None:
    for account in (BOT, SMS, XA, XB, PAGE):
        svc.accounts.put(account)


@pytest.mark.parametrize("case", POSTS, ids=lambda c: c.name)
async def test_each_request_routes_to_the_account_it_names(case: Post) -> None:
    async with in_process(unset=NO_ENV) as svc:
        with_accounts(svc)
        r = await svc.client.post(case.path, content=case.body, headers=case.headers)
    assert r.status_code == case.status, r.text
    if case.status != 200:
        assert (svc.fake.calls, svc.fake.published, svc.fake.letters) == (0, [], [])
        return
    landed = svc.fake.events_on(INBOUND_SOCIAL)
    assert landed and {(e.channel.account_id, e.tenant) for e in landed} == {
        (case.account, case.tenant)
    }


CRC = {"crc_token": "challenge-1"}


async def test_the_crc_is_answered_with_the_consumer_secret_it_can_tell() -> None:
    async with in_process(unset=NO_ENV) as svc:
        svc.accounts.put(XA)
        one = await svc.client.get("/webhooks/x", params=CRC)
        assert one.json() == x.crc_response(b"cs-a", "challenge-1")
        svc.accounts.put(XB)  # a second X app: the CRC cannot tell which one asks
        assert (await svc.client.get("/webhooks/x", params=CRC)).status_code == 409
        named = await svc.client.get("/webhooks/x", params={**CRC, "for_user_id": "999"})
        assert named.json() == x.crc_response(b"cs-b", "challenge-1")
        unknown = await svc.client.get("/webhooks/x", params={**CRC, "for_user_id": "1"})
        assert unknown.status_code == 404
    async with in_process() as svc:  # the environment's account answers, as before
        svc.accounts.put(XA)
        svc.accounts.put(XB)
        env = await svc.client.get("/webhooks/x", params=CRC)
        assert env.json() == x.crc_response(X_SECRET.encode(), "challenge-1")


async def test_per_bot_paths_count_under_one_route() -> None:
    """A caller spraying bot ids adds no metric series: the label is the route."""
    async with in_process() as svc:
        for bot in ("1", "2", "3"):
            r = await svc.client.post(f"/webhooks/telegram/{bot}", content=TG, headers=tg("x"))
            assert r.status_code == 404
        assert (await svc.client.post("/webhooks/telegram/", content=TG)).status_code == 404
        registry = svc.state.metrics.registry
        labels = {"route": "/webhooks/telegram/*", "status": "404"}
        assert registry.get_sample_value("hotline_requests_total", labels) == 3
        assert (
            registry.get_sample_value(
                "hotline_requests_total", {**labels, "route": "/webhooks/telegram/1"}
            )
            is None
        )
