"""The intake's real path: KafkaPublisher on the session broker — an event acked once with its
headers, a dead letter with the bytes and the reason, and a producer with no broker behind it
answered as unavailable with nothing written."""

from __future__ import annotations

import pytest

from hotline import events as ev
from hotline.intake import Intake, KafkaPublisher, Poison, Publish
from hotline.kafka import EventProducer, ProducerSettings
from hotline.metrics import Metrics
from tests.kafka_helpers import fresh_topic, read_all, total_records
from tests.unit.foundation.samples import all_samples

pytestmark = pytest.mark.integration
MESSAGE = all_samples()["message_text"]


async def test_an_event_lands_once_with_its_headers(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    intake = Intake(KafkaPublisher(producer), topic=topic)
    assert (await intake.take(Publish([MESSAGE]))).produced == 1
    assert (await intake.take(Publish([MESSAGE]))).produced == 0
    [record] = await read_all(kafka, topic, expect=1)
    assert ev.decode(record.value) == MESSAGE
    assert dict(record.headers)["event_id"] == MESSAGE.event_id.encode()


async def test_poison_lands_in_the_dead_letter_topic(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    metrics = Metrics("test")
    intake = Intake(KafkaPublisher(producer), metrics)
    poison = Poison(b"\x00raw", "unknown_shape", topic, "/whatsapp", detail="no entry")
    assert (await intake.take(poison)).status == "dead_lettered"
    [letter] = await read_all(kafka, f"{topic}.dlq", expect=1)
    headers = dict(letter.headers)
    assert letter.value == b"\x00raw"
    assert headers["hotline.dlq.reason"] == b"unknown_shape"
    assert headers["hotline.dlq.error"] == b"no entry"
    assert metrics.dead_lettered.labels(f"{topic}.dlq", "unknown_shape")._value.get() == 1


async def test_without_a_broker_nothing_is_written(kafka: str) -> None:
    topic = await fresh_topic(kafka)
    offline = EventProducer(ProducerSettings(bootstrap=kafka, ack_timeout=1))  # never started
    intake = Intake(KafkaPublisher(offline), topic=topic)
    result = await intake.take(Publish([MESSAGE]))
    assert result.status == "unavailable"
    assert await total_records(kafka, topic) == 0
