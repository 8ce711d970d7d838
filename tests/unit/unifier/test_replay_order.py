"""The replay merge: timestamp order across partitions, per-partition order kept, no early
release while another partition may still deliver something earlier."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hotline.kafka import Item
from unifier.entrypoints.replay_order import TimeMerge

A, B = TopicPartition("t", 0), TopicPartition("t", 1)


def items(tp: TopicPartition, *stamps: int, first: int = 0) -> list[Item[str]]:
    return [
        Item(
            ConsumerRecord(tp.topic, tp.partition, first + n, ts, 0, None, b"", None, 0, 0, []),
            f"{tp.partition}@{ts}",
        )
        for n, ts in enumerate(stamps)
    ]


def values(released: list[Item[str]]) -> list[str]:
    return [i.value for i in released]


def test_merges_by_time_and_waits_for_open_partitions() -> None:
    merge = TimeMerge({A: (0, 3), B: (0, 2)})
    assert values(merge.add(A, items(A, 10, 30), 2)) == []  # B may still hold something earlier
    assert values(merge.add(B, items(B, 20), 1)) == ["0@10", "1@20"]  # A's 30 waits for B
    assert values(merge.add(B, items(B, 40, first=1), 2)) == ["0@30"]  # B done; A still open
    assert values(merge.add(A, items(A, 35, first=2), 3)) == ["0@35", "1@40"]
    assert merge.finished


def test_a_partition_keeps_its_own_order_even_when_stamps_go_back() -> None:
    merge = TimeMerge({A: (0, 2), B: (5, 5)})  # B is empty: never blocks
    assert values(merge.add(A, items(A, 50, 40), 2)) == ["0@50", "0@40"]
    assert merge.finished
