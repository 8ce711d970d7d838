"""Profile lookups with the token of the channel account each message arrived on (the
service's own wiring: ``SocialService`` builds the enricher over its registry), through an
in-process httpx transport: a managed page's newest page token, the environment's token for a
page left to the environment's account, and a page whose account has no token skipped and
counted (``no_token``), never looked up with another account's token."""

from __future__ import annotations

import asyncio

import httpx
import msgspec
from prometheus_client import CollectorRegistry

from hotline import events as ev
from hotline.accounts import Account
from social_ingest.accounts import registry_for
from social_ingest.credentials import Tokens
from social_ingest.profile_cache import NOTHING
from social_ingest.profile_sources import sources
from social_ingest.profiles import Enricher, lookup_counter
from tests.unit.social.edges import settings_for
from tests.unit.social.test_profiles import count, fb_text

SETTINGS = settings_for("127.0.0.1:1", 1, meta_api_base="http://meta", profile_workers=1)
NAMED = {"first_name": "Ada", "profile_pic": "https://cdn.example/ada.jpg"}


def on_page(page: str) -> ev.MessageReceived:
    event = fb_text()
    return msgspec.structs.replace(event, channel=ev.ChannelRef(kind="messenger", account_id=page))


def tokens() -> Tokens:
    registry = registry_for(SETTINGS)
    secrets = {"app_secret": ("s",), "page_token": ("pt-new", "pt-old")}
    registry.put(Account("messenger", "page-1", "t", secrets, version=1))
    registry.put(Account("messenger", "page-2", "t", {"app_secret": ("s",)}, version=1))
    return Tokens(registry, SETTINGS)


async def test_each_lookup_uses_its_pages_token_and_none_is_skipped() -> None:
    seen: list[tuple[str, str]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers["authorization"]))
        return httpx.Response(200, json=NAMED)

    metrics = CollectorRegistry()
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    enricher = Enricher(
        SETTINGS, sources(SETTINGS), lookup_counter(metrics), client, token=tokens().token
    )
    enricher.start()
    try:
        enricher.enrich([on_page(p) for p in ("page-1", "page-2", "page-z")])
        for _ in range(200):
            if not enricher.pending:
                break
            await asyncio.sleep(0.01)
    finally:
        await enricher.close()
    user = "/" + fb_text().sender.handle
    assert sorted(seen) == [(user, "Bearer it-page-token"), (user, "Bearer pt-new")]
    assert count(metrics, "ok") == 2 and count(metrics, "no_token") == 1
    handle = fb_text().sender.handle
    cached = {p: enricher.cache.get(("messenger", p, handle)) for p in ("page-1", "page-2")}
    assert cached["page-1"] and cached["page-1"].display_name == "Ada"
    assert cached["page-2"] is NOTHING  # skipped, like a failure, until the negative TTL ends
