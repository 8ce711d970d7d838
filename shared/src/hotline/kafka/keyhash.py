"""The default partitioner's rule with each key's hash remembered.

Every client must put a key where the Java client's murmur2 rule puts it (one conversation,
one partition). aiokafka's ``DefaultPartitioner`` computes murmur2 in pure Python on every
send; keys repeat (one per conversation), so ``key_hash`` keeps up to ``HASHES_MAX`` hashes.
Cost: that dict's memory (cleared whole when full).
"""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner, murmur2

HASHES_MAX = 100_000
_HASHES: dict[bytes, int] = {}


def key_hash(key: bytes) -> int:
    """murmur2(key) & 0x7fffffff, remembered."""
    h = _HASHES.get(key)
    if h is None:
        if len(_HASHES) >= HASHES_MAX:
            _HASHES.clear()
        h = _HASHES[key] = murmur2(key) & 0x7FFFFFFF
    return h


def partition_of(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """An aiokafka ``partitioner``: the default one's choice, with the key's hash remembered."""
    if key is None:
        return int(DefaultPartitioner()(key, all_partitions, available))
    return all_partitions[key_hash(key) % len(all_partitions)]
