"""The Vonage edge served in process: a signed callback routed by its token's application id
becomes its events on the intake; a missing, forged, stale or tampered signature is 401, an
application with no (Vonage) account 404, and nothing is produced for either."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import pytest

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.http.hotpath import Handler
from tests.fixtures.voice import Served, recorded, serving
from voice.providers.vonage import edge
from voice.providers.vonage.verify import TOLERANCE, token_for
from voice.settings import VoiceSettings

APP = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
NEW, OLD = "vonage-signature-secret-new-0123456789", "vonage-signature-secret-old-0123456789"
VONAGE = Account(
    "voice",
    APP,
    "acme",
    {"signature_secret": (NEW, OLD)},
    {"source": "vonage", "region": "GB"},
    version=1,
)
CTI = Account("voice", "pbx-1", "acme", {"signing_secret": (NEW,)}, {"source": "cti"}, version=1)
OFF = Account("voice", "app-off", "acme", {"signature_secret": (NEW,)}, enabled=False, version=1)


def mount(accounts: AccountRegistry, settings: VoiceSettings) -> dict[str, Handler]:
    return {edge.PATH: edge.post_handler(accounts, settings)}


async def post(served: Served, body: bytes, token: str | None) -> tuple[int, str]:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    response = await served.client.post(edge.PATH, content=body, headers=headers)
    return response.status_code, response.json().get("error", "")


async def test_signed_callbacks_become_their_events() -> None:
    async with serving(mount, VONAGE, CTI) as served:
        for name in ("started", "answered", "completed", "recording"):
            body = recorded("vonage", f"{name}.json")
            assert await post(served, body, token_for(NEW, body, APP, time.time())) == (200, "")
        kinds = [type(e) for e in served.published()]
        assert kinds == [ev.CallStarted, ev.CallAnswered, ev.CallEnded, ev.CallRecording]
        assert {e.tenant for e in served.published()} == {"acme"}
        assert {e.channel.account_id for e in served.published()} == {APP}


async def test_the_older_secret_value_verifies_during_rotation() -> None:
    body = recorded("vonage", "busy.json")
    async with serving(mount, VONAGE) as served:
        assert await post(served, body, token_for(OLD, body, APP, time.time())) == (200, "")
        assert len(served.published()) == 1


async def test_a_repeated_callback_is_published_once() -> None:
    body = recorded("vonage", "completed.json")
    async with serving(mount, VONAGE) as served:
        for _ in range(2):
            assert (await post(served, body, token_for(NEW, body, APP, time.time())))[0] == 200
        assert len(served.published()) == 1


async def test_ignored_statuses_answer_200_and_produce_nothing() -> None:
    body = recorded("vonage", "disconnected.json")
    async with serving(mount, VONAGE) as served:
        assert await post(served, body, token_for(NEW, body, APP, time.time())) == (200, "")
        assert served.fake.calls == 0


def forged(body: bytes) -> str:
    return token_for("someone-elses-secret-0123456789abcdef", body, APP, time.time())


def stale(body: bytes) -> str:
    return token_for(NEW, body, APP, time.time() - TOLERANCE - 5)


def early(body: bytes) -> str:
    return token_for(NEW, body, APP, time.time() + TOLERANCE + 5)


def tampered(body: bytes) -> str:
    return token_for(NEW, body + b" ", APP, time.time())


def no_hash(body: bytes) -> str:
    return token_for(NEW, body, APP, time.time(), payload_hash=None)


def unsigned(body: bytes) -> str:
    claims = jwt.decode(token_for(NEW, body, APP, time.time()), options={"verify_signature": False})
    return jwt.encode(claims, key="", algorithm="none")


REFUSED = [
    ("missing", lambda body: None, 401, "bad_signature"),
    ("not a jwt", lambda body: "not-a-token", 401, "bad_signature"),
    ("no application", lambda body: token_for(NEW, body, "", time.time()), 401, "bad_signature"),
    ("forged", forged, 401, "bad_signature"),
    ("alg none", unsigned, 401, "bad_signature"),
    ("stale", stale, 401, "stale_signature"),
    ("issued in the future", early, 401, "stale_signature"),
    ("tampered body", tampered, 401, "payload_hash_mismatch"),
    ("no payload hash", no_hash, 401, "payload_hash_missing"),
    ("unknown app", lambda b: token_for(NEW, b, "app-x", time.time()), 404, "unknown_account"),
    ("disabled app", lambda b: token_for(NEW, b, "app-off", time.time()), 404, "unknown_account"),
    ("a cti account", lambda b: token_for(NEW, b, "pbx-1", time.time()), 404, "unknown_account"),
]


@pytest.mark.parametrize(("name", "token", "status", "error"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_refused_and_nothing_produced(
    name: str, token: Callable[[bytes], str | None], status: int, error: str
) -> None:
    body = recorded("vonage", "completed.json")
    async with serving(mount, VONAGE, CTI, OFF) as served:
        assert await post(served, body, token(body)) == (status, error)
        assert served.fake.calls == 0


async def test_signed_garbage_is_400_and_signed_mismatch_422() -> None:
    async with serving(mount, VONAGE) as served:
        for body, status in ((b"{oops", 400), (b'{"status": "started"}', 422)):
            assert (await post(served, body, token_for(NEW, body, APP, time.time())))[0] == status
        assert served.fake.calls == 0


async def test_broker_down_is_503_so_vonage_retries() -> None:
    body = recorded("vonage", "answered.json")
    async with serving(mount, VONAGE) as served:
        served.fake.down = True
        assert await post(served, body, token_for(NEW, body, APP, time.time())) == (
            503,
            "kafka_unavailable",
        )
