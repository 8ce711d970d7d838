"""Wiring: engine + migrations, the consumer loop with the DB offset store, the outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.accounts.sealing import Sealer
from hotline.kafka import ConsumerLoop, EventProducer
from hotline.kafka.consumer import LoopSettings
from hotline.metrics import Metrics
from hotline.topics import (
    INBOUND_CHAT,
    INBOUND_EMAIL,
    INBOUND_SOCIAL,
    INBOUND_VOICE,
    REPLY_RESULTS,
)
from unifier.domain.rules import RuleSet, rule_set
from unifier.entrypoints.batch_handler import BatchHandler, Decoded, classify_db, decode_record
from unifier.entrypoints.relay import OutboxRelay
from unifier.entrypoints.relay_process import RelayProcess
from unifier.entrypoints.sla_scheduler import SlaScheduler
from unifier.service import channel_file, channel_keys, sla_file, triage_admin
from unifier.service.language import LanguageDetector
from unifier.service.triage import Triage
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine, migrate
from unifier.store.offsets import DbOffsetStore
from unifier.store.sweep import Sweeper

log = logging.getLogger(__name__)
TOPICS = [INBOUND_EMAIL, INBOUND_CHAT, INBOUND_SOCIAL, INBOUND_VOICE, REPLY_RESULTS]
# Called after each commit with the changed thread ids per tenant (the API's live updates).
OnCommit = Callable[[dict[str, list[str]]], None]


def rules_for(settings: UnifierSettings) -> dict[str, RuleSet]:
    base = rule_set(settings.rules_version)
    return {t: replace(base, grouping=m) for t, m in settings.tenant_grouping.items()}


def triage_of(settings: UnifierSettings) -> Triage | None:
    if not settings.triage:
        return None
    detector = LanguageDetector(
        [c for c in settings.triage_languages.split(",") if c.strip()],
        settings.triage_language_confidence,
    )
    return Triage(detector)


class Relay(Protocol):
    """The outbox relay: in a child process (``RelayProcess``) or a task (``OutboxRelay``)."""

    def notify(self) -> None: ...

    async def ready(self) -> bool: ...

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass
class ConsumerRuntime:
    settings: UnifierSettings
    engine: AsyncEngine
    producer: EventProducer
    relay: Relay
    handler: BatchHandler
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    current: ConsumerLoop[Decoded] | None = None
    sweeper: Sweeper | None = None  # built by start()
    sealer: Sealer | None = None  # channel-account secrets; None: no key (outside dev)
    sla: SlaScheduler | None = None  # built by start()

    def loop(self, metrics: Metrics | None = None) -> ConsumerLoop[Decoded]:
        s = self.settings
        loop_settings = LoopSettings(
            bootstrap=s.kafka_bootstrap,
            group_id=s.group_id,
            topics=TOPICS,
            max_poll_records=s.max_poll_records,
            classify=classify_db,
            prefetch=True,  # decode the next poll while this one waits on the database
            extra={
                "group_instance_id": s.instance_id,
                "session_timeout_ms": 10000,
                "max_partition_fetch_bytes": 4 * 1024 * 1024,
                "fetch_min_bytes": s.fetch_min_bytes,
                "fetch_max_wait_ms": s.fetch_max_wait_ms,
            },
        )
        return ConsumerLoop(
            loop_settings,
            decode=decode_record,
            handle=self.handler.handle,
            handle_poll=self.handler.handle_poll,
            producer=self.producer,
            offset_store=DbOffsetStore(self.engine),
            metrics=metrics,
        )

    def start(self, metrics: Metrics | None = None) -> None:
        s = self.settings
        self.sweeper = Sweeper(
            self.engine,
            self.handler.gate,
            timedelta(hours=s.held_effect_hours),
            timedelta(days=s.deleted_text_days),
            s.sweep_seconds,
            metrics.registry if metrics else CollectorRegistry(),
        )
        self.tasks.append(asyncio.create_task(self.consume(metrics)))
        self.tasks.append(asyncio.create_task(self.sweeper.run(self.stop)))
        self.tasks.append(asyncio.create_task(self.relay.run(self.stop)))
        if s.sla_scheduler:
            self.sla = SlaScheduler(self.engine, s, self.handler.on_commit, self.handler.gate)
            self.tasks.append(asyncio.create_task(self.sla.run(self.stop)))

    async def consume(self, metrics: Metrics | None = None, pause: float = 1.0) -> None:
        """Run the consumer loop; when it gives up (retries exhausted, e.g. the database is
        restarting) nothing was committed: start a new loop, which seeks to the stored offsets."""
        while not self.stop.is_set():
            try:
                self.current = self.loop(metrics)
                await self.current.run(self.stop)
            except Exception as exc:
                log.error("consumer loop stopped; restarting", extra={"error": repr(exc)})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), pause)

    async def consumer_ready(self) -> bool:
        """Partitions assigned (the group has been joined and records flow), and no partition
        stalled on an unknown error for longer than ``stall_ready_seconds``."""
        loop = self.current
        if loop is None or not loop.assigned:
            return False
        return loop.stalled_seconds() < self.settings.stall_ready_seconds

    async def db_ready(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except (sa.exc.DBAPIError, OSError):
            return False
        return True

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.engine.dispose()


async def load_channel_accounts(engine: AsyncEngine, path: Path, sealer: Sealer | None) -> None:
    """Apply the declarative channel-accounts file; a bad one stops the start (and changes
    nothing). Logs which accounts changed, never a secret."""
    try:
        async with engine.begin() as conn:
            done = await channel_file.load(conn, path, os.environ, sealer)
    except channel_file.ChannelFileError as exc:
        await engine.dispose()
        log.error("not starting: bad channel accounts file: %s", exc)
        raise
    log.info(
        "channel accounts file applied", extra={f"accounts_{k}": len(v) for k, v in done.items()}
    )


async def load_triage_rules(engine: AsyncEngine, path: Path) -> None:
    """Apply the triage rules file (tenant -> rules); a bad one stops the start."""
    try:
        docs = triage_admin.rules_file(path)
    except (OSError, ValueError) as exc:  # RulesError and JSON errors are ValueErrors
        await engine.dispose()
        log.error("not starting: bad triage rules file: %s", exc)
        raise
    async with engine.begin() as conn:
        for tenant, doc in docs.items():
            await triage_admin.put_rules(conn, tenant, doc, f"file:{path.name}")
    log.info("triage rules file applied", extra={"tenants": len(docs)})


async def load_sla_file(engine: AsyncEngine, path: Path) -> None:
    """Apply the SLA policies file; a bad one stops the start (and changes nothing)."""
    try:
        async with engine.begin() as conn:
            tenants = await sla_file.load(conn, path)
    except sla_file.SlaFileError as exc:
        await engine.dispose()
        log.error("not starting: bad SLA file: %s", exc)
        raise
    log.info("SLA file applied", extra={"tenants": tenants})


async def check_channel_key(engine: AsyncEngine, sealer: Sealer | None) -> None:
    """Stop the start when channel accounts exist without a key to open them; re-seal values
    sealed by an older key (``channel_keys``)."""
    try:
        async with engine.begin() as conn:
            resealed = await channel_keys.check(conn, sealer)
    except (channel_keys.NoSecretsKey, ValueError) as exc:  # ValueError: SealError
        await engine.dispose()
        log.error("not starting: channel secrets key: %s", exc)
        raise
    if resealed:
        log.info("channel account secrets sealed with the newest key", extra={"accounts": resealed})


async def build_runtime(
    settings: UnifierSettings, producer: EventProducer, on_commit: OnCommit | None = None
) -> ConsumerRuntime:
    engine = create_engine(settings.database_url)
    await migrate(engine)
    sealer = settings.channel_sealer()
    if settings.channel_accounts_file is not None:
        await load_channel_accounts(engine, settings.channel_accounts_file, sealer)
    await check_channel_key(engine, sealer)
    if settings.triage_rules_file is not None:
        await load_triage_rules(engine, settings.triage_rules_file)
    if settings.sla_file is not None:
        await load_sla_file(engine, settings.sla_file)
    relay: Relay = (
        RelayProcess(settings)
        if settings.relay_process
        else OutboxRelay(engine, producer, settings.relay_batch)
    )
    overrides = rules_for(settings)
    default = rule_set(settings.rules_version)

    def committed(changed: dict[str, list[str]]) -> None:
        relay.notify()
        if on_commit:
            on_commit(changed)

    handler = BatchHandler(
        engine,
        settings.group_id,
        lambda t: overrides.get(t, default),
        committed,
        settings.fault_kill_after_commit,
        triage=triage_of(settings),
    )
    return ConsumerRuntime(settings, engine, producer, relay, handler, sealer=sealer)
