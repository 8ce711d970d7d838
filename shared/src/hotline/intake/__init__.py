"""The one edge intake: an edge turns what arrived into an ``Outcome``; ``Intake`` publishes it
once, waits for Kafka's ack (or dead-letters poison) and says how it went, which the edge's
transport turns into its own answer (HTTP status, SMTP reply, a widget frame, an IMAP
checkpoint kept or moved)."""

from hotline.intake.intake import Intake
from hotline.intake.outcome import Outcome, Poison, Publish, Reply, Result
from hotline.intake.publisher import KafkaPublisher, MemoryPublisher, Publisher

__all__ = [
    "Intake",
    "KafkaPublisher",
    "MemoryPublisher",
    "Outcome",
    "Poison",
    "Publish",
    "Publisher",
    "Reply",
    "Result",
]
