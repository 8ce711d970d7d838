"""Slack senders' profiles (real name, email) from the Web API ``users.info``, cached per
(workspace, user) for a TTL.

slack_sdk's ``WebClient`` makes the call (its async client needs aiohttp, which this workspace
does not ship), in a worker thread and bounded by ``timeout`` because it runs inside Slack's
3 s ack window. Every client shares one TLS context built at start: without one, urllib builds
a default context per call, reading and parsing the system's CA bundle each time (tens of ms
of CPU). A failed lookup (``ok: false``, HTTP 5xx, timeout, unreachable) is logged and
counted and gives no profile: the message is still ingested, with its ``slack_user`` alone.
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from chat_gateway.slack.profile import Profile, profile_of
from hotline.expiring import ExpiringCache

log = logging.getLogger(__name__)
OUTAGE_CODES = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class ProfileDirectory:
    """Cached users.info lookups. After an outage answer (timeout, unreachable, HTTP 5xx) the
    workspace's API is not asked again for ``retry_after`` seconds, so an outage costs one slow
    call per workspace, not one per message; ``ok: false`` (user_not_found) is per user."""

    def __init__(
        self,
        tokens: Mapping[str, str],
        base_url: str,
        registry: CollectorRegistry,
        *,
        timeout: float = 1.0,
        ttl: float = 3600.0,
        retry_after: float = 60.0,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens, self.base_url = tokens, base_url.rstrip("/") + "/"
        self.clients: dict[str, WebClient] = {}  # by bot token: a rotated one gets its own
        self.tls = ssl.create_default_context()  # shared by every client's HTTPS calls
        self.timeout, self.ttl, self.retry_after = timeout, ttl, retry_after
        self.clock = clock
        # a failed lookup (None) is not repeated for retry_after
        self.cache: ExpiringCache[tuple[str, str], Profile] = ExpiringCache(
            max_entries, ttl, retry_after, clock
        )
        self.inflight: dict[tuple[str, str], asyncio.Task[Profile | None]] = {}
        self.down_until: dict[str, float] = {}  # team -> when its API may be asked again
        self.threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="slack-users-info")
        self.lookups = Counter(
            "hotline_slack_profile_lookups",
            "Slack users.info lookups of message senders",
            ["outcome"],
            registry=registry,
        )

    async def lookup(self, team: str, users: Iterable[str]) -> dict[str, Profile]:
        """The profiles found, by user id; users whose lookup failed are left out."""
        out = {}
        for user in dict.fromkeys(users):
            profile = await self.get(team, user)
            if profile is not None:
                out[user] = profile
        return out

    async def get(self, team: str, user: str) -> Profile | None:
        key = (team, user)
        known, cached = self.cache.entry(key)
        if known:
            self.lookups.labels("cached" if cached else "failed_recently").inc()
            return cached
        if self.down_until.get(team, 0.0) > self.clock():
            self.lookups.labels("api_down").inc()
            return None
        task = self.inflight.get(key)
        if task is None:  # concurrent messages of one new sender share one call
            task = self.inflight[key] = asyncio.create_task(self._fetch(team, user))
            task.add_done_callback(lambda _: self.inflight.pop(key, None))
        return await asyncio.shield(task)

    async def _fetch(self, team: str, user: str) -> Profile | None:
        client = self.client(team)
        if client is None:
            return None
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self.threads, lambda: client.users_info(user=user))
        try:
            answer = await asyncio.wait_for(call, self.timeout)
        except Exception as exc:  # whatever went wrong, the message goes on without a profile
            self._failed(team, user, exc)
            return None
        self.lookups.labels("fetched").inc()
        profile = profile_of(answer.get("user") or {})
        self.cache.put((team, user), profile)
        return profile

    def client(self, team: str) -> WebClient | None:
        """The client with the workspace's newest bot token (None: the workspace is gone)."""
        token = self.tokens.get(team)
        if token is None:
            return None
        if token not in self.clients:
            wait = math.ceil(self.timeout)
            self.clients[token] = WebClient(
                token=token, base_url=self.base_url, timeout=wait, retry_handlers=[], ssl=self.tls
            )
        return self.clients[token]

    def _failed(self, team: str, user: str, exc: Exception) -> None:
        reason, outage = _reason(exc)
        if outage:
            self.down_until[team] = self.clock() + self.retry_after
        else:
            self.cache.put((team, user), None)
        self.lookups.labels("failed").inc()
        log.warning(
            f"slack profile lookup failed ({reason}); message goes on without it",
            extra={"team": team, "user": user, "reason": reason},
        )

    def close(self) -> None:
        self.threads.shutdown(wait=False, cancel_futures=True)


def _reason(exc: Exception) -> tuple[str, bool]:
    """A short reason for the log (Slack's error code, the HTTP status, or the exception) and
    whether it is an outage (the API, not this one user, is the problem)."""
    if isinstance(exc, SlackApiError):
        response: Any = exc.response
        error = _field(response, "error")
        status = getattr(response, "status_code", None) or _field(response, "status")
        if not isinstance(status, int) or status >= 500 or status == 429:
            return f"http_{status}", True
        return str(error), error in OUTAGE_CODES
    if isinstance(exc, TimeoutError):
        return "timeout", True
    return type(exc).__name__, True


def _field(response: Any, name: str) -> object:
    try:
        return response.get(name)
    except Exception:  # not JSON, or no mapping at all
        return None
