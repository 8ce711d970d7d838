"""The profile cache (TTL, bounds, negative entries) and the Enricher: what the ack path does
(cache reads, scheduling, dropping) and what its workers make of provider answers (through an
in-process httpx transport: no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TypedDict, Unpack

import httpx
import msgspec
import pytest
from prometheus_client import CollectorRegistry

from hotline import events as ev
from social_ingest.outbound import Call
from social_ingest.profile_cache import NOTHING, Profile, ProfileCache
from social_ingest.profiles import Enricher, Source, lookup_counter
from social_ingest.providers.messenger import profile as meta
from social_ingest.providers.messenger.normalize import normalize as messenger
from social_ingest.providers.telegram.normalize import normalize as telegram
from social_ingest.providers.whatsapp.normalize import normalize as whatsapp
from social_ingest.providers.x.normalize import normalize as x
from social_ingest.settings import SocialSettings
from tests.unit.social.helpers import CTX, FIXTURES, named_cases

ADA = Profile("Ada Lovelace", "https://cdn.example/ada.jpg")
PAGE, PSID = "106712345678901", "6789012345678901"  # the messenger "text" fixture


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    cache = ProfileCache(10, ttl=60, negative_ttl=5, clock=clock)
    cache.put(("messenger", "p", "u"), ADA)
    clock.now += 59.9
    assert cache.get(("messenger", "p", "u")) == ADA
    clock.now += 0.1
    assert cache.get(("messenger", "p", "u")) is None
    assert len(cache) == 0  # an expired entry is gone, not kept


def test_failures_are_cached_for_the_shorter_ttl() -> None:
    clock = Clock()
    cache = ProfileCache(10, ttl=60, negative_ttl=5, clock=clock)
    cache.put(("x", "a", "dead"), None)
    assert cache.get(("x", "a", "dead")) is NOTHING
    clock.now += 5
    assert cache.get(("x", "a", "dead")) is None


def test_cache_is_bounded_oldest_written_goes_first() -> None:
    cache = ProfileCache(3, ttl=60, negative_ttl=5, clock=Clock())
    for user in "abcd":
        cache.put(("x", "a", user), Profile(user))
    assert len(cache) == 3 and cache.get(("x", "a", "a")) is None
    cache.put(("x", "a", "b"), Profile("b2"))  # rewriting refreshes its place
    cache.put(("x", "a", "e"), Profile("e"))
    assert [cache.get(("x", "a", u)) for u in "bcde"] == [
        Profile("b2"),
        None,
        Profile("d"),
        Profile("e"),
    ]


def test_keys_are_per_provider_and_account() -> None:
    cache = ProfileCache(10, ttl=60, negative_ttl=5, clock=Clock())
    cache.put(("messenger", "page-1", "u"), ADA)
    assert cache.get(("messenger", "page-2", "u")) is None
    assert cache.get(("instagram", "page-1", "u")) is None


class ProfileSettings(TypedDict, total=False):
    """The ``SocialSettings`` profile fields a test sets."""

    profile_workers: int
    profile_queue_size: int
    profile_deadline: float


def settings(**kw: Unpack[ProfileSettings]) -> SocialSettings:
    merged: ProfileSettings = {"profile_workers": 1, "profile_queue_size": 10, **kw}
    return SocialSettings(**merged)


Answer = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def enricher(answer: Answer, **kw: Unpack[ProfileSettings]) -> tuple[Enricher, CollectorRegistry]:
    registry = CollectorRegistry()
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    source = Source(lambda uid, token: Call(f"http://meta/{uid}"), meta.read_messenger)
    return Enricher(
        settings(**kw), {"messenger": source}, lookup_counter(registry), client, token=any_token
    ), registry


def any_token(kind: str, account_id: str) -> str:
    return "page-token"


def count(registry: CollectorRegistry, outcome: str, provider: str = "messenger") -> float:
    labels = {"provider": provider, "outcome": outcome}
    return registry.get_sample_value("hotline_profile_lookups_total", labels) or 0.0


async def nobody(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.url}")


def fb_text() -> ev.MessageReceived:
    (event,) = messenger(named_cases(FIXTURES / "messenger" / "webhooks.json")["text"], CTX).events
    assert isinstance(event, ev.MessageReceived)
    return event


async def test_a_cached_profile_fills_only_the_missing_sender_fields() -> None:
    e, registry = enricher(nobody)
    e.cache.put(("messenger", PAGE, PSID), ADA)
    before = fb_text()
    (after,) = e.enrich([before])
    assert isinstance(after, ev.MessageReceived)
    assert (after.sender.display_name, after.sender.avatar_url) == (
        ADA.display_name,
        ADA.avatar_url,
    )
    as_was = msgspec.structs.replace(after.sender, display_name=None, avatar_url=None)
    assert msgspec.structs.replace(after, sender=as_was) == before
    assert msgspec.json.encode(
        msgspec.structs.replace(after, sender=as_was)
    ) == msgspec.json.encode(before)
    assert count(registry, "hit") == 1 and e.queue.empty()


async def test_a_name_from_the_webhook_wins_over_the_cached_one() -> None:
    e, _ = enricher(nobody)
    event = fb_text()
    named = msgspec.structs.replace(
        event, sender=msgspec.structs.replace(event.sender, display_name="Ada L.")
    )
    e.cache.put(("messenger", PAGE, PSID), ADA)
    (after,) = e.enrich([named])
    assert isinstance(after, ev.MessageReceived)
    assert (after.sender.display_name, after.sender.avatar_url) == ("Ada L.", ADA.avatar_url)


async def test_a_miss_schedules_one_lookup_and_publishes_the_event_unchanged() -> None:
    e, registry = enricher(nobody)
    event = fb_text()
    assert e.enrich([event, event]) == [event, event]
    assert e.queue.qsize() == 1 and e.pending == {("messenger", PAGE, PSID)}
    assert count(registry, "miss") == 2


async def test_a_full_queue_drops_the_lookup_and_counts_it_never_blocks() -> None:
    e, registry = enricher(nobody, profile_queue_size=1)
    first = fb_text()
    other = msgspec.structs.replace(
        first, sender=msgspec.structs.replace(first.sender, handle="other")
    )
    assert e.enrich([first, other]) == [first, other]
    assert e.queue.qsize() == 1 and count(registry, "dropped") == 1
    assert ("messenger", PAGE, "other") not in e.pending  # the next message may try again


async def test_a_negative_entry_neither_fills_nor_schedules() -> None:
    e, registry = enricher(nobody)
    e.cache.put(("messenger", PAGE, PSID), None)
    event = fb_text()
    assert e.enrich([event]) == [event] and e.queue.empty()
    assert count(registry, "negative") == 1


@pytest.mark.parametrize("name", ["whatsapp", "telegram", "x-complete", "echo", "delivery"])
async def test_events_without_a_lookup_are_left_alone(name: str) -> None:
    e, registry = enricher(nobody)
    out = events_for(name)
    assert out and e.enrich(out) == out
    assert e.queue.empty() and count(registry, "miss") == 0


def events_for(name: str) -> list[ev.Event]:
    if name in ("echo", "delivery"):
        return messenger(named_cases(FIXTURES / "messenger" / "webhooks.json")[name], CTX).events
    if name == "x-complete":  # X is looked up, but not once name and avatar are both known
        (event,) = x(named_cases(FIXTURES / "x" / "webhooks.json")["text"], CTX).events
        assert isinstance(event, ev.MessageReceived)
        full = msgspec.structs.replace(event.sender, avatar_url="https://x/a.jpg")
        return [msgspec.structs.replace(event, sender=full)]
    if name == "whatsapp":  # no profile API: the webhook's contacts[].profile.name is all
        return whatsapp(WA_TEXT, CTX).events
    return telegram(named_cases(FIXTURES / "telegram" / "webhooks.json")["text"], CTX).events


WA_TEXT = msgspec.json.encode(
    {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "waba",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "1555", "phone_number_id": "pn"},
                            "contacts": [{"profile": {"name": "C"}, "wa_id": "4915100000001"}],
                            "messages": [
                                {
                                    "from": "4915100000001",
                                    "id": "wamid.1",
                                    "timestamp": "1764000000",
                                    "type": "text",
                                    "text": {"body": "hello"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
)


async def lookup_outcome(
    answer: Answer, **kw: Unpack[ProfileSettings]
) -> tuple[Profile | None, CollectorRegistry]:
    e, registry = enricher(answer, **kw)
    e.start()
    try:
        e.enrich([fb_text()])
        for _ in range(200):
            if not e.pending:
                break
            await asyncio.sleep(0.01)
        return e.cache.get(("messenger", PAGE, PSID)), registry
    finally:
        await e.close()


async def test_a_lookup_fills_the_cache_and_counts_ok() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        assert request.url == f"http://meta/{PSID}"
        return httpx.Response(200, json={"first_name": "Ada", "profile_pic": ADA.avatar_url})

    got, registry = await lookup_outcome(answer)
    assert got == Profile("Ada", ADA.avatar_url) and count(registry, "ok") == 1


async def fails(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


async def times_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


async def hangs(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    raise AssertionError("the deadline should have ended this lookup")


async def malformed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"{not json")


async def oversize(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"first_name": "Ada", "pad": "x" * 100_000})


async def explodes(request: httpx.Request) -> httpx.Response:
    raise RuntimeError("a bug in a transport")


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (fails, "error"),
        (times_out, "timeout"),
        (hangs, "timeout"),
        (malformed, "error"),
        (oversize, "error"),
        (explodes, "error"),
    ],
)
async def test_failed_lookups_are_negatively_cached_and_counted(
    answer: Answer, outcome: str
) -> None:
    got, registry = await lookup_outcome(answer, profile_deadline=0.2)
    assert got is NOTHING
    assert count(registry, outcome) == 1 and count(registry, "ok") == 0
