"""Vonage and generic CTI through the real HTTP edge onto the real broker: a PBX's call
(newCall, answer, hangup) and a Vonage call (started, ringing, answered, completed, its
recording), each signed, shuffled and repeated, are exactly one event per step on
hotline.inbound.voice, keyed by the caller's conversation; a bad signature is 401 and
produces nothing."""

from __future__ import annotations

import random
import time

import pytest

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.topics import INBOUND_VOICE
from tests.fixtures.voice import recorded
from tests.integration.voice.conftest import Running
from tests.kafka_helpers import read_all, total_records
from voice.providers.cti.verify import header_for
from voice.providers.vonage.verify import token_for

pytestmark = pytest.mark.integration
PBX, APP = "pbx-it", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
CTI_SECRET, VONAGE_SECRET = "it-cti-signing-secret", "it-vonage-signature-secret-0123456789"
PBX_CALL, VONAGE_CALL = "4991155921769858278-1", "CON-4bf66420-d6cb-46e0-9ba9-f7eede9a7301"
CTI_STEPS = {"call.started", "call.answered", "call.ended"}
VONAGE_STEPS = {
    "call.started",
    "call.answered",
    "call.ended",
    "call.recording:aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
}


def with_accounts(voice: Running) -> None:
    registry = voice.app.state.accounts
    assert isinstance(registry, AccountRegistry)
    cti = Account("voice", PBX, "acme", {"signing_secret": (CTI_SECRET,)}, {"source": "cti"})
    secrets = {"signature_secret": (VONAGE_SECRET,)}
    vonage = Account("voice", APP, "acme", secrets, {"source": "vonage", "region": "DE"})
    for account in (cti, vonage):
        registry.put(account)


async def post_cti(voice: Running, body: bytes, secret: str = CTI_SECRET) -> int:
    headers = {"x-hotline-signature": header_for(secret, int(time.time()), body)}
    res = await voice.client.post(f"/webhooks/voice/cti/{PBX}", content=body, headers=headers)
    return res.status_code


async def post_vonage(voice: Running, body: bytes, secret: str = VONAGE_SECRET) -> int:
    headers = {"authorization": f"Bearer {token_for(secret, body, APP, time.time())}"}
    res = await voice.client.post("/webhooks/voice/vonage", content=body, headers=headers)
    return res.status_code


async def ours(kafka: str, call_id: str) -> list[tuple[bytes | None, ev.CallEvent]]:
    found = []
    for record in await read_all(kafka, INBOUND_VOICE):
        event = ev.decode(record.value)
        if isinstance(event, ev.CallEvent) and event.call_id == call_id:
            found.append((record.key, event))
    return found


def step_ids(call_id: str, steps: set[str]) -> list[str]:
    return sorted(ev.event_id_for("acme", "voice", call_id, step) for step in steps)


async def test_a_pbx_call_shuffled_and_repeated_is_one_event_per_step(
    voice: Running, kafka: str
) -> None:
    with_accounts(voice)
    bodies = [recorded("cti", f"{n}_in.form") for n in ("newCall", "answer", "hangup")] * 3
    random.Random(25).shuffle(bodies)
    before = await total_records(kafka, INBOUND_VOICE)
    assert [await post_cti(voice, body) for body in bodies] == [200] * len(bodies)
    assert await total_records(kafka, INBOUND_VOICE) - before == len(CTI_STEPS)
    landed = await ours(kafka, PBX_CALL)
    assert sorted(e.event_id for _, e in landed) == step_ids(PBX_CALL, CTI_STEPS)
    assert {key for key, _ in landed} == {f"acme/voice/{PBX}/+49306098541".encode()}
    ended = next(e for _, e in landed if isinstance(e, ev.CallEnded))
    assert (ended.outcome, ended.cause) == ("completed", "normalClearing")


async def test_a_vonage_call_shuffled_and_repeated_is_one_event_per_step(
    voice: Running, kafka: str
) -> None:
    with_accounts(voice)
    names = ("started", "ringing", "answered", "completed", "recording")
    bodies = [recorded("vonage", f"{name}.json") for name in names] * 3
    random.Random(25).shuffle(bodies)
    before = await total_records(kafka, INBOUND_VOICE)
    assert [await post_vonage(voice, body) for body in bodies] == [200] * len(bodies)
    assert await total_records(kafka, INBOUND_VOICE) - before == len(VONAGE_STEPS)
    landed = await ours(kafka, VONAGE_CALL)
    assert sorted(e.event_id for _, e in landed) == step_ids(VONAGE_CALL, VONAGE_STEPS)
    assert {e.channel.account_id for _, e in landed} == {APP}
    [recording] = [e for _, e in landed if isinstance(e, ev.CallRecording)]
    # the account has no private key: the recording is there, visibly not copied
    assert recording.recording.fetch_error == "no_credentials"


async def test_bad_signatures_are_401_and_produce_nothing(voice: Running, kafka: str) -> None:
    with_accounts(voice)
    topics = (INBOUND_VOICE, f"{INBOUND_VOICE}.dlq")
    before = await total_records(kafka, *topics)
    assert await post_cti(voice, recorded("cti", "hangup_in.form"), "not-the-secret") == 401
    forged = "not-the-vonage-secret-0123456789abcdef"
    assert await post_vonage(voice, recorded("vonage", "busy.json"), forged) == 401
    unsigned = await voice.client.post(
        f"/webhooks/voice/cti/{PBX}", content=recorded("cti", "newCall_in.form")
    )
    assert unsigned.status_code == 401
    assert await total_records(kafka, *topics) == before
