"""Publish-once → produce (acks=all) → dead-letter → result, for every edge.

A retry of what was acked, or is being published right now, adds no second record
(``hotline.kafka.once``); poison is dead-lettered with its bytes and reason and counts as
handled (the sender must not retry it into a crash loop); a broker that does not ack gives
``unavailable`` and nothing counts as published.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from hotline import events
from hotline.intake.outcome import Outcome, Poison, Reply, Result
from hotline.intake.publisher import Publisher
from hotline.kafka.dlq import dlq_headers
from hotline.kafka.errors import KafkaUnavailable, PermanentError, reason_of
from hotline.kafka.once import PublishOnce
from hotline.metrics import Metrics
from hotline.topics import dead_letter_for

log = logging.getLogger(__name__)
Prepare = Callable[[list[events.Event]], list[events.Event]]
UNAVAILABLE = "kafka_unavailable"


class Intake:
    """``topic`` sends every event to one topic (else each to its own); ``prepare`` runs on
    the events about to be produced (not on resends), synchronously, before any I/O."""

    def __init__(
        self,
        publisher: Publisher,
        metrics: Metrics | None = None,
        *,
        topic: str | None = None,
        prepare: Prepare | None = None,
    ) -> None:
        self.publisher, self.metrics = publisher, metrics
        self.topic, self.prepare = topic, prepare
        self.once = PublishOnce(self._produce)

    async def take(self, outcome: Outcome) -> Result:
        """Return once Kafka acked (or said it cannot): the edge answers its sender after."""
        if isinstance(outcome, Reply):
            return Result("replied", reply=outcome)
        try:
            if isinstance(outcome, Poison):
                return await self._dead_letter(outcome)
            produced = await self.once(outcome.events)
        except KafkaUnavailable as exc:
            if self.metrics:
                self.metrics.rejected.labels(UNAVAILABLE).inc()
            return Result("unavailable", detail=str(exc))
        return Result("acked", produced)

    async def _produce(self, fresh: Sequence[events.Event]) -> None:
        ready = self.prepare(list(fresh)) if self.prepare else fresh
        await self.publisher.publish(ready, self.topic)

    async def _dead_letter(self, poison: Poison) -> Result:
        topic = dead_letter_for(poison.topic)
        headers = dlq_headers(
            reason=poison.reason,
            error=poison.detail,
            source=poison.source,
            parser_version=poison.parser_version,
        )
        await self.publisher.dead_letter(topic, poison.body, key=poison.key, headers=headers)
        if self.metrics:
            self.metrics.dead_lettered.labels(topic, poison.reason).inc()
        log.warning("dead-lettered", extra={"topic": topic, "reason": poison.reason})
        return Result("dead_lettered", detail=poison.reason)


def poison_of(exc: Exception, body: bytes, topic: str, source: str, version: str = "") -> Poison:
    """Verified input whose parsing or normalizing failed: classified (``PermanentError``,
    a decode error) keeps its reason; anything else is marked ``crash:<type>``."""
    reason = reason_of(exc)
    if not isinstance(exc, PermanentError) and reason == type(exc).__name__:
        reason = f"crash:{reason}"
    return Poison(body, reason, topic, source, detail=str(exc), parser_version=version)
