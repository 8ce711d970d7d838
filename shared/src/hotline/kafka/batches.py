"""What the consumer loop hands to handlers, and its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from aiokafka import TopicPartition

from hotline.kafka.errors import Classifier
from hotline.kafka.records import InRecord

T = TypeVar("T")


class Item(NamedTuple, Generic[T]):
    record: InRecord
    value: T


@dataclass(frozen=True)
class Batch(Generic[T]):
    tp: TopicPartition
    items: list[Item[T]]

    @property
    def next_offset(self) -> int:
        offset: int = self.items[-1].record.offset
        return offset + 1


class Poll(NamedTuple, Generic[T]):
    records: dict[TopicPartition, list[InRecord]]
    batches: list[Batch[T]] | None  # None: not decoded ahead, or a record did not decode
    generation: int  # rebalances seen when it was fetched


class OffsetStore(Protocol):
    async def load(self, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        """Next offset to read per partition, for those the store has seen."""

    async def save(self, group: str, tp: TopicPartition, next_offset: int) -> None:
        """Advance past records the loop dead-lettered (the handler never saw them)."""


class Stalled(Exception):
    """An unclassified failure at ``offset``: the partition stops there (see ``stall``)."""

    def __init__(self, offset: int, error: BaseException) -> None:
        super().__init__(f"stalled at offset {offset}: {error!r}")
        self.offset, self.error = offset, error


class StopConsuming(Exception):
    """Retries exhausted on a retriable error: stop without committing (redelivery later)."""


@dataclass
class LoopSettings:
    bootstrap: str
    group_id: str
    topics: list[str]
    parser_version: str = "1"
    max_attempts: int = 5
    backoff_base: float = 0.1
    backoff_max: float = 5.0
    stall_backoff_max: float = 60.0  # cap between tries of a record stalled on an unknown error
    max_poll_records: int = 1000
    poll_timeout_ms: int = 500
    # No Hotline writer is transactional (the unifier publishes through an outbox), so
    # read_uncommitted is equivalent today; set read_committed if a transactional writer appears.
    isolation_level: str = "read_uncommitted"
    auto_offset_reset: str = "earliest"  # for a new group: "earliest" (default) or "latest"
    classify: Classifier | None = None
    # Fetch and decode the next poll while the handler works on this one (a rebalance in
    # between discards it: the new assignment starts from the committed/stored offsets).
    prefetch: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
