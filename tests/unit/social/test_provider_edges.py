"""Messenger, Instagram, X, Telegram and Twilio edges in process, on the intake's in-memory
publisher: every fixture is published under its deterministic id, retries add nothing, and
each bad-input table (>= 50 cases) gets exactly the expected statuses with nothing published."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import pytest

from hotline import twilio as tw_verify
from hotline.topics import INBOUND_SOCIAL, OPS
from social_ingest.context import Context
from social_ingest.providers.x import verify as x_verify
from tests.unit.social.badinput import (
    Case,
    decoding_cases,
    oversize_cases,
    schema_cases,
    signature_cases,
)
from tests.unit.social.edges import (
    TG_SECRET,
    TWILIO_TOKEN,
    VERIFY_TOKEN,
    X_SECRET,
    InProcess,
    in_process,
)
from tests.unit.social.providers import Provider, providers

NAMES = ["messenger", "instagram", "x", "telegram", "sms", "sms-status"]


@pytest.fixture
async def social() -> AsyncIterator[InProcess]:
    async with in_process() as svc:
        yield svc


def spec(social: InProcess, name: str) -> Provider:
    return {p.name: p for p in providers(social.settings.port)}[name]


def nothing_published(social: InProcess) -> bool:
    fake = social.fake
    return (fake.calls, fake.published, fake.letters) == (0, [], [])


@pytest.mark.parametrize("name", NAMES)
async def test_signed_fixtures_land_under_their_event_ids(social: InProcess, name: str) -> None:
    p = spec(social, name)
    ctx = Context.now("acme", region="US")
    outs = [p.normalize(body, ctx) for body in p.good.values()]
    for case, body in p.good.items():
        r = await social.client.post(p.path, content=body, headers=p.sign(body))
        assert r.status_code == 200, (case, r.text)
    landed = set(social.published_ids(INBOUND_SOCIAL))
    assert {e.event_id for out in outs for e in out.events} <= landed
    ops = set(social.published_ids(OPS))
    assert {o.event_id for out in outs for o in out.ops} <= ops
    before = len(social.fake.published)
    first = next(iter(p.good.values()))
    for _ in range(2):  # the provider retries a body we already acked
        assert (await social.client.post(p.path, content=first, headers=p.sign(first))).is_success
    assert len(social.fake.published) == before


def table(p: Provider, limit: int) -> list[Case]:
    good = next(iter(p.good.values()))
    if p.name == "telegram":
        cases = telegram_secret_cases(good)
    else:
        cases = signature_cases(good, p.header, p.sign, wrong=p.wrong)
    cases += decoding_cases(p.sign) if p.name != "sms" else sms_decoding(p) + twilio_cases(p)
    cases += schema_cases(p.broken, p.sign) + oversize_cases(limit, p.sign)
    return cases + get_cases(p)


def telegram_secret_cases(good: bytes) -> list[Case]:
    h = "x-telegram-bot-api-secret-token"
    bad = {
        "missing": None,
        "empty": "",
        "other secret": "other",
        "upper case": TG_SECRET.upper(),
        "truncated": TG_SECRET[:-1],
        "extended": TG_SECRET + "x",
        "hex of it": TG_SECRET.encode().hex(),
    }
    cases = [
        Case(f"secret {k}", 401, body=good, headers={h: v} if v is not None else {})
        for k, v in bad.items()
    ]
    cases.append(Case("secret in the query", 401, body=good, params={"secret": TG_SECRET}))
    cases.append(
        Case("secret as bearer", 401, body=good, headers={"authorization": f"Bearer {TG_SECRET}"})
    )
    cases.append(
        Case(
            "secret under another header", 401, body=good, headers={"x-telegram-secret": TG_SECRET}
        )
    )
    return cases


def sms_decoding(p: Provider) -> list[Case]:
    bodies = {
        "not utf-8": b"\xff\xfe\x00",
        "no key=value": b"justtext",
        "empty pair": b"a=1&&b=2",
        "json instead of a form": b'{"MessageSid": "SM1"}',
        "field without =": b"a=1&b",
        "only ampersands": b"&&&",
    }
    return [Case(f"malformed form: {k}", 400, body=b, headers=p.sign(b)) for k, b in bodies.items()]


def twilio_cases(p: Provider) -> list[Case]:
    """Signatures made the wrong way: other URL forms, unsorted, hex, SHA-256, edited params."""
    body = p.good["inbound_sms"]
    pairs = parse_qsl(body.decode())
    token, url = TWILIO_TOKEN.encode(), f"{social_base(p)}/webhooks/sms"

    def sig(value: str) -> dict[str, str]:
        return {"x-twilio-signature": value}

    unsorted = url + "".join(k + v for k, v in pairs)
    raw = hmac.new(token, (url + "".join(k + v for k, v in sorted(pairs))).encode(), hashlib.sha1)
    sha256 = hmac.new(token, raw.digest(), hashlib.sha256).digest()
    edited = body.replace(b"order+42", b"order+43")
    return [
        Case(
            "twilio: URL with a query added",
            401,
            body=body,
            headers=sig(tw_verify.sign(token, url + "?x=1", pairs)),
        ),
        Case(
            "twilio: https instead of http",
            401,
            body=body,
            headers=sig(tw_verify.sign(token, url.replace("http:", "https:"), pairs)),
        ),
        Case(
            "twilio: another path",
            401,
            body=body,
            headers=sig(tw_verify.sign(token, url + "/other", pairs)),
        ),
        Case(
            "twilio: params unsorted",
            401,
            body=body,
            headers=sig(
                base64.b64encode(hmac.new(token, unsorted.encode(), hashlib.sha1).digest()).decode()
            ),
        ),
        Case("twilio: hex digest", 401, body=body, headers=sig(raw.hexdigest())),
        Case("twilio: sha256", 401, body=body, headers=sig(base64.b64encode(sha256).decode())),
        Case("twilio: URL only", 401, body=body, headers=sig(tw_verify.sign(token, url, []))),
        Case("twilio: value edited after signing", 401, body=edited, headers=p.sign(body)),
        Case(
            "twilio: param added after signing", 401, body=body + b"&Extra=1", headers=p.sign(body)
        ),
        Case(
            "twilio: param dropped after signing",
            401,
            body=urlencode(pairs[:-1]).encode(),
            headers=p.sign(body),
        ),
        Case(
            "twilio: duplicated param",
            401,
            body=body + b"&From=%2B10000000000",
            headers=p.sign(body),
        ),
    ]


def social_base(p: Provider) -> str:
    return "http://127.0.0.1:" + p.port


def get_cases(p: Provider) -> list[Case]:
    if p.name in ("messenger", "instagram"):
        hub = {"hub.mode": "subscribe", "hub.challenge": "42"}
        return [
            Case("GET wrong token", 403, "GET", params={**hub, "hub.verify_token": "no"}),
            Case("GET no token", 403, "GET", params=hub),
            Case(
                "GET wrong mode",
                403,
                "GET",
                params={**hub, "hub.mode": "x", "hub.verify_token": VERIFY_TOKEN},
            ),
        ]
    if p.name == "x":
        return [
            Case("CRC without token", 400, "GET"),
            Case("CRC empty token", 400, "GET", params={"crc_token": ""}),
            Case("CRC token too long", 400, "GET", params={"crc_token": "a" * 600}),
        ]
    return [Case("GET has no route", 404, "GET")]


@pytest.mark.parametrize("name", NAMES[:5])
async def test_bad_input_table(social: InProcess, name: str) -> None:
    p = spec(social, name)
    cases = table(p, social.settings.max_body_bytes)
    assert len(cases) >= 50, len(cases)
    got = {c.name: (await c.send(social.client, p.path)).status_code for c in cases}
    assert got == {c.name: c.status for c in cases}
    assert nothing_published(social)


async def test_x_crc_answer(social: InProcess) -> None:
    r = await social.client.get("/webhooks/x", params={"crc_token": "challenge-123"})
    assert r.status_code == 200
    assert r.json() == x_verify.crc_response(X_SECRET.encode(), "challenge-123")
    assert r.json()["response_token"].startswith("sha256=")


async def test_twilio_signature_binds_the_url(social: InProcess) -> None:
    sms, status = spec(social, "sms"), spec(social, "sms-status")
    body = sms.good["inbound_sms"]
    r = await social.client.post(sms.path, content=body, headers=status.sign(body))
    assert r.status_code == 401  # signed for the status URL, sent to the inbound URL
    assert nothing_published(social)


async def test_a_telegram_survey_tap_is_answered_with_answer_callback_query(
    social: InProcess,
) -> None:
    """Its spinner stops: the webhook's answer carries the Bot API call, once Kafka acked."""
    p = spec(social, "telegram")
    tap, other = p.good["csat_callback"], p.good["callback"]
    r = await social.client.post(p.path, content=tap, headers=p.sign(tap))
    assert r.status_code == 200 and r.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": "4382bfdwdsb99csat",
        "text": "Thank you for your rating!",
    }
    plain = await social.client.post(p.path, content=other, headers=p.sign(other))
    assert plain.status_code == 200 and "method" not in plain.json()
    forged = await social.client.post(
        p.path, content=tap, headers={"x-telegram-bot-api-secret-token": "x"}
    )
    assert forged.status_code == 401 and "method" not in forged.json()
