"""Dead letters: the original bytes and headers, plus why, where from and which parser failed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotline.kafka.producer import EventProducer

DLQ_HEADER_PREFIX = "hotline.dlq."
Headers = list[tuple[str, bytes]]


def dlq_headers(
    *,
    reason: str,
    error: str,
    source: str,
    partition: int | None = None,
    offset: int | None = None,
    attempt: int = 1,
    parser_version: str = "",
) -> Headers:
    values = {
        "reason": reason,
        "error": error[:2000],
        "source_topic": source,
        "source_partition": "" if partition is None else str(partition),
        "source_offset": "" if offset is None else str(offset),
        "attempt": str(attempt),
        "parser_version": parser_version,
        "failed_at": datetime.now(UTC).isoformat(),
    }
    return [(DLQ_HEADER_PREFIX + k, v.encode()) for k, v in values.items()]


async def dead_letter(
    producer: EventProducer,
    dlq_topic: str,
    value: bytes,
    *,
    key: bytes | None,
    headers: Headers,
    original_headers: Headers | None = None,
) -> None:
    """Produce the dead letter and wait for Kafka's ack (a dead letter is never dropped)."""
    all_headers = [*(original_headers or []), *headers]
    await producer.send(dlq_topic, value, key=key, headers=all_headers)
    reason = dict(headers).get(DLQ_HEADER_PREFIX + "reason", b"").decode()
    if producer.metrics:
        producer.metrics.dead_lettered.labels(dlq_topic, reason).inc()
