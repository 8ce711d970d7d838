"""What happens to a verified Slack event, whatever the transport (HTTP or Socket Mode): look
its senders' profiles up, normalize, copy files when configured, publish once and wait for
Kafka's ack, or dead-letter poison."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.files import with_blobs
from chat_gateway.slack.pipeline import Parsed, Poison, Publish, Workspace, finish, senders
from chat_gateway.slack.users_info import ProfileDirectory
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
        profiles: ProfileDirectory | None = None,
    ) -> None:
        self.producer, self.metrics, self.once = producer, metrics, once
        self.tokens, self.copier, self.profiles = tokens, copier, profiles

    async def normalize(
        self, parsed: Parsed, workspaces: Mapping[str, Workspace], received_at: datetime
    ) -> Publish | Poison:
        """Normalize with the profiles of the senders whose events are published (none for
        ignored events: bots, joins); a failed lookup leaves that sender without one."""
        plain = finish(parsed, workspaces, received_at)
        users = senders(plain)
        if self.profiles is None or not users:
            return plain
        found = await self.profiles.lookup(parsed.envelope.team_id, users)
        return finish(parsed, workspaces, received_at, found) if found else plain

    async def accept(self, body: bytes, outcome: Publish | Poison, source: str) -> Accepted:
        """Return only once Kafka acked (or said it cannot): the caller acks Slack after."""
        if isinstance(outcome, Poison):
            return await self._dead_letter(body, outcome, source)
        if self.copier and outcome.files and outcome.events:
            token = self.tokens[outcome.events[0].channel.account_id]
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
