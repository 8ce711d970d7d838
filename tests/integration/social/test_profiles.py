"""Profile enrichment against the real broker and a local stand-in Graph / X API over real HTTP:
the ack never waits for a profile; a slow, dead or disabled profile API changes nothing but the
enrichment of later messages."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hotline import events as ev
from hotline.topics import INBOUND_SOCIAL
from hotline_tools.devstack.broker import free_port
from social_ingest.providers.meta import verify as meta
from tests.integration.social.conftest import Running, serve
from tests.integration.social.standin import StandIn, standin
from tests.kafka_helpers import read_all
from tests.unit.social.edges import META_SECRET, settings_for
from tests.unit.social.providers import providers

pytestmark = pytest.mark.integration
PAGE = "page-profiles"
PIC = "https://cdn.example/ada.jpg"
ADA = {"first_name": "Ada", "last_name": "Lovelace", "profile_pic": PIC}


def fb(psid: str, mid: str) -> bytes:
    item = {
        "sender": {"id": psid},
        "recipient": {"id": PAGE},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": mid, "text": "hi"},
    }
    entry = {"id": PAGE, "time": int(time.time() * 1000), "messaging": [item]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


async def post_fb(svc: Running, psid: str, mid: str) -> tuple[int, float]:
    """The status and the seconds until the service answered."""
    body = fb(psid, mid)
    headers = {"x-hub-signature-256": meta.sign(META_SECRET.encode(), body)}
    start = time.monotonic()
    answer = await svc.client.post("/webhooks/messenger", content=body, headers=headers)
    return answer.status_code, time.monotonic() - start


async def published(kafka: str, mid: str) -> ev.MessageReceived:
    for _ in range(50):
        for record in await read_all(kafka, INBOUND_SOCIAL):
            event = ev.decode(record.value)
            if isinstance(event, ev.MessageReceived) and event.provider_message_id == mid:
                return event
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{mid} was never published")


async def lookups(svc: Running) -> dict[tuple[str, str], float]:
    """hotline_profile_lookups_total by (provider, outcome), from the service's /metrics."""
    text = (await svc.client.get("/metrics")).text
    return {
        (s.labels["provider"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "hotline_profile_lookups"
        for s in family.samples
        if s.name.endswith("_total")
    }


async def until(svc: Running, done: Callable[[dict[tuple[str, str], float]], bool]) -> None:
    for _ in range(200):
        if done(await lookups(svc)):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"lookup outcomes never got there: {await lookups(svc)}")


def settings(kafka: str, api_base: str, **extra: Any):  # type: ignore[no-untyped-def]
    values = {"profiles_enabled": True, "meta_api_base": api_base, "x_api_base": api_base}
    return settings_for(kafka, free_port(), **{**values, **extra})


async def test_the_ack_does_not_wait_for_a_slow_profile_later_messages_carry_it(
    kafka: str,
) -> None:
    psid = f"psid-{uuid.uuid4().hex[:8]}"
    async with standin() as api:
        api.profiles[f"/{psid}"], api.profile_delay = (200, ADA), 3.0
        async with serve(settings(kafka, api.base, profile_timeout=5.0, profile_deadline=8)) as svc:
            status, seconds = await post_fb(svc, psid, f"m_{psid}_1")
            assert status == 200 and seconds < 1.5, seconds  # the stand-in answers after 3 s
            assert (await lookups(svc)).get(("messenger", "ok"), 0) == 0  # still in flight
            first = await published(kafka, f"m_{psid}_1")
            assert (first.sender.display_name, first.sender.avatar_url) == (None, None)
            await until(svc, lambda got: got.get(("messenger", "ok")) == 1)
            assert (await post_fb(svc, psid, f"m_{psid}_2"))[0] == 200
            second = await published(kafka, f"m_{psid}_2")
    assert (second.sender.display_name, second.sender.avatar_url) == ("Ada Lovelace", PIC)
    assert second.sender.handle == psid and second.content == first.content
    _check_lookup(api, psid)


def _check_lookup(api: StandIn, psid: str) -> None:
    (lookup,) = api.gets  # one lookup for two messages, nothing else asked
    assert lookup.path == f"/{psid}"
    assert lookup.body == {"fields": "first_name,last_name,profile_pic"}
    assert lookup.headers["authorization"] == "Bearer it-page-token"


@pytest.mark.parametrize("failure", ["down", "timing_out"])
async def test_a_dead_or_slow_profile_api_costs_nothing_but_the_enrichment(
    kafka: str, failure: str
) -> None:
    psid = f"psid-{uuid.uuid4().hex[:8]}"
    async with standin() as api:
        api.profiles[f"/{psid}"], api.profile_delay = (200, ADA), 3.0
        base = f"http://127.0.0.1:{free_port()}" if failure == "down" else api.base
        outcome = "error" if failure == "down" else "timeout"
        async with serve(settings(kafka, base, profile_timeout=0.3, profile_deadline=1)) as svc:
            assert (await post_fb(svc, psid, f"m_{psid}_1"))[0] == 200
            await until(svc, lambda got: got.get(("messenger", outcome)) == 1)
            for n in range(2, 5):  # a cached failure: no new lookup, messages still flow
                status, seconds = await post_fb(svc, psid, f"m_{psid}_{n}")
                assert status == 200 and seconds < 1.5
            last = await published(kafka, f"m_{psid}_4")
            got = await lookups(svc)
            assert (await svc.client.get("/healthz")).status_code == 200
    assert (last.sender.display_name, last.sender.avatar_url) == (None, None)
    assert got[("messenger", outcome)] == 1 and got[("messenger", "negative")] == 3
    assert got.get(("messenger", "ok"), 0) == 0
    assert len(api.gets) == (0 if failure == "down" else 1)


async def test_with_profiles_disabled_no_profile_request_is_ever_made(kafka: str) -> None:
    async with standin() as api:
        api.profiles = {path: (200, ADA) for path in ("/6789012345678901", "/users/3001969357")}
        async with serve(settings(kafka, api.base, profiles_enabled=False)) as svc:
            spec = {p.name: p for p in providers(svc.settings.port)}
            for name in ("messenger", "instagram", "x"):
                body = spec[name].good["text"]
                answer = await svc.client.post(
                    spec[name].path, content=body, headers=spec[name].sign(body)
                )
                assert answer.status_code == 200, name
            assert (await post_fb(svc, "psid-off", f"m_off_{uuid.uuid4().hex[:8]}"))[0] == 200
            await asyncio.sleep(0.5)  # time enough for a lookup, were one scheduled
            assert await lookups(svc) == {}
    assert api.gets == []
