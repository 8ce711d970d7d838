"""Optional profile enrichment (display name, avatar), never on the ack path.

The ack path only reads a bounded TTL cache (synchronously) and, on a miss, schedules a lookup
with ``put_nowait`` (a full queue drops it, counted). Background workers do the provider GETs
through one httpx client with explicit connect / read / write / pool timeouts and a deadline
per lookup, and cache failures for a shorter TTL so a dead provider is not hammered. The first
message of an unknown user therefore goes out as it came; later ones carry the profile.
Each lookup uses the newest token of the channel account the message arrived on (``token``);
an account without one is not looked up (``no_token``, cached like a failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from prometheus_client import CollectorRegistry, Counter

from hotline import events as ev
from social_ingest.outbound import Call, dig
from social_ingest.profile_cache import NOTHING, Key, Profile, ProfileCache
from social_ingest.settings import SocialSettings

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # a profile answer larger than this is malformed
MAX_TEXT = 2048
TokenOf = Callable[[str, str], str | None]  # (kind, account id) -> its newest token, if any


@dataclass(frozen=True)
class Source:
    """One provider's lookup: the GET for a user id with a token, its answer read into a
    profile."""

    request: Callable[[str, str], Call]  # (user id, the account's token) -> the GET
    read: Callable[[int, bytes], Profile | None]


def lookup_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hotline_profile_lookups",
        "Profile enrichment by provider and outcome"
        " (hit/negative/miss/dropped/ok/error/timeout/no_token)",
        ["provider", "outcome"],
        registry=registry,
    )


def timeouts(settings: SocialSettings) -> httpx.Timeout:
    t = settings.profile_timeout
    return httpx.Timeout(connect=t, read=t, write=t, pool=t)


class Enricher:
    def __init__(
        self,
        settings: SocialSettings,
        sources: dict[str, Source],
        counter: Counter,
        client: httpx.AsyncClient | None = None,
        *,
        token: TokenOf,
    ) -> None:
        s = settings
        self.sources, self.counter, self.deadline = sources, counter, s.profile_deadline
        self.token = token
        self.cache = ProfileCache(s.profile_cache_size, s.profile_ttl, s.profile_negative_ttl)
        self.queue: asyncio.Queue[Key] = asyncio.Queue(s.profile_queue_size)
        self.pending: set[Key] = set()
        self.client = client or httpx.AsyncClient(timeout=timeouts(s))
        self.workers = s.profile_workers
        self.tasks: list[asyncio.Task[None]] = []
        self._children: dict[tuple[str, str], Any] = {}

    def start(self) -> list[asyncio.Task[None]]:
        self.tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        return self.tasks

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()

    def enrich(self, events: list[ev.Event]) -> list[ev.Event]:
        """The ack path's part: cache reads and non-blocking scheduling, no I/O, no await."""
        return [self._one(e) if isinstance(e, ev.MessageReceived) else e for e in events]

    def _one(self, event: ev.MessageReceived) -> ev.Event:
        s, kind = event.sender, event.channel.kind
        if s.role != "customer" or (s.display_name and s.avatar_url) or kind not in self.sources:
            return event
        key = (kind, event.channel.account_id, s.handle)
        profile = self.cache.get(key)
        if profile is None:
            self._count(kind, "miss")
            self._schedule(key)
            return event
        self._count(kind, "negative" if profile is NOTHING else "hit")
        return filled(event, profile)

    def _schedule(self, key: Key) -> None:
        if key in self.pending:
            return
        try:
            self.queue.put_nowait(key)
        except asyncio.QueueFull:
            self._count(key[0], "dropped")
            return
        self.pending.add(key)

    async def _work(self) -> None:
        while True:
            key = await self.queue.get()
            try:
                profile, outcome = await self._lookup(key)
            except Exception as exc:  # a worker never dies of one bad answer
                log.error("profile lookup failed", extra={"provider": key[0], "error": repr(exc)})
                profile, outcome = None, "error"
            self.cache.put(key, profile)
            self.pending.discard(key)
            self._count(key[0], outcome)

    async def _lookup(self, key: Key) -> tuple[Profile | None, str]:
        source, token = self.sources[key[0]], self.token(key[0], key[1])
        if not token:  # the account has none: skipped, never another account's
            return None, "no_token"
        try:
            async with asyncio.timeout(self.deadline):
                status, body = await self._get(source.request(key[2], token))
        except (TimeoutError, httpx.TimeoutException):
            log.warning("profile lookup timed out", extra={"provider": key[0]})
            return None, "timeout"
        except httpx.HTTPError as exc:
            log.warning("profile lookup failed", extra={"provider": key[0], "error": repr(exc)})
            return None, "error"
        profile = source.read(status, body)
        return profile, "ok" if profile else "error"

    async def _get(self, call: Call) -> tuple[int, bytes]:
        async with self.client.stream("GET", call.url, headers=call.headers) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    return response.status_code, b""
            return response.status_code, bytes(body)

    def _count(self, provider: str, outcome: str) -> None:
        child = self._children.get((provider, outcome))
        if child is None:  # prometheus' labels() lookup is slow on the hot path
            child = self._children[provider, outcome] = self.counter.labels(provider, outcome)
        child.inc()


def filled(event: ev.MessageReceived, profile: Profile) -> ev.MessageReceived:
    """Only what the webhook left missing; every other field stays as it was."""
    s = event.sender
    name, avatar = s.display_name or profile.display_name, s.avatar_url or profile.avatar_url
    if name == s.display_name and avatar == s.avatar_url:
        return event
    sender = msgspec.structs.replace(s, display_name=name, avatar_url=avatar)
    return msgspec.structs.replace(event, sender=sender)


def document(status: int, body: bytes) -> dict[str, Any] | None:
    """A 2xx JSON object, else None (errors and malformed answers give no profile)."""
    if not 200 <= status < 300:
        return None
    with contextlib.suppress(msgspec.DecodeError):
        doc = msgspec.json.decode(body)
        return doc if isinstance(doc, dict) else None
    return None


def text(doc: Any, *path: str) -> str | None:
    value = dig(doc, *path)
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return None
    return value.strip() or None


def profile(name: str | None, avatar: str | None) -> Profile | None:
    """None when there is nothing usable; an avatar must be an http(s) URL."""
    if avatar and not avatar.lower().startswith(("https://", "http://")):
        avatar = None
    return Profile(name, avatar) if name or avatar else None
