"""Our producer's partitioner puts every key where aiokafka's default (the Java client's
murmur2 rule) does: integrators and the unifier rely on one conversation, one partition."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

from hotline.kafka.keyhash import partition_of


def test_same_partition_as_the_default_partitioner_twice_over() -> None:
    default = DefaultPartitioner()
    for n in (1, 3, 6, 12):
        partitions = list(range(n))
        for i in range(2000):
            key = f"acme\x1fwhatsapp\x1f4917{i:08d}".encode()
            expected = default(key, partitions, partitions)
            assert partition_of(key, partitions, partitions) == expected  # computed
            assert partition_of(key, partitions, partitions) == expected  # cached


def test_no_key_picks_an_available_partition() -> None:
    assert {partition_of(None, [0, 1, 2], [2]) for _ in range(20)} == {2}
