"""WhatsApp Cloud edge on the real broker: the signed corpus lands (events, calls included, on
the stream, ops records on ``hotline.ops`` keyed and tagged like every event), recorded calls
land as call events (shuffled, repeated), a provider retry yields one record, 503 without
Kafka. The edge's other behaviour is tested in process
(``tests/unit/social/test_whatsapp_edge.py``)."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest

from hotline import events as ev
from hotline.topics import INBOUND_SOCIAL, OPS
from hotline_tools.devstack.broker import free_port
from social_ingest.providers.whatsapp.normalize import normalize
from tests.integration.social.conftest import Running, serve
from tests.kafka_helpers import read_all, total_records
from tests.unit.social.edges import VERIFY_TOKEN, settings_for
from tests.unit.social.helpers import CTX, FIXTURES, named_cases
from tests.unit.social.test_whatsapp_corpus import EXPECTED
from tests.unit.social.test_whatsapp_edge import PATH, sign, text_webhook

pytestmark = pytest.mark.integration


def corpus(corpora: Path) -> list[tuple[str, bytes]]:
    root = corpora / "david-lev-pywa" / "tests" / "data" / "updates"
    return [(f"{f}:{n}", b) for f in sorted(EXPECTED) for n, b in named_cases(root / f).items()]


async def test_every_signed_corpus_case_lands_on_the_broker(
    social: Running, kafka: str, corpora: Path
) -> None:
    cases = corpus(corpora)
    outs = [normalize(body, CTX) for _, body in cases]
    # the corpus reuses message ids ("wamid.xyzxyz") across cases: a repeated deterministic id
    # is a retry, so what lands is one record per distinct event id (the two connect cases
    # share a call id and number: one call.started); calls are events, no longer ops records
    want_events = len({e.event_id for out in outs for e in out.events})
    want_ops = len({o.event_id for out in outs for o in out.ops})
    assert (want_events, want_ops) == (22, 24)
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
    await _ops_keyed_and_tagged_like_events(kafka, {o.event_id: o for out in outs for o in out.ops})


async def _ops_keyed_and_tagged_like_events(kafka: str, ours: dict[str, ev.OpsUpdate]) -> None:
    """Ops records go through the same publish path: partition key and headers included."""
    seen = set()
    for record in await read_all(kafka, OPS):
        headers = dict(record.headers)
        event_id = headers.get("event_id", b"").decode()
        if event_id in ours:
            assert record.key == ev.partition_key(ours[event_id])
            assert headers["event_type"] == b"ops.update.v1"
            seen.add(event_id)
    assert seen == set(ours)


async def test_a_provider_retry_yields_one_event(social: Running, kafka: str) -> None:
    body = text_webhook("wamid.retry-1", "first try")
    before = await total_records(kafka, INBOUND_SOCIAL)
    for _ in range(3):  # Meta retries the identical body after a lost 200
        r = await social.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 200
    assert await total_records(kafka, INBOUND_SOCIAL) - before == 1
    records = await read_all(kafka, INBOUND_SOCIAL)
    wanted = ev.event_id_for("acme", "whatsapp", "wamid.retry-1", "message").encode()
    assert [dict(r.headers)["event_id"] for r in records].count(wanted) == 1


async def test_no_kafka_means_503_and_the_provider_retries(kafka: str) -> None:
    settings = settings_for("127.0.0.1:1", free_port())
    async with serve(settings, ready=False) as down:
        body = text_webhook("wamid.down", "kafka is down")
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


async def test_whatsapp_calls_land_on_the_social_stream_not_on_ops(
    social: Running, kafka: str
) -> None:
    """Every recorded calling webhook, shuffled and each sent twice: the call events land on
    ``hotline.inbound.social`` (where the unifier reads), once per event id; nothing on ops."""
    cases = list(named_cases(FIXTURES / "whatsapp" / "calls.json").values()) * 2
    random.Random(25).shuffle(cases)
    want = {e.event_id: e for body in cases for e in normalize(body, CTX).events}
    before_ops = await total_records(kafka, OPS)
    for body in cases:
        r = await social.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 200, r.text
    landed = [ev.decode(r.value) for r in await read_all(kafka, INBOUND_SOCIAL)]
    ours = [e for e in landed if e.event_id in want]
    assert {e.event_id for e in ours} == set(want) and len(want) == 8
    assert len(ours) == len(want)  # a repeated or restated step is not produced again
    assert {type(e) for e in ours} == {ev.CallStarted, ev.CallAnswered, ev.CallEnded}
    assert all(isinstance(e, ev.CallEnvelope) and e.tenant == "acme" for e in ours)
    assert await total_records(kafka, OPS) == before_ops
