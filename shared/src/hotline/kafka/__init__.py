"""The one Kafka runtime every Hotline service uses: producer, consumer loop, DLQ, errors."""

from hotline.kafka.consumer import Batch, ConsumerLoop, Item, OffsetStore
from hotline.kafka.dlq import DLQ_HEADER_PREFIX, dead_letter
from hotline.kafka.errors import KafkaUnavailable, PermanentError, RetriableError, classify
from hotline.kafka.producer import EventProducer, ProducerSettings
from hotline.kafka.records import Headers, InRecord, OutRecord

__all__ = [
    "DLQ_HEADER_PREFIX",
    "Batch",
    "ConsumerLoop",
    "EventProducer",
    "Headers",
    "InRecord",
    "Item",
    "KafkaUnavailable",
    "OffsetStore",
    "OutRecord",
    "PermanentError",
    "ProducerSettings",
    "RetriableError",
    "classify",
    "dead_letter",
]
