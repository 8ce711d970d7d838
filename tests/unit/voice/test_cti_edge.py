"""The CTI edge served in process: a PBX request signed with ``X-Hotline-Signature`` under
any value of the path account's ``signing_secret`` becomes its event; a missing, malformed,
forged or stale signature is 401 (a URL alone never authenticates), an unknown account or one
of another source 404, and nothing is produced for either."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.http.hotpath import Handler
from hotline.topics import dead_letter_for, inbound_topic_for
from tests.fixtures.voice import Served, recorded, serving
from voice.calls import CallContext
from voice.providers.cti import edge
from voice.providers.cti.verify import HEADER, TOLERANCE, header_for, sign
from voice.settings import VoiceSettings

NEW, OLD = "cti-signing-secret-new", "cti-signing-secret-old"
PBX = Account(
    "voice", "pbx-berlin", "acme", {"signing_secret": (NEW, OLD)}, {"source": "cti"}, version=1
)
OTHER = Account(
    "voice", "pbx-munich", "beta", {"signing_secret": ("munich-secret",)}, {"source": "cti"},
    version=1,
)  # fmt: skip
TWILIO = Account("voice", "AC123", "acme", {"auth_token": (NEW,)}, version=1)  # no source: twilio
VONAGE = Account(
    "voice", "app-1", "acme", {"signature_secret": (NEW,)}, {"source": "vonage"}, version=1
)
URL = "/webhooks/voice/cti/pbx-berlin"


def mount(accounts: AccountRegistry, settings: VoiceSettings) -> dict[str, Handler]:
    return {edge.PATH: edge.post_handler(accounts, settings)}


async def post(
    served: Served, body: bytes, header: str | None, url: str = URL, form: bool = True
) -> tuple[int, str]:
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    headers = {"content-type": kind} | ({HEADER: header} if header is not None else {})
    response = await served.client.post(url, content=body, headers=headers)
    return response.status_code, response.json().get("error", "")


def now() -> int:
    return int(time.time())


async def test_a_signed_call_becomes_its_events() -> None:
    names = ["newCall_in.form", "answer_in.form", "hangup_in.form", "hangup_queue.json"]
    async with serving(mount, PBX) as served:
        for name in names:
            body = recorded("cti", name)
            answer = await post(served, body, header_for(NEW, now(), body), form="form" in name)
            assert answer == (200, "")
        events = served.published()
        assert [type(e) for e in events] == [
            ev.CallStarted,
            ev.CallAnswered,
            ev.CallEnded,
            ev.CallEnded,
        ]
        assert {(e.tenant, e.channel.account_id) for e in events} == {("acme", "pbx-berlin")}
        assert isinstance(events[0], ev.CallStarted)
        assert events[0].caller.handle == "+49306098541"  # the account's region: DE (settings)


async def test_account_region_and_tenant_are_the_routed_accounts() -> None:
    body = b"event=newCall&direction=in&callId=m1&from=089%2F123456&to=1"
    regional = Account(
        "voice", "pbx-munich", "beta", {"signing_secret": ("munich-secret",)},
        {"source": "cti", "region": "AT"}, version=1,
    )  # fmt: skip
    async with serving(mount, PBX, regional) as served:
        header = header_for("munich-secret", now(), body)
        assert await post(served, body, header, "/webhooks/voice/cti/pbx-munich") == (200, "")
        [event] = served.published()
        assert isinstance(event, ev.CallStarted)
        assert (event.tenant, event.caller.handle) == ("beta", "+4389123456")


async def test_either_secret_value_verifies_and_several_v1_are_accepted() -> None:
    body = recorded("cti", "newCall_in.form")
    async with serving(mount, PBX) as served:
        t = now()
        assert await post(served, body, header_for(OLD, t, body)) == (200, "")
        both = f"t={t},v1={sign('retired-secret', t, body)},v1={sign(NEW, t, body)}"
        assert await post(served, body, both) == (200, "")
        assert len(served.published()) == 1  # the same call step: one event


def stale(body: bytes) -> str:
    return header_for(NEW, now() - TOLERANCE - 5, body)


def future(body: bytes) -> str:
    return header_for(NEW, now() + TOLERANCE + 5, body)


def resigned_time(body: bytes) -> str:
    """A fresh ``t`` glued to an old request's signature: the HMAC covers ``t``."""
    return f"t={now()},v1={sign(NEW, now() - 60, body)}"


def tampered(body: bytes) -> str:
    return header_for(NEW, now(), body + b"&user=mallory")


REFUSED: list[tuple[str, Callable[[bytes], str | None], str, int, str]] = [
    ("missing", lambda b: None, URL, 401, "bad_signature"),
    ("empty", lambda b: "", URL, 401, "bad_signature"),
    ("no timestamp", lambda b: f"v1={sign(NEW, now(), b)}", URL, 401, "bad_signature"),
    ("no v1", lambda b: f"t={now()}", URL, 401, "bad_signature"),
    ("bare token", lambda b: NEW, URL, 401, "bad_signature"),
    ("forged", lambda b: header_for("guess", now(), b), URL, 401, "bad_signature"),
    ("stale", stale, URL, 401, "stale_signature"),
    ("future", future, URL, 401, "stale_signature"),
    ("retimed", resigned_time, URL, 401, "bad_signature"),
    ("tampered", tampered, URL, 401, "bad_signature"),
    (
        "other account's secret",
        lambda b: header_for("munich-secret", now(), b),
        URL,
        401,
        "bad_signature",
    ),
    (
        "unknown account",
        lambda b: header_for(NEW, now(), b),
        "/webhooks/voice/cti/pbx-nowhere",
        404,
        "unknown_account",
    ),
    (
        "account without a source (twilio)",
        lambda b: header_for(NEW, now(), b),
        "/webhooks/voice/cti/AC123",
        404,
        "unknown_account",
    ),
    (
        "vonage account",
        lambda b: header_for(NEW, now(), b),
        "/webhooks/voice/cti/app-1",
        404,
        "unknown_account",
    ),
]


@pytest.mark.parametrize(
    ("name", "header", "url", "status", "error"), REFUSED, ids=[r[0] for r in REFUSED]
)
async def test_refused_and_nothing_produced(
    name: str, header: Callable[[bytes], str | None], url: str, status: int, error: str
) -> None:
    body = recorded("cti", "hangup_in.form")
    async with serving(mount, PBX, OTHER, VONAGE, TWILIO) as served:
        assert await post(served, body, header(body), url) == (status, error)
        assert served.fake.calls == 0


async def test_a_token_in_the_url_does_not_authenticate() -> None:
    body = recorded("cti", "hangup_in.form")
    async with serving(mount, PBX) as served:
        assert await post(served, body, None, f"{URL}?token={NEW}") == (401, "bad_signature")


async def test_signed_bad_requests_are_400_or_422() -> None:
    async with serving(mount, PBX) as served:
        for body, status in ((b'{"event": ', 400), (b"event=ring&direction=in&callId=1", 422)):
            assert (await post(served, body, header_for(NEW, now(), body)))[0] == status
        assert served.fake.calls == 0


def crash(body: bytes, ctx: CallContext) -> list[ev.CallEvent]:
    raise ZeroDivisionError("a bug of ours")


async def test_a_verified_request_we_cannot_normalize_is_dead_lettered_not_lost() -> None:
    def crashing(accounts: AccountRegistry, settings: VoiceSettings) -> dict[str, Handler]:
        return {edge.PATH: edge.post_handler(accounts, settings, run=crash)}

    body = recorded("cti", "hangup_in.form")
    async with serving(crashing, PBX) as served:
        assert await post(served, body, header_for(NEW, now(), body)) == (200, "")
        [letter] = served.fake.letters
        assert (letter.value, letter.reason) == (body, "crash:ZeroDivisionError")
        assert letter.topic == dead_letter_for(inbound_topic_for("voice"))
        assert served.published() == []
