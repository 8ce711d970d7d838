"""Reply sender: ``reply.requested.v1`` from Kafka (ConsumerLoop) -> SMTP relay (aiosmtplib)
-> ``reply.result.v1``. 4xx and connection failures are retried with backoff; after the last
attempt the result is ``failed`` with ``retryable=true``. 5xx is a permanent ``failed``."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib

from email_ingest.compose import Attachment, Composed, ReplyConfig, compose
from hotline import events
from hotline.blobs import BlobStore
from hotline.kafka import Batch, ConsumerLoop, EventProducer, PermanentError
from hotline.kafka.consumer import InRecord, LoopSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayConfig:
    host: str
    port: int
    attempts: int = 4
    backoff_s: float = 0.5
    timeout_s: float = 30.0


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    code: str | None
    reason: str | None
    retryable: bool = False


class ReplySender:
    def __init__(
        self,
        producer: EventProducer,
        relay: RelayConfig,
        config: ReplyConfig,
        results_topic: str,
        blobs: BlobStore,
    ) -> None:
        self.producer = producer
        self.relay = relay
        self.config = config
        self.results_topic = results_topic
        self.blobs = blobs

    async def handle(self, batch: Batch[events.ReplyRequested]) -> None:
        for item in batch.items:
            await self.reply(item.value)

    async def reply(self, request: events.ReplyRequested) -> None:
        """Send and report; a request we refuse (wrong channel, bad recipient, missing
        attachment) is reported as ``failed`` with the reason, not silently dropped."""
        try:
            attachments = await asyncio.to_thread(self._load, request.attachments)
            composed = compose(request, self.config, datetime.now(UTC), attachments)
        except PermanentError as exc:
            refused = SendOutcome(False, None, exc.reason)
            return await self._report(_result(request, None, refused))
        outcome = await self._send_with_retries(composed)
        await self._report(_result(request, composed, outcome))

    def _load(self, refs: list[events.AttachmentRef]) -> list[Attachment]:
        try:
            return [(ref, self.blobs.get(ref.ref)) for ref in refs]
        except (OSError, ValueError) as exc:
            raise PermanentError("attachment_missing", str(exc)) from exc

    async def _report(self, result: events.ReplyResult) -> None:
        await self.producer.publish([result], topic=self.results_topic)
        log.info(
            "reply " + result.status,
            extra={"event_id": result.event_id, "topic": self.results_topic},
        )

    async def _send_with_retries(self, composed: Composed) -> SendOutcome:
        delay = self.relay.backoff_s
        outcome = SendOutcome(False, None, "not attempted")
        for attempt in range(1, self.relay.attempts + 1):
            outcome = await self._send_once(composed)
            if outcome.ok or not outcome.retryable or attempt == self.relay.attempts:
                return outcome
            await asyncio.sleep(delay)
            delay *= 2
        return outcome

    async def _send_once(self, composed: Composed) -> SendOutcome:
        try:
            await aiosmtplib.send(
                composed.data, sender=_address(self.config.sender), recipients=composed.recipients,
                hostname=self.relay.host, port=self.relay.port, timeout=self.relay.timeout_s,
            )  # fmt: skip
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            return _by_code(first.code, first.message)
        except aiosmtplib.SMTPResponseException as exc:
            return _by_code(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendOutcome(False, None, repr(exc), retryable=True)
        return SendOutcome(True, "250", None)


def _by_code(code: int, message: str) -> SendOutcome:
    return SendOutcome(False, str(code), message[:500], retryable=400 <= code < 500)


def _address(sender: str) -> str:
    return sender.rpartition("<")[2].rstrip(">").strip() if "<" in sender else sender.strip()


def _result(
    request: events.ReplyRequested, composed: Composed | None, outcome: SendOutcome
) -> events.ReplyResult:
    return events.reply_result(
        request,
        "sent" if outcome.ok else "failed",
        provider_message_id=composed.message_id if composed and outcome.ok else None,
        reason=outcome.reason,
        provider_code=outcome.code,
        retryable=outcome.retryable,
    )


def decode_request(record: InRecord) -> events.ReplyRequested:
    event = events.decode(record.value or b"")
    if not isinstance(event, events.ReplyRequested):
        raise PermanentError("unexpected_event", f"{type(event).__name__} on the replies topic")
    return event


def reply_loop(
    sender: ReplySender, bootstrap: str, topic: str, group: str
) -> ConsumerLoop[events.ReplyRequested]:
    settings = LoopSettings(bootstrap=bootstrap, group_id=group, topics=[topic])
    return ConsumerLoop(
        settings, decode=decode_request, handle=sender.handle, producer=sender.producer
    )
