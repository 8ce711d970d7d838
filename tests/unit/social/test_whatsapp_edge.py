"""The WhatsApp Cloud edge in process, on the intake's in-memory publisher: retries and
copies in flight add nothing, a retry with one new message produces only the new one, bad
input gets exact statuses and reaches no publisher, the handshake echoes the challenge."""

from __future__ import annotations

import asyncio
import json

import msgspec

from hotline import events as ev
from hotline.intake import MemoryPublisher
from hotline.topics import INBOUND_SOCIAL
from social_ingest.providers.meta import verify
from tests.unit.social.badinput import (
    Case,
    decoding_cases,
    oversize_cases,
    schema_cases,
    signature_cases,
)
from tests.unit.social.edges import META_SECRET, VERIFY_TOKEN, in_process

PATH = "/webhooks/whatsapp"


def sign(body: bytes) -> dict[str, str]:
    return {
        "x-hub-signature-256": verify.sign(META_SECRET.encode(), body),
        "content-type": "application/json",
    }


def wrong(body: bytes) -> dict[str, str]:
    return {"x-hub-signature-256": verify.sign(b"another-secret", body)}


def message_id(wamid: str) -> str:
    return ev.event_id_for("acme", "whatsapp", wamid, "message")


async def test_copies_in_flight_wait_for_the_first_ack_and_add_nothing() -> None:
    body = text_webhook("wamid.retry-3", "sent three times at once")
    async with in_process() as svc:
        posts = [svc.client.post(PATH, content=body, headers=sign(body)) for _ in range(3)]
        assert [r.status_code for r in await asyncio.gather(*posts)] == [200, 200, 200]
        assert svc.published_ids(INBOUND_SOCIAL) == [message_id("wamid.retry-3")]


async def test_a_retry_with_one_new_message_produces_only_the_new_one() -> None:
    first = text_webhook("wamid.retry-4", "acked already")
    async with in_process() as svc:
        assert (await svc.client.post(PATH, content=first, headers=sign(first))).is_success
        both = json.loads(first)
        messages = both["entry"][0]["changes"][0]["value"]["messages"]
        messages.append({**messages[0], "id": "wamid.retry-5", "text": {"body": "new"}})
        body = json.dumps(both).encode()
        assert (await svc.client.post(PATH, content=body, headers=sign(body))).is_success
        ids = svc.published_ids(INBOUND_SOCIAL)
    assert ids == [message_id("wamid.retry-4"), message_id("wamid.retry-5")]


async def test_another_instance_republishes_with_the_same_event_id() -> None:
    """Publish-once is per process: a retry that reaches another instance is published again,
    under the same event id (downstream dedup by id is the guarantee)."""
    body = text_webhook("wamid.retry-2", "again")
    shared = MemoryPublisher()
    async with in_process(shared) as one, in_process(shared) as other:
        for svc in (one, other):  # two instances: no shared memory, same event id
            assert (await svc.client.post(PATH, content=body, headers=sign(body))).is_success
    ids = [e.event_id for _, e in shared.published]
    assert ids == [message_id("wamid.retry-2")] * 2


def text_webhook(wamid: str, text: str, wa_id: str = "4915112345678") -> bytes:
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
    doc = json.loads(text_webhook("wamid.bad", "x"))
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
    good = text_webhook("wamid.never", "never produced")
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


async def test_bad_input_table_exact_statuses_nothing_published() -> None:
    async with in_process() as svc:
        cases = bad_cases(svc.settings.max_body_bytes)
        assert len(cases) >= 50
        got = {c.name: (await c.send(svc.client, PATH)).status_code for c in cases}
        assert got == {c.name: c.status for c in cases}
        assert (svc.fake.calls, svc.fake.published, svc.fake.letters) == (0, [], [])


async def test_schema_mismatch_names_the_field_path() -> None:
    body = _broken("msg['text'] = {'body': 5}")
    async with in_process() as svc:
        r = await svc.client.post(PATH, content=body, headers=sign(body))
    assert r.status_code == 422
    detail = msgspec.json.decode(r.content)["detail"]
    assert "$.entry[0].changes[0].value.messages[0].text.body" in detail


async def test_handshake_echoes_the_challenge() -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    async with in_process() as svc:
        r = await svc.client.get(PATH, params=params)
    assert (r.status_code, r.text) == (200, "1158201444")
