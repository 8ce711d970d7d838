"""A bounded cache whose entries expire: a TTL per entry, a shorter one for a remembered failure
(a ``None`` value), the oldest written evicted first. Profile lookups of the edges use it (a
dict lookup and a clock reading on the ack path)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringCache(Generic[K, V]):
    def __init__(
        self,
        size: int,
        ttl: float,
        negative_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size, self.ttl, self.negative_ttl, self.clock = size, ttl, negative_ttl, clock
        self._entries: OrderedDict[K, tuple[float, V | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, key: K) -> tuple[bool, V | None]:
        """(known, value): unknown or expired is (False, None), a remembered failure
        (True, None)."""
        found = self._entries.get(key)
        if found is None:
            return False, None
        if found[0] <= self.clock():
            del self._entries[key]
            return False, None
        return True, found[1]

    def put(self, key: K, value: V | None) -> None:
        """Remember a value for ``ttl``, or a failure (None) for ``negative_ttl``."""
        ttl = self.negative_ttl if value is None else self.ttl
        self._entries[key] = (self.clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
