"""What happens to a processed Slack event, whatever the transport (HTTP or Socket Mode):
copy files when configured, publish once and wait for Kafka's ack, or dead-letter poison."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.files import with_blobs
from chat_gateway.slack.pipeline import Poison, Publish
from hotline.kafka import EventProducer, KafkaUnavailable, dead_letter
from hotline.kafka.dlq import dlq_headers
from hotline.kafka.once import PublishOnce
from hotline.metrics import Metrics
from hotline.topics import INBOUND_CHAT, dead_letter_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    status: Literal["acked", "dead_lettered", "kafka_unavailable"]
    produced: int = 0
    detail: str = ""


class SlackIntake:
    def __init__(
        self,
        producer: EventProducer,
        metrics: Metrics,
        once: PublishOnce,
        tokens: dict[str, str],
        copier: FileCopier | None = None,
    ) -> None:
        self.producer, self.metrics, self.once = producer, metrics, once
        self.tokens, self.copier = tokens, copier

    async def accept(self, body: bytes, outcome: Publish | Poison, source: str) -> Accepted:
        """Return only once Kafka acked (or said it cannot): the caller acks Slack after."""
        if isinstance(outcome, Poison):
            return await self._dead_letter(body, outcome, source)
        if self.copier and outcome.files and outcome.events:
            token = self.tokens[outcome.events[0].tenant]
            stored = await self.copier.copy_all(token, outcome.files)
            outcome = Publish([with_blobs(e, stored) for e in outcome.events])
        try:
            produced = await self.once(outcome.events)
        except KafkaUnavailable as exc:
            self.metrics.rejected.labels("kafka_unavailable").inc()
            return Accepted("kafka_unavailable", detail=str(exc))
        for e in outcome.events:
            log.debug(  # per message: the inbound topic itself is the record of what was acked
                "slack event acked",
                extra={
                    "event_id": e.event_id,
                    "topic": INBOUND_CHAT,
                    "tenant": e.tenant,
                    "route": source,
                },
            )
        return Accepted("acked", produced)

    async def _dead_letter(self, body: bytes, poison: Poison, source: str) -> Accepted:
        topic = dead_letter_for(INBOUND_CHAT)
        headers = dlq_headers(reason=poison.reason, error=poison.detail, source=source)
        try:
            await dead_letter(self.producer, topic, body, key=None, headers=headers)
        except KafkaUnavailable as exc:
            return Accepted("kafka_unavailable", detail=str(exc))
        log.warning("slack event dead-lettered", extra={"topic": topic, "reason": poison.reason})
        return Accepted("dead_lettered", detail=poison.reason)
