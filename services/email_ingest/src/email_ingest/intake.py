"""The one path every mail takes, whatever brought it (SMTP, webhook, IMAP).

normalize (pure, off the event loop for big mails) -> store blobs -> publish and wait for the
Kafka ack. Poison (a ``PermanentError`` or any crash of the pure code) goes to the dead-letter
topic with the raw bytes and the reason; that also waits for the ack. ``KafkaUnavailable``
propagates: the caller answers 451/503 or keeps its IMAP checkpoint, so the mail comes again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from email_ingest.normalize import MailboxConfig, Normalized, normalize
from hotline.blobs import BlobStore
from hotline.kafka import EventProducer, PermanentError
from hotline.kafka.dlq import dead_letter, dlq_headers
from hotline.kafka.errors import reason_of
from hotline.topics import dead_letter_for

log = logging.getLogger(__name__)
OFF_LOOP_BYTES = 256 * 1024  # bigger mails are parsed in a worker thread
PARSER_VERSION = "email-1"


@dataclass(frozen=True)
class Outcome:
    status: Literal["published", "dead_lettered"]
    event_id: str | None = None
    reason: str | None = None


class Intake:
    def __init__(
        self, producer: EventProducer, blobs: BlobStore, config: MailboxConfig, topic: str
    ) -> None:
        self.producer = producer
        self.blobs = blobs
        self.config = config
        self.topic = topic

    async def accept(self, raw: bytes, rcpts: tuple[str, ...] = (), source: str = "") -> Outcome:
        """Returns once Kafka acked the event or the dead letter; KafkaUnavailable otherwise."""
        try:
            result = await self._normalize(raw, rcpts)
        except Exception as exc:  # poison: never dropped, never a crash loop
            return await self._dead_letter(raw, exc, source)
        await asyncio.to_thread(self._store, result)
        await self.producer.publish(result.events, topic=self.topic)
        event_id = result.events[0].event_id
        log.info("mail published", extra={"event_id": event_id, "topic": self.topic})
        return Outcome("published", event_id=event_id)

    async def _normalize(self, raw: bytes, rcpts: tuple[str, ...]) -> Normalized:
        now = datetime.now(UTC)
        if len(raw) <= OFF_LOOP_BYTES:
            return normalize(raw, self.config, now, rcpts)
        return await asyncio.to_thread(normalize, raw, self.config, now, rcpts)

    def _store(self, result: Normalized) -> None:
        for data in result.blobs.values():
            self.blobs.put(data)

    async def _dead_letter(self, raw: bytes, exc: Exception, source: str) -> Outcome:
        reason = reason_of(exc) if isinstance(exc, PermanentError) else f"crash:{reason_of(exc)}"
        dlq = dead_letter_for(self.topic)
        headers = dlq_headers(
            reason=reason,
            error=str(exc),
            source=source or self.topic,
            parser_version=PARSER_VERSION,
        )
        key = hashlib.sha256(raw).hexdigest().encode()
        await dead_letter(self.producer, dlq, raw, key=key, headers=headers)
        log.warning("mail dead-lettered", extra={"topic": dlq, "reason": reason})
        return Outcome("dead_lettered", reason=reason)
