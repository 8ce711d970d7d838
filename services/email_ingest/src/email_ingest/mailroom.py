"""The one path every mail takes, whatever brought it (SMTP, webhook, IMAP), up to the shared
intake.

``prepare``: normalize (pure, off the event loop for big mails) into a ``Publish`` or, for
poison (a ``PermanentError`` or any crash of the pure code), a ``Poison`` of the raw bytes.
``commit``: store the attachments' blobs, then hand the outcome to the shared
``hotline.intake.Intake`` (publish once, wait for Kafka's ack or dead-letter). The caller turns
the ``Result`` into its answer: 250/451, 202/503, or an IMAP checkpoint moved or kept.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from email_ingest.alignment import Verdict
from email_ingest.normalize import MailboxConfig, Normalized, normalize
from hotline import events
from hotline.blobs import BlobStore
from hotline.intake import Intake, Poison, Publish, Publisher, Result
from hotline.intake.intake import poison_of
from hotline.metrics import Metrics
from hotline.topics import dead_letter_for

OFF_LOOP_BYTES = 256 * 1024  # bigger mails are parsed in a worker thread
PARSER_VERSION = "email-1"


@dataclass(frozen=True)
class Prepared:
    """A mail ready to commit: where it will land, under which key, with which marker."""

    outcome: Publish | Poison
    topic: str
    key: bytes
    marker: str  # the event id, or for a dead letter the sha256 of the raw bytes
    result: Normalized | None = None


class Mailroom:
    def __init__(
        self,
        publisher: Publisher,
        blobs: BlobStore,
        config: MailboxConfig,
        topic: str,
        metrics: Metrics | None = None,
    ) -> None:
        self.intake = Intake(publisher, metrics, topic=topic)
        self.blobs = blobs
        self.config = config
        self.topic = topic

    async def accept(
        self, raw: bytes, rcpts: tuple[str, ...] = (), source: str = "", auth: Verdict | None = None
    ) -> tuple[Prepared, Result]:
        """``auth``: the intake's own DKIM/DMARC verdict on the mail, when it checked one."""
        prepared = await self.prepare(raw, rcpts, source, auth)
        return prepared, await self.commit(prepared)

    async def prepare(
        self, raw: bytes, rcpts: tuple[str, ...] = (), source: str = "", auth: Verdict | None = None
    ) -> Prepared:
        try:
            result = await self._normalize(raw, rcpts, auth)
        except Exception as exc:  # poison: never dropped, never a crash loop
            digest = hashlib.sha256(raw).hexdigest()
            poison = poison_of(exc, raw, self.topic, source or self.topic, PARSER_VERSION)
            poison = replace(poison, key=digest.encode())
            return Prepared(poison, dead_letter_for(self.topic), digest.encode(), digest)
        event = result.events[0]
        key = events.partition_key(event)
        return Prepared(Publish(result.events), self.topic, key, event.event_id, result)

    async def commit(self, prepared: Prepared) -> Result:
        if prepared.result is not None:
            await asyncio.to_thread(self._store, prepared.result)
        return await self.intake.take(prepared.outcome)

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
