"""WhatsApp Cloud edge on the real broker: signed corpus lands, retries dedup, bad input
gets exact statuses and produces nothing, handshake, 503 without Kafka."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import msgspec
import pytest

from hotline import events as ev
from hotline.topics import INBOUND_SOCIAL, OPS
from hotline_tools.devstack.broker import free_port
from social_ingest.providers.meta import verify
from social_ingest.providers.whatsapp.normalize import normalize
from tests.integration.social.badinput import (
    Case,
    decoding_cases,
    oversize_cases,
    schema_cases,
    signature_cases,
)
from tests.integration.social.conftest import (
    META_SECRET,
    VERIFY_TOKEN,
    Running,
    serve,
    settings_for,
)
from tests.kafka_helpers import end_offsets, read_all, total_records
from tests.unit.social.helpers import CTX, named_cases
from tests.unit.social.test_whatsapp_corpus import EXPECTED

pytestmark = pytest.mark.integration
PATH = "/webhooks/whatsapp"
WATCHED = (INBOUND_SOCIAL, f"{INBOUND_SOCIAL}.dlq", OPS)


def sign(body: bytes) -> dict[str, str]:
    return {
        "x-hub-signature-256": verify.sign(META_SECRET.encode(), body),
        "content-type": "application/json",
    }


def wrong(body: bytes) -> dict[str, str]:
    return {"x-hub-signature-256": verify.sign(b"another-secret", body)}


def corpus(corpora: Path) -> list[tuple[str, bytes]]:
    root = corpora / "david-lev-pywa" / "tests" / "data" / "updates"
    return [(f"{f}:{n}", b) for f in sorted(EXPECTED) for n, b in named_cases(root / f).items()]


async def test_every_signed_corpus_case_lands_on_the_broker(
    social: Running, kafka: str, corpora: Path
) -> None:
    cases = corpus(corpora)
    outs = [normalize(body, CTX) for _, body in cases]
    # the corpus reuses message ids ("wamid.xyzxyz") across cases: a repeated deterministic id
    # is a retry, so what lands is one record per distinct event id
    want_events = len({e.event_id for out in outs for e in out.events})
    want_ops = len({o.event_id for out in outs for o in out.ops})
    assert (want_events, want_ops) == (18, 28)
    before_ev = await total_records(kafka, INBOUND_SOCIAL)
    before_ops = await total_records(kafka, OPS)
    for name, body in cases:
        r = await social.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 200, (name, r.text)
    assert await total_records(kafka, INBOUND_SOCIAL) - before_ev == want_events
    assert await total_records(kafka, OPS) - before_ops == want_ops
    landed = {ev.decode(r.value).event_id for r in await read_all(kafka, INBOUND_SOCIAL)}
    assert {e.event_id for out in outs for e in out.events} <= landed
    ops = [msgspec.json.decode(r.value) for r in await read_all(kafka, OPS)]
    assert {o.event_id for out in outs for o in out.ops} <= {o["event_id"] for o in ops}
    assert {o["type"] for o in ops} == {"ops.update.v1"}


async def test_a_provider_retry_yields_one_event(social: Running, kafka: str) -> None:
    body = _text_webhook("wamid.retry-1", "first try")
    before = await total_records(kafka, INBOUND_SOCIAL)
    for _ in range(3):  # Meta retries the identical body after a lost 200
        r = await social.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 200
    assert await total_records(kafka, INBOUND_SOCIAL) - before == 1
    records = await read_all(kafka, INBOUND_SOCIAL)
    wanted = ev.event_id_for("acme", "whatsapp", "wamid.retry-1", "message").encode()
    assert [dict(r.headers)["event_id"] for r in records].count(wanted) == 1


async def test_copies_in_flight_wait_for_the_first_ack_and_add_nothing(
    social: Running, kafka: str
) -> None:
    body = _text_webhook("wamid.retry-3", "sent three times at once")
    before = await total_records(kafka, INBOUND_SOCIAL)
    posts = [social.client.post(PATH, content=body, headers=sign(body)) for _ in range(3)]
    assert [r.status_code for r in await asyncio.gather(*posts)] == [200, 200, 200]
    assert await total_records(kafka, INBOUND_SOCIAL) - before == 1


async def test_a_retry_with_one_new_message_produces_only_the_new_one(
    social: Running, kafka: str
) -> None:
    first = _text_webhook("wamid.retry-4", "acked already")
    assert (await social.client.post(PATH, content=first, headers=sign(first))).is_success
    both = json.loads(first)
    messages = both["entry"][0]["changes"][0]["value"]["messages"]
    messages.append({**messages[0], "id": "wamid.retry-5", "text": {"body": "new"}})
    body = json.dumps(both).encode()
    before = await total_records(kafka, INBOUND_SOCIAL)
    assert (await social.client.post(PATH, content=body, headers=sign(body))).is_success
    assert await total_records(kafka, INBOUND_SOCIAL) - before == 1
    records = await read_all(kafka, INBOUND_SOCIAL)
    ids = [dict(r.headers)["event_id"] for r in records]
    for wamid in ("wamid.retry-4", "wamid.retry-5"):
        assert ids.count(ev.event_id_for("acme", "whatsapp", wamid, "message").encode()) == 1


async def test_a_restarted_instance_republishes_with_the_same_event_id(
    kafka: str, social: Running
) -> None:
    body = _text_webhook("wamid.retry-2", "again")
    async with serve(settings_for(kafka, free_port())) as other:
        for running in (social, other):  # two instances: no shared memory, same event id
            assert (await running.client.post(PATH, content=body, headers=sign(body))).is_success
    records = await read_all(kafka, INBOUND_SOCIAL)
    wanted = ev.event_id_for("acme", "whatsapp", "wamid.retry-2", "message").encode()
    ids = [dict(r.headers)["event_id"] for r in records]
    assert ids.count(wanted) == 2  # two records, one event id: downstream dedup makes it one


def _text_webhook(wamid: str, text: str, wa_id: str = "4915112345678") -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "waba-1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "15550001111",
                                    "phone_number_id": "pn-1",
                                },
                                "contacts": [{"profile": {"name": "Kim"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": wamid,
                                        "timestamp": "1764000000",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def _broken(mutate: str) -> bytes:
    doc = json.loads(_text_webhook("wamid.bad", "x"))
    value = doc["entry"][0]["changes"][0]["value"]
    msg = value["messages"][0]
    exec(mutate, {"doc": doc, "value": value, "msg": msg})  # small, readable table of edits
    return json.dumps(doc).encode()


SCHEMA = {
    "object page on the whatsapp route": "doc['object'] = 'page'",
    "unknown object type": "doc['object'] = 'telepathy'",
    "object missing": "del doc['object']",
    "object is a number": "doc['object'] = 7",
    "entry missing": "del doc['entry']",
    "entry not a list": "doc['entry'] = {}",
    "entry id missing": "del doc['entry'][0]['id']",
    "entry id a number": "doc['entry'][0]['id'] = 5",
    "changes not a list": "doc['entry'][0]['changes'] = 'x'",
    "change field missing": "del doc['entry'][0]['changes'][0]['field']",
    "metadata missing": "del value['metadata']",
    "phone_number_id missing": "del value['metadata']['phone_number_id']",
    "messages not a list": "value['messages'] = {}",
    "message id missing": "del msg['id']",
    "message from missing": "del msg['from']",
    "message type missing": "del msg['type']",
    "text body a number": "msg['text'] = {'body': 5}",
    "text body missing": "msg['text'] = {}",
    "timestamp a list": "msg['timestamp'] = [1]",
    "statuses status missing": "value['statuses'] = [{'id': 'wamid.s'}]",
    "location without latitude": "msg.update(type='location', location={'longitude': 1.0})",
    "reaction without message_id": "msg.update(type='reaction', reaction={'emoji': 'x'})",
    "contacts not a list": "msg.update(type='contacts', contacts={'name': 'x'})",
    "forwarded not a bool": "msg['context'] = {'forwarded': 'yes'}",
}


def bad_cases(limit: int) -> list[Case]:
    good = _text_webhook("wamid.never", "never produced")
    cases = signature_cases(good, "x-hub-signature-256", sign, wrong=wrong)
    cases += decoding_cases(sign)
    cases += schema_cases({k: _broken(v) for k, v in SCHEMA.items()}, sign)
    cases += oversize_cases(limit, sign)
    cases += [
        Case(
            "GET wrong verify token",
            403,
            "GET",
            params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "123"},
        ),
        Case(
            "GET missing token",
            403,
            "GET",
            params={"hub.mode": "subscribe", "hub.challenge": "123"},
        ),
        Case(
            "GET wrong mode",
            403,
            "GET",
            params={
                "hub.mode": "unsubscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1",
            },
        ),
        Case(
            "GET no challenge",
            403,
            "GET",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        ),
        Case("GET nothing", 403, "GET"),
        Case("PUT not allowed", 405, "PUT", body=good, headers=sign(good)),
    ]
    return cases


async def test_bad_input_table_exact_statuses_nothing_produced(social: Running, kafka: str) -> None:
    cases = bad_cases(social.settings.max_body_bytes)
    assert len(cases) >= 50
    before = await end_offsets(kafka, *WATCHED)
    got = {c.name: (await c.send(social.client, PATH)).status_code for c in cases}
    assert got == {c.name: c.status for c in cases}
    assert await end_offsets(kafka, *WATCHED) == before


async def test_schema_mismatch_names_the_field_path(social: Running) -> None:
    body = _broken("msg['text'] = {'body': 5}")
    r = await social.client.post(PATH, content=body, headers=sign(body))
    assert r.status_code == 422
    detail = msgspec.json.decode(r.content)["detail"]
    assert "$.entry[0].changes[0].value.messages[0].text.body" in detail


async def test_handshake_echoes_the_challenge(social: Running) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    r = await social.client.get(PATH, params=params)
    assert (r.status_code, r.text) == (200, "1158201444")


async def test_no_kafka_means_503_and_the_provider_retries(kafka: str) -> None:
    settings = settings_for("127.0.0.1:1", free_port())
    async with serve(settings, ready=False) as down:
        body = _text_webhook("wamid.down", "kafka is down")
        r = await down.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 503
        assert (
            await down.client.get(
                PATH,
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": VERIFY_TOKEN,
                    "hub.challenge": "7",
                },
            )
        ).text == "7"
