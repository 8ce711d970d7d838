"""Recently acked event ids (bounded, in memory): a provider retry of a webhook whose events
Kafka already acked is answered 200 without producing again. Downstream dedup by the
deterministic event id stays the real guarantee (restarts, several instances)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable


class RecentIds:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def all_seen(self, ids: list[str]) -> bool:
        return bool(ids) and all(i in self._ids for i in ids)

    def add(self, ids: Iterable[str]) -> None:
        for i in ids:
            self._ids[i] = None
            self._ids.move_to_end(i)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
