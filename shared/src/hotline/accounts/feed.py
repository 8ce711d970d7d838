"""The account feed: an edge's ``AccountRegistry`` kept current from the compacted
``hotline.channel-accounts.v1`` topic the unifier publishes every account change to.

No consumer group and no committed offsets: every edge process reads the whole topic from the
beginning (compaction keeps the latest record per ``kind:account_id``, so that is one record per
account, plus removals not yet compacted away), then follows it. ``start`` returns once the
end offsets seen at start are reached, so an edge is ready only with every account it knew of
at that moment. A record that does not decode or whose secrets do not open is logged (never a
value) and skipped; the feed keeps going.

Wiring, in an edge's lifespan::

    feed = AccountFeed(registry, settings.kafka_bootstrap, settings.channel_sealer())
    feed.start_in_background()  # or ``await feed.start()`` to be ready before serving
    state.ready_checks["accounts"] = feed.ready
    ...
    await feed.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgspec
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from hotline import unified as un
from hotline.accounts.registry import Account, AccountRegistry
from hotline.accounts.sealing import KEY_VARIABLE, Sealer, SealError
from hotline.kafka.admin import partitions_of
from hotline.kafka.lookup import behind
from hotline.topics import CHANNEL_ACCOUNTS

log = logging.getLogger(__name__)


class Unusable(ValueError):
    """A record the feed cannot apply (its text never carries a secret value)."""


def opened(sealed: dict[str, list[str]], sealer: Sealer | None) -> dict[str, tuple[str, ...]]:
    if not sealed:
        return {}
    if sealer is None:
        raise Unusable(f"sealed secrets but no {KEY_VARIABLE}")
    try:
        return {name: tuple(sealer.open(v) for v in values) for name, values in sealed.items()}
    except SealError as exc:
        raise Unusable(str(exc)) from None


def account_of(event: un.ChannelAccountChanged, sealer: Sealer | None) -> Account:
    """The registry's account for ``event``, its secrets opened."""
    return Account(
        kind=event.kind,
        account_id=event.account_id,
        tenant=event.tenant,
        secrets=opened(event.secrets, sealer),
        settings=event.settings,
        enabled=event.enabled,
        version=event.version,
    )


def decoded(value: bytes | None) -> un.ChannelAccountChanged:
    try:
        event = un.decode(value or b"")
    except msgspec.DecodeError as exc:  # ValidationError included
        raise Unusable(f"not a unified event: {exc}") from None
    if not isinstance(event, un.ChannelAccountChanged):
        raise Unusable(f"unexpected {un.unified_tag(event)}")
    return event


class AccountFeed:
    def __init__(
        self,
        registry: AccountRegistry,
        bootstrap: str,
        keys: Sealer | None,
        topic: str = CHANNEL_ACCOUNTS,
    ) -> None:
        self.registry, self.bootstrap, self.sealer, self.topic = registry, bootstrap, keys, topic
        self.caught_up = asyncio.Event()  # set once start() has read up to the start's end
        self.applied = self.skipped = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None

    def start_in_background(self, retry_every: float = 2.0) -> None:
        """Keep trying to ``start`` so an edge comes up (not ready) while the broker or the
        topic is away; until it is caught up only the environment's accounts route."""

        async def keep_trying() -> None:
            while True:
                try:
                    await self.start()
                    return
                except Exception as exc:  # broker or topic not there yet
                    log.warning("account feed not started; retrying", extra={"error": repr(exc)})
                    await asyncio.sleep(retry_every)

        self._starting = asyncio.create_task(keep_trying(), name="account-feed-start")

    async def start(self, timeout: float = 60.0) -> None:
        """Read the topic from its beginning up to its end offsets now, then follow it in a
        task. Raises (and leaves nothing running) if that takes longer than ``timeout``."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None
        )
        self._consumer = consumer
        try:
            await asyncio.wait_for(self._catch_up(consumer), timeout)
        except BaseException:
            await self._close()
            raise
        self.caught_up.set()
        self._task = asyncio.create_task(self._follow(consumer), name="account-feed")
        log.info("account feed caught up", extra={"applied": self.applied})

    async def ready(self) -> bool:
        """Caught up and still following (a readiness check)."""
        return self.caught_up.is_set() and self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
            self._starting = None
        await self._close()

    async def _close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
        self.caught_up.clear()

    async def _catch_up(self, consumer: AIOKafkaConsumer) -> None:
        await consumer.start()
        tps = await partitions_of(self.bootstrap, self.topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        while await behind(consumer, ends):
            await self._poll(consumer, 200)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                await self._poll(consumer, 1000)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker away a while: aiokafka reconnects
                log.warning("account feed: poll failed; retrying", extra={"error": repr(exc)})
                await asyncio.sleep(1.0)

    async def _poll(self, consumer: AIOKafkaConsumer, timeout_ms: int) -> None:
        batches = await consumer.getmany(timeout_ms=timeout_ms)
        for records in batches.values():
            for record in records:
                self.apply(record)

    def apply(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Put or drop the record's account; log and skip one that cannot be used."""
        try:
            event = decoded(record.value)
            if event.removed:
                self.registry.drop(event.kind, event.account_id)
            else:
                self.registry.put(account_of(event, self.sealer))
        except Unusable as exc:
            self.skipped += 1
            where = {"partition": record.partition, "offset": record.offset}
            log.error("account feed: record skipped: %s", exc, extra=where)
            return
        except Exception as exc:  # a registry listener's bug: the account is in, go on
            log.error("account feed: a listener failed", extra={"error": type(exc).__name__})
        self.applied += 1
