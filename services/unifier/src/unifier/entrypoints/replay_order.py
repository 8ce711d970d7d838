"""Replay order: merge partitions by Kafka timestamp, each partition kept in its own order.

Live, the unifier handles records close to when they arrive, so across partitions it sees them
roughly in time order; a replay reads whole partitions at once. This k-way merge releases a
record only when every partition that still has records to deliver has shown one, so nothing
earlier can still arrive from elsewhere.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from aiokafka import TopicPartition

from hotline.kafka import Item


class TimeMerge:
    def __init__(self, ranges: dict[TopicPartition, tuple[int, int]]) -> None:
        self.ends = {tp: end for tp, (_, end) in ranges.items()}
        self.done = {tp: begin for tp, (begin, _) in ranges.items()}
        self.queues: dict[TopicPartition, deque[Item[Any]]] = {tp: deque() for tp in ranges}

    def add(
        self, tp: TopicPartition, items: Iterable[Item[Any]], next_offset: int
    ) -> list[Item[Any]]:
        self.queues[tp].extend(items)
        self.done[tp] = next_offset
        return self._release()

    @property
    def finished(self) -> bool:
        return all(self.done[tp] >= end for tp, end in self.ends.items()) and not any(
            self.queues.values()
        )

    def _blocked(self) -> bool:
        return any(not q and self.done[tp] < self.ends[tp] for tp, q in self.queues.items())

    def _release(self) -> list[Item[Any]]:
        out: list[Item[Any]] = []
        while not self._blocked():
            heads = [(q[0].record.timestamp, tp) for tp, q in self.queues.items() if q]
            if not heads:
                break
            _, tp = min(heads, key=lambda h: h[0])
            out.append(self.queues[tp].popleft())
        return out
