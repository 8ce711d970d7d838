"""The profile cache: bounded, a TTL per entry, failures cached for a shorter TTL.

Read synchronously on the ack path (a dict lookup and a clock reading), written by the
enrichment workers.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Key = tuple[str, str, str]  # (channel kind, account / page id, user id)


@dataclass(frozen=True)
class Profile:
    display_name: str | None = None
    avatar_url: str | None = None


NOTHING = Profile()  # a cached failure: nothing to fill, nothing to look up until it expires


class ProfileCache:
    """Bounded (oldest written goes first) with a TTL per entry; failures get the shorter one."""

    def __init__(
        self,
        size: int,
        ttl: float,
        negative_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size, self.ttl, self.negative_ttl, self.clock = size, ttl, negative_ttl, clock
        self._entries: OrderedDict[Key, tuple[float, Profile]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Profile | None:
        """The cached profile, ``NOTHING`` for a cached failure, None when unknown or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: Key, profile: Profile | None) -> None:
        ttl = self.negative_ttl if profile is None else self.ttl
        self._entries[key] = (self.clock() + ttl, profile or NOTHING)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
