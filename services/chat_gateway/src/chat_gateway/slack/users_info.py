"""Slack senders' profiles (real name, email) from the Web API ``users.info``, cached per
(workspace, user) for a TTL.

slack_sdk's ``WebClient`` makes the call (its async client needs aiohttp, which this workspace
does not ship), in a worker thread and bounded by ``timeout`` because it runs inside Slack's
3 s ack window. A failed lookup (``ok: false``, HTTP 5xx, timeout, unreachable) is logged and
counted and gives no profile: the message is still ingested, with its ``slack_user`` alone. A
failure is remembered for ``retry_after`` seconds so a Slack outage costs one call per sender,
not one per message.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from chat_gateway.slack.profile import Profile, profile_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    expires: float
    profile: Profile | None  # None: the last lookup failed


class ProfileDirectory:
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
        self.clients = {
            team: WebClient(token=token, base_url=base_url.rstrip("/") + "/",
                            timeout=math.ceil(timeout), retry_handlers=[])
            for team, token in tokens.items()
        }  # fmt: skip
        self.timeout, self.ttl, self.retry_after = timeout, ttl, retry_after
        self.max_entries, self.clock = max_entries, clock
        self.cache: OrderedDict[tuple[str, str], Entry] = OrderedDict()
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
        entry = self.cache.get((team, user))
        if entry is not None and entry.expires > self.clock():
            self.lookups.labels("cached" if entry.profile else "failed_recently").inc()
            return entry.profile
        profile = await self._fetch(team, user)
        self._remember((team, user), profile)
        return profile

    def _remember(self, key: tuple[str, str], profile: Profile | None) -> None:
        ttl = self.ttl if profile is not None else self.retry_after
        self.cache[key] = Entry(self.clock() + ttl, profile)
        self.cache.move_to_end(key)
        while len(self.cache) > self.max_entries:
            self.cache.popitem(last=False)

    async def _fetch(self, team: str, user: str) -> Profile | None:
        client = self.clients.get(team)
        if client is None:
            return None
        try:
            answer = await asyncio.wait_for(
                asyncio.to_thread(client.users_info, user=user), self.timeout
            )
        except Exception as exc:  # whatever went wrong, the message goes on without a profile
            self._failed(team, user, _reason(exc))
            return None
        self.lookups.labels("fetched").inc()
        return profile_of(answer.get("user") or {})

    def _failed(self, team: str, user: str, reason: str) -> None:
        self.lookups.labels("failed").inc()
        log.warning(
            f"slack profile lookup failed ({reason}); message goes on without it",
            extra={"team": team, "user": user, "reason": reason},
        )


def _reason(exc: Exception) -> str:
    """A short reason for the log: Slack's error code, the HTTP status, or the exception."""
    if isinstance(exc, SlackApiError):
        response: Any = exc.response
        error = _field(response, "error")
        status = getattr(response, "status_code", None) or _field(response, "status")
        return str(error or f"http_{status}")
    if isinstance(exc, TimeoutError):
        return "timeout"
    return type(exc).__name__


def _field(response: Any, name: str) -> object:
    try:
        return response.get(name)
    except Exception:  # not JSON, or no mapping at all
        return None
