"""The edge's answers: 400 malformed, 422 schema mismatch (with the path), 503 no Kafka ack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import msgspec
from fastapi.responses import Response

from hotline import events
from hotline.kafka.errors import KafkaUnavailable
from hotline.kafka.producer import EventProducer
from hotline.metrics import Metrics

T = TypeVar("T")


class Rejected(Exception):
    """Bad input: answered with ``status`` and a JSON reason; nothing is produced."""

    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail


def json_error(status: int, reason: str, detail: str = "") -> Response:
    body = msgspec.json.encode({"error": reason, "detail": detail})
    return Response(body, status_code=status, media_type="application/json")


def decode_json(body: bytes, schema: type[T]) -> T:
    """Decode into ``schema``: malformed JSON -> 400, schema mismatch -> 422 with the path."""
    try:
        return msgspec.json.decode(body, type=schema)
    except msgspec.ValidationError as exc:
        raise Rejected(422, "schema_mismatch", str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise Rejected(400, "malformed", str(exc)) from exc


async def publish_or_503(
    producer: EventProducer,
    evts: Sequence[events.Event],
    metrics: Metrics | None = None,
) -> Response | None:
    """Publish and wait for the ack; a 503 response when Kafka did not ack in time."""
    try:
        await producer.publish(evts)
    except KafkaUnavailable as exc:
        if metrics:
            metrics.rejected.labels("kafka_unavailable").inc()
        return json_error(503, "kafka_unavailable", str(exc))
    return None
