"""Stalled partitions: an unclassified failure (most likely a bug) stops its partition.

The loop pauses the partition and seeks it back to the failing record: nothing is committed
past it and nothing is dead-lettered. The same record is tried again after a capped
exponential backoff, for as long as it takes; every failed attempt logs an ERROR with the
traceback and counts in ``hotline_consumer_stalls_total``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from hotline.kafka.records import InRecord
from hotline.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass
class Stall:
    offset: int  # the failing record: where the partition resumes
    since: float  # monotonic time of the first failure
    attempts: int = 0
    retry_at: float = 0.0
    paused: bool = True  # False once resumed for the next try


class Stalls:
    def __init__(self, base: float, cap: float, metrics: Metrics | None) -> None:
        self.base, self.cap, self.metrics = base, cap, metrics
        self.by_tp: dict[TopicPartition, Stall] = {}

    def failed(self, tp: TopicPartition, offset: int, exc: BaseException) -> Stall:
        """Record one failed attempt at ``offset`` and schedule the next."""
        now = time.monotonic()
        stall = self.by_tp.get(tp)
        if stall is None or stall.offset != offset:
            if stall is None and self.metrics:
                self.metrics.stalled.labels(tp.topic).inc()
            stall = self.by_tp[tp] = Stall(offset, now)
        stall.attempts += 1
        stall.paused = True
        backoff = self.base * 2 ** min(stall.attempts - 1, 30)  # bounded: no float overflow
        stall.retry_at = now + min(backoff, self.cap)
        self._report(tp, stall, exc)
        return stall

    def cleared(self, tp: TopicPartition) -> None:
        """The partition moved past its stalled record (or is no longer ours)."""
        stall = self.by_tp.pop(tp, None)
        if stall is None:
            return
        if self.metrics:
            self.metrics.stalled.labels(tp.topic).dec()
        where = {"topic": tp.topic, "partition": tp.partition, "offset": stall.offset}
        log.warning("stall cleared", extra={**where, "attempts": stall.attempts})

    def resume_due(self, consumer: AIOKafkaConsumer) -> None:
        """Paused partitions whose backoff has passed: fetch from the failing record again."""
        if not self.by_tp:
            return
        now = time.monotonic()
        assigned = consumer.assignment()
        for tp, stall in self.by_tp.items():
            if stall.paused and stall.retry_at <= now and tp in assigned:
                stall.paused = False
                consumer.seek(tp, stall.offset)
                consumer.resume(tp)

    def without_stalled(
        self, consumer: AIOKafkaConsumer, polled: dict[TopicPartition, list[InRecord]]
    ) -> dict[TopicPartition, list[InRecord]]:
        """Drop records of stalled partitions fetched before the stall (a prefetch, say): a
        resumed partition goes on only from its failing record."""
        kept = {}
        for tp, records in polled.items():
            stall = self.by_tp.get(tp)
            if stall is None or (not stall.paused and records[0].offset == stall.offset):
                kept[tp] = records
            elif not stall.paused:  # stale records after the resume: back to the failing one
                consumer.seek(tp, stall.offset)
        return kept

    def longest(self) -> float:
        """Seconds the oldest current stall has lasted (0.0 when nothing is stalled)."""
        now = time.monotonic()
        return max((now - s.since for s in self.by_tp.values()), default=0.0)

    def _report(self, tp: TopicPartition, stall: Stall, exc: BaseException) -> None:
        if self.metrics:
            self.metrics.stalls.labels(tp.topic, type(exc).__name__).inc()
        log.error(
            "partition stalled on an unclassified error (not dead-lettered); retrying",
            exc_info=exc,
            extra={
                "topic": tp.topic,
                "partition": tp.partition,
                "offset": stall.offset,
                "attempt": stall.attempts,
                "retry_in": round(stall.retry_at - time.monotonic(), 3),
                "error": repr(exc),
            },
        )
