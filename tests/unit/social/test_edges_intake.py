"""Every social provider edge goes through the one shared intake (``hotline.intake``), here on
its in-memory publisher: a signed recorded webhook is published once however often the
provider retries it, events to the stream and ops records to ``hotline.ops``; a broker that
does not ack gives 503 and nothing published; a verified body the normalizer cannot handle is
dead-lettered with its bytes and reason and answered 200."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest

from hotline import events as ev
from hotline.http.hotpath import Inbound
from hotline.kafka import DLQ_HEADER_PREFIX
from hotline.topics import INBOUND_SOCIAL, OPS
from social_ingest.context import Context
from social_ingest.ops import Normalized
from social_ingest.profile_cache import Profile
from tests.unit.social.edges import PORT, edge_with, in_process
from tests.unit.social.providers import Provider, providers, whatsapp

EDGES = ["whatsapp", "messenger", "instagram", "x", "telegram", "sms", "sms-status"]
WITH_OPS = {"whatsapp", "messenger", "instagram", "x", "telegram"}  # fixtures with ops records
DLQ = f"{INBOUND_SOCIAL}.dlq"


@pytest.fixture(scope="module")
def specs(corpora: Path) -> dict[str, Provider]:
    return {p.name: p for p in [whatsapp(corpora, PORT), *providers(PORT)]}


@dataclass
class Expected:
    events: set[str]
    ops: set[str]


def expected(p: Provider, bodies: list[bytes]) -> Expected:
    """What the provider's own normalizer makes of ``bodies`` (tenant "acme", as configured)."""
    ctx = Context.now("acme", region="US")
    outs = [p.normalize(body, ctx) for body in bodies]
    return Expected(
        {e.event_id for out in outs for e in out.events},
        {o.event_id for out in outs for o in out.ops},
    )


def first(p: Provider) -> bytes:
    return next(iter(p.good.values()))


@pytest.mark.parametrize("name", EDGES)
async def test_recorded_webhooks_are_published_once_however_often_they_come(
    specs: dict[str, Provider], name: str
) -> None:
    p = specs[name]
    want = expected(p, list(p.good.values()))
    async with in_process() as svc:
        for case, body in p.good.items():
            r = await svc.client.post(p.path, content=body, headers=p.sign(body))
            assert r.status_code == 200, (case, r.text)
        once = list(svc.fake.published)
        for body in p.good.values():  # the provider retries every one (a lost 200)
            r = await svc.client.post(p.path, content=body, headers=p.sign(body))
            assert r.status_code == 200
        assert svc.fake.published == once  # nothing a second time
        ids = [e.event_id for _, e in once]
        assert len(ids) == len(set(ids)) == len(want.events) + len(want.ops)
        assert set(svc.published_ids(INBOUND_SOCIAL)) == want.events and want.events
        assert set(svc.published_ids(OPS)) == want.ops
        assert svc.fake.letters == []


@pytest.mark.parametrize("name", sorted(WITH_OPS))
async def test_ops_records_go_through_the_same_intake_to_hotline_ops(
    specs: dict[str, Provider], name: str
) -> None:
    p = specs[name]
    ctx = Context.now("acme", region="US")
    with_ops = {case: b for case, b in p.good.items() if p.normalize(b, ctx).ops}
    assert with_ops, f"{name}: no recorded webhook with an ops record"
    async with in_process() as svc:
        for body in with_ops.values():
            assert (await svc.client.post(p.path, content=body, headers=p.sign(body))).is_success
        want = expected(p, list(with_ops.values()))
        landed = svc.fake.events_on(OPS)
        assert {o.event_id for o in landed} == want.ops
        assert all(isinstance(o, ev.OpsUpdate) for o in landed)
        assert not {e.event_id for e in svc.fake.events_on(INBOUND_SOCIAL)} & want.ops


def test_exactly_the_providers_with_ops_records_are_tested_for_them(
    specs: dict[str, Provider],
) -> None:
    ctx = Context.now("acme", region="US")
    has_ops = {
        n for n in EDGES if any(specs[n].normalize(b, ctx).ops for b in specs[n].good.values())
    }
    assert has_ops == WITH_OPS


@pytest.mark.parametrize("name", EDGES)
async def test_broker_down_is_503_with_nothing_published_and_the_retry_lands(
    specs: dict[str, Provider], name: str
) -> None:
    p = specs[name]
    body = first(p)
    async with in_process() as svc:
        svc.fake.down = True
        r = await svc.client.post(p.path, content=body, headers=p.sign(body))
        assert r.status_code == 503
        assert r.json()["error"] == "kafka_unavailable"
        assert svc.fake.calls >= 1  # it was tried, and not acked
        assert svc.fake.published == [] and svc.fake.letters == []
        svc.fake.down = False
        r = await svc.client.post(p.path, content=body, headers=p.sign(body))
        assert r.status_code == 200
        want = expected(p, [body])
        assert {e.event_id for _, e in svc.fake.published} == want.events | want.ops


def exploding(body: bytes, ctx: Context) -> Normalized:
    raise ZeroDivisionError("a shape the normalizer did not foresee")


@pytest.mark.parametrize("name", EDGES)
async def test_a_verified_body_the_normalizer_cannot_handle_is_dead_lettered(
    specs: dict[str, Provider], name: str
) -> None:
    p = specs[name]
    body = first(p)
    async with in_process() as svc:
        edge = edge_with(name, svc.settings, exploding)
        answer = await edge(svc.state, Inbound(body, p.sign(body), ""))
        assert answer.status == 200  # handled: the provider must not retry it into a loop
        [letter] = svc.fake.letters
        assert (letter.topic, letter.value, letter.reason) == (
            DLQ,
            body,
            "crash:ZeroDivisionError",
        )
        headers = {k: v.decode() for k, v in letter.headers.items()}
        assert headers[DLQ_HEADER_PREFIX + "source_topic"] == p.path
        assert "did not foresee" in headers[DLQ_HEADER_PREFIX + "error"]
        assert headers[DLQ_HEADER_PREFIX + "parser_version"] == "social-1"
        assert svc.fake.published == []


@pytest.mark.parametrize("name", EDGES)
async def test_poison_with_the_broker_down_is_503_and_an_unsigned_body_is_never_poison(
    specs: dict[str, Provider], name: str
) -> None:
    p = specs[name]
    body = first(p)
    async with in_process() as svc:
        edge = edge_with(name, svc.settings, exploding)
        svc.fake.down = True
        assert (await edge(svc.state, Inbound(body, p.sign(body), ""))).status == 503
        svc.fake.down = False
        unsigned = await svc.client.post(p.path, content=body, headers=p.wrong(body))
        assert unsigned.status_code == 401
        assert svc.fake.letters == [] and svc.fake.published == []


async def test_the_profile_enricher_is_the_intakes_prepare_hook(
    specs: dict[str, Provider],
) -> None:
    p = specs["messenger"]
    body = p.good["text"]
    (message,) = expected_messages(p, body)
    key = ("messenger", message.channel.account_id, message.sender.handle)
    async with in_process(profiles_enabled=True) as svc:
        enricher = svc.app.state.social.enricher
        enricher.cache.put(key, Profile("Ada L.", "https://cdn.example/ada.jpg"))
        assert (await svc.client.post(p.path, content=body, headers=p.sign(body))).is_success
        (published,) = svc.fake.events_on(INBOUND_SOCIAL)
    assert isinstance(published, ev.MessageReceived)
    assert published.event_id == message.event_id
    assert (published.sender.display_name, published.sender.avatar_url) == (
        "Ada L.",
        "https://cdn.example/ada.jpg",
    )
    as_was = msgspec.structs.replace(published.sender, display_name=None, avatar_url=None)
    assert message.sender.display_name is None and as_was == message.sender


def expected_messages(p: Provider, body: bytes) -> list[ev.MessageReceived]:
    out = p.normalize(body, Context.now("acme", region="US"))
    return [e for e in out.events if isinstance(e, ev.MessageReceived)]
