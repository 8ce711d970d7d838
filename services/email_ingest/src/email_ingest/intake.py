"""The one path every mail takes, whatever brought it (SMTP, webhook, IMAP).

``prepare``: normalize (pure, off the event loop for big mails). ``commit``: store blobs, then
publish and wait for the Kafka ack. Poison (a ``PermanentError`` or any crash of the pure code)
is committed to the dead-letter topic with the raw bytes and the reason, also acked.
``KafkaUnavailable`` propagates: the caller answers 451/503 or keeps its IMAP checkpoint, so
the mail comes again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal

from email_ingest.alignment import Verdict
from email_ingest.normalize import MailboxConfig, Normalized, normalize
from hotline import events
from hotline.blobs import BlobStore
from hotline.kafka import EventProducer, PermanentError
from hotline.kafka.dlq import dead_letter, dlq_headers
from hotline.kafka.errors import reason_of
from hotline.kafka.once import PublishOnce
from hotline.topics import dead_letter_for

log = logging.getLogger(__name__)
OFF_LOOP_BYTES = 256 * 1024  # bigger mails are parsed in a worker thread
PARSER_VERSION = "email-1"


@dataclass(frozen=True)
class Outcome:
    status: Literal["published", "dead_lettered"]
    event_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A mail ready to commit: where it will land, under which key, with which marker."""

    raw: bytes
    source: str
    topic: str
    key: bytes
    marker: str  # the event id, or for a dead letter the sha256 of the raw bytes
    result: Normalized | None = None
    error: Exception | None = None


class Intake:
    def __init__(
        self, producer: EventProducer, blobs: BlobStore, config: MailboxConfig, topic: str
    ) -> None:
        self.producer = producer
        self.blobs = blobs
        self.config = config
        self.topic = topic
        self.once = PublishOnce(partial(producer.publish, topic=topic))  # resends add nothing

    async def accept(
        self, raw: bytes, rcpts: tuple[str, ...] = (), source: str = "", auth: Verdict | None = None
    ) -> Outcome:
        """Returns once Kafka acked the event or the dead letter; KafkaUnavailable otherwise.
        ``auth``: the intake's own DKIM/DMARC verdict on the mail, when it checked one."""
        return await self.commit(await self.prepare(raw, rcpts, source, auth))

    async def prepare(
        self, raw: bytes, rcpts: tuple[str, ...] = (), source: str = "", auth: Verdict | None = None
    ) -> Prepared:
        try:
            result = await self._normalize(raw, rcpts, auth)
        except Exception as exc:  # poison: never dropped, never a crash loop
            digest = hashlib.sha256(raw).hexdigest()
            dlq = dead_letter_for(self.topic)
            return Prepared(raw, source, dlq, digest.encode(), digest, error=exc)
        event = result.events[0]
        key = events.partition_key(event)
        return Prepared(raw, source, self.topic, key, event.event_id, result=result)

    async def commit(self, prepared: Prepared) -> Outcome:
        if prepared.result is None:
            assert prepared.error is not None
            return await self._dead_letter(prepared, prepared.error)
        await asyncio.to_thread(self._store, prepared.result)
        await self.once(prepared.result.events)
        log.debug("mail published", extra={"event_id": prepared.marker, "topic": self.topic})
        return Outcome("published", event_id=prepared.marker)

    async def _normalize(
        self, raw: bytes, rcpts: tuple[str, ...], auth: Verdict | None
    ) -> Normalized:
        now = datetime.now(UTC)
        if len(raw) <= OFF_LOOP_BYTES:
            return normalize(raw, self.config, now, rcpts, auth)
        return await asyncio.to_thread(normalize, raw, self.config, now, rcpts, auth)

    def _store(self, result: Normalized) -> None:
        for data in result.blobs.values():
            self.blobs.put(data)

    async def _dead_letter(self, prepared: Prepared, exc: Exception) -> Outcome:
        reason = reason_of(exc) if isinstance(exc, PermanentError) else f"crash:{reason_of(exc)}"
        headers = dlq_headers(
            reason=reason,
            error=str(exc),
            source=prepared.source or self.topic,
            parser_version=PARSER_VERSION,
        )
        await dead_letter(
            self.producer, prepared.topic, prepared.raw, key=prepared.key, headers=headers
        )
        log.warning("mail dead-lettered", extra={"topic": prepared.topic, "reason": reason})
        return Outcome("dead_lettered", reason=reason)
