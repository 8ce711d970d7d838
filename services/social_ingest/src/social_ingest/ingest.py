"""The shared tail of every webhook edge: normalize, publish, answer only after Kafka's ack.

* malformed / schema mismatch -> 400 / 422 (nothing produced);
* verified but not normalizable (an unexpected shape) -> the original bytes to the dead-letter
  topic with the reason, then 200: never dropped, never retried into a crash loop;
* events -> their inbound topic, ops records -> ``hotline.ops``; Kafka not acking -> 503.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from hotline.events import Event
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, error_answer
from hotline.kafka import KafkaUnavailable, PermanentError, dead_letter
from hotline.kafka.dlq import dlq_headers
from hotline.kafka.errors import reason_of
from hotline.kafka.once import PublishOnce
from hotline.kafka.records import OutRecord
from hotline.topics import INBOUND_SOCIAL, OPS, dead_letter_for
from social_ingest.context import Context
from social_ingest.ops import Normalized, OpsRecord, encode_ops
from social_ingest.profiles import ENRICHER, Enricher
from social_ingest.settings import SocialSettings

log = logging.getLogger(__name__)
Normalizer = Callable[[bytes, Context], Normalized]
STATUS = {"malformed": 400, "schema_mismatch": 422}
PARSER_VERSION = "social-1"
OK = Answer(200)
ONCE = "publish_once"  # the PublishOnce's key in ServiceState.extras
CONTEXTS = "contexts"  # ServiceState.extras: () -> Context with the configured tenancy, region


async def ingest(state: ServiceState, body: bytes, run: Normalizer, source: str) -> Answer:
    ctx: Context = state.extras[CONTEXTS]()
    try:
        out = run(body, ctx)
    except PermanentError as exc:
        if exc.reason in STATUS:
            raise Rejected(STATUS[exc.reason], exc.reason, exc.detail) from exc
        return await _poison(state, body, exc, source)
    except Exception as exc:  # a verified body we cannot normalize is poison, not a 500
        return await _poison(state, body, exc, source)
    return await publish(state, out)


async def publish(state: ServiceState, out: Normalized) -> Answer:
    """Answer only once Kafka acked every event and ops record; a retry of what was acked
    (or is being published right now) adds no second record (``hotline.kafka.once``)."""
    try:
        await _once(state)([*out.events, *out.ops])
    except KafkaUnavailable as exc:
        state.metrics.rejected.labels("kafka_unavailable").inc()
        return unavailable(exc)
    return OK


async def _produce(state: ServiceState, fresh: Sequence[Event]) -> None:
    """The not yet acked part of a webhook: events to the stream, ops records to ``hotline.ops``."""
    ops = [r for r in fresh if isinstance(r, OpsRecord)]
    evts: list[Event] = [e for e in fresh if not isinstance(e, OpsRecord)]
    if evts:
        await state.producer.publish(_enriched(state, evts))
    if ops:
        records: list[OutRecord] = [(r.channel.account_id.encode(), encode_ops(r), []) for r in ops]
        await state.producer.send_many(OPS, records)


def unavailable(exc: Exception) -> Answer:
    return error_answer(503, "kafka_unavailable", str(exc))


async def _poison(state: ServiceState, body: bytes, exc: Exception, source: str) -> Answer:
    reason = reason_of(exc)
    headers = dlq_headers(
        reason=reason, error=str(exc), source=source, parser_version=PARSER_VERSION
    )
    topic = dead_letter_for(INBOUND_SOCIAL)
    try:
        await dead_letter(state.producer, topic, body, key=None, headers=headers)
    except KafkaUnavailable as err:
        return unavailable(err)
    log.error("dead-lettered webhook", extra={"topic": topic, "reason": reason, "route": source})
    return OK


def _enriched(state: ServiceState, events: list[Event]) -> list[Event]:
    """Cached profiles filled in, lookups scheduled: synchronous, no I/O before the ack."""
    enricher: Enricher | None = state.extras.get(ENRICHER)
    return enricher.enrich(events) if enricher is not None else events


def contexts(settings: SocialSettings) -> Callable[[], Context]:
    """Each webhook's context: now, the configured tenancy (built once) and phone region."""
    return partial(Context.now, region=settings.default_region, tenancy=settings.tenancy())


def publish_once(state: ServiceState) -> PublishOnce:
    """The service's one PublishOnce, built at start-up (``Runtime.start``)."""
    return PublishOnce(partial(_produce, state))


def _once(state: ServiceState) -> PublishOnce:
    once = state.extras[ONCE]
    assert isinstance(once, PublishOnce)
    return once
