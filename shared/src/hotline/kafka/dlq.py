"""Dead letters: the original bytes and headers, plus why, where from and which parser failed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hotline.kafka.errors import reason_of
from hotline.kafka.records import Headers
from hotline.topics import dead_letter_for

if TYPE_CHECKING:
    from hotline.kafka.producer import EventProducer

log = logging.getLogger(__name__)

DLQ_HEADER_PREFIX = "hotline.dlq."


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


async def dead_letter_record(
    producer: EventProducer, record: Any, exc: BaseException, attempt: int, parser_version: str
) -> None:
    """A consumed record the loop could not handle: to ``<topic>.dlq`` with its headers."""
    reason = reason_of(exc)
    headers = dlq_headers(
        reason=reason,
        error=str(exc),
        source=record.topic,
        partition=record.partition,
        offset=record.offset,
        attempt=attempt,
        parser_version=parser_version,
    )
    original = [(k, bytes(v)) for k, v in (record.headers or ())]
    await dead_letter(
        producer,
        dead_letter_for(record.topic),
        record.value or b"",
        key=record.key,
        headers=headers,
        original_headers=original,
    )
    where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
    log.error("dead-lettered", extra={**where, "reason": reason, "error": str(exc)})
