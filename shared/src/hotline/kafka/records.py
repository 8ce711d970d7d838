"""The two record types of the Kafka runtime: one to produce, one consumed."""

from __future__ import annotations

from typing import TypeAlias

from aiokafka.structs import ConsumerRecord

Headers: TypeAlias = list[tuple[str, bytes]]
OutRecord: TypeAlias = tuple[bytes | None, bytes, Headers]  # key, value, headers: to produce
InRecord: TypeAlias = ConsumerRecord  # what a consumer fetched (aiokafka ships no types)
