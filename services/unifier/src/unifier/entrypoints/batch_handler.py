"""The batch handler: decide a partition batch and store it with its offset, one transaction."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby

import sqlalchemy.exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline import collector
from hotline import events as ev
from hotline.kafka import Batch, PermanentError
from hotline.kafka.consumer import InRecord
from hotline.kafka.errors import Verdict
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import UnifierInbound, WorkingSet
from unifier.service import sla_refresh
from unifier.service.results import apply_results
from unifier.service.survey_answers import take_answers
from unifier.service.triage import Triage
from unifier.store.claims import IdentityRace
from unifier.store.load import load_working_set
from unifier.store.offsets import write_offsets
from unifier.store.write import write_plan

log = logging.getLogger(__name__)
RACE_ATTEMPTS = 5  # decisions of one poll that lost an identity race, before the loop's retry
Decoded = tuple[UnifierInbound | ev.ReplyResult, bytes]
ANALYZED = (
    "thread_keys",
    "messages",
    "identities",
    "contacts",
    "threads",
    "thread_participants",
    "held_effects",
    "calls",
)


def decode_record(record: InRecord) -> Decoded:
    raw = record.value or b""
    event = ev.decode(raw)
    if isinstance(event, ev.ReplyRequested | ev.AgentTyping | ev.OpsUpdate):
        tag = ev.event_tag(event)
        raise PermanentError("unexpected_event", f"{tag} on an inbound topic")
    return event, raw


def classify_db(exc: BaseException) -> Verdict | None:
    """Database trouble (locked, connection lost, a race on a unique key) is worth a retry."""
    return "retriable" if isinstance(exc, sqlalchemy.exc.DBAPIError) else None


def _may_wait(ws: WorkingSet, thread_id: str) -> bool:
    """Whether the thread may be waiting on the customer: its stored row, loaded with the
    working set, says so; or it is not in the working set (the SLA refresh then asks the
    store). A thread this batch made is in it, waiting on nobody."""
    row = ws.threads.get(thread_id)
    return row is None or row.waiting


class BatchHandler:
    def __init__(
        self,
        engine: AsyncEngine,
        group: str,
        rules_for: Callable[[str], RuleSet],
        on_commit: Callable[[dict[str, list[str]]], None] = lambda _: None,
        kill_after_commit: float = 0.0,
        *,
        triage: Triage | None = None,
    ) -> None:
        self.engine, self.group, self.rules_for = engine, group, rules_for
        self.triage = triage  # None: no triage
        self.on_commit, self.kill_after_commit = on_commit, kill_after_commit
        self.stored = 0
        self.races = 0  # transactions decided again after losing an identity race
        self._analyzed_at = 500
        self.gate = asyncio.Lock()  # held around each transaction: one writer at a time

    async def handle(self, batch: Batch[Decoded]) -> None:
        await self.handle_poll([batch])

    async def handle_poll(self, batches: list[Batch[Decoded]]) -> None:
        """Decide and store every batch of one poll, with their offsets, in one transaction
        (order within a partition is kept: the sort by tenant is stable). A transaction that
        lost an identity race to another instance (``domain.claims``) is decided again at
        once: its load then sees the winner's contact."""
        items = (i.value for b in batches for i in b.items)
        values = sorted(items, key=lambda v: v[0].tenant)
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                changed = await self._store_poll(batches, values)
                break
            except IdentityRace as race:
                self.races += 1
                log.info("identity race lost; deciding again", extra={"attempt": attempt})
                if attempt == RACE_ATTEMPTS:
                    raise race  # a DBAPIError: the consumer loop retries with backoff
        self._maybe_crash()
        self.on_commit(changed)
        await self._keep_statistics()

    async def _store_poll(
        self, batches: list[Batch[Decoded]], values: list[Decoded]
    ) -> dict[str, list[str]]:
        changed: dict[str, list[str]] = {}
        with collector.paused():
            async with self.gate, self.engine.begin() as conn:
                for tenant, group in groupby(values, key=lambda v: v[0].tenant):
                    found = await self._tenant(conn, tenant, list(group))
                    if found:
                        changed[tenant] = found
                await write_offsets(conn, self.group, {b.tp: b.next_offset for b in batches})
        return changed

    async def _tenant(self, conn: AsyncConnection, tenant: str, items: list[Decoded]) -> list[str]:
        inbound = [(e, raw) for e, raw in items if not isinstance(e, ev.ReplyResult)]
        results = [e for e, _ in items if isinstance(e, ev.ReplyResult)]
        await apply_results(conn, tenant, results)
        inbound, rated = await take_answers(conn, tenant, inbound)  # survey answers: no message
        answered: dict[str, datetime] = {}
        decided = await self._decide(conn, tenant, inbound, answered) if inbound else []
        touched = sorted({*decided, *(r.conversation_id for r in results)})
        # the threads' SLA facts changed: fulfilments (and any threshold passed) go out here
        await sla_refresh.refresh(conn, tenant, touched, datetime.now(UTC), answered=answered)
        return sorted({*touched, *rated})

    async def _decide(
        self,
        conn: AsyncConnection,
        tenant: str,
        inbound: list[tuple[UnifierInbound, bytes]],
        answered: dict[str, datetime],
    ) -> list[str]:
        """Decide and store; ``answered`` gets each thread's earliest new customer message."""
        rules = self.rules_for(tenant)
        found = [e for e, _ in inbound if isinstance(e, ev.MessageReceived)]
        triage = self.triage if found else None
        pending = await triage.prepare(conn, tenant, found) if triage else None
        try:  # the batch's detection runs on a worker thread beside the load and the decisions
            ws = await load_working_set(conn, tenant, [e for e, _ in inbound], rules)
            plan = unify(ws, inbound, rules)
        finally:
            prepared = await pending if pending else None
        if triage and prepared:
            await triage.finish(conn, ws, plan, prepared)
        await write_plan(conn, ws, plan)
        self.stored += len(plan.messages)
        for m in plan.messages:  # a thread loaded as not waiting has no wait to end
            if m.role == "customer" and _may_wait(ws, m.thread_id):
                answered[m.thread_id] = min(m.at, answered.get(m.thread_id, m.at))
        edited = {ws.messages[k].thread_id for k in plan.updated_messages if k in ws.messages}
        return sorted(plan.touched_threads | edited)  # edits, deletes, reactions, statuses too

    async def _keep_statistics(self) -> None:
        """PostgreSQL plans key lookups from table statistics; during a bulk drain the tables
        double in size faster than autovacuum re-analyzes them, and a stale plan scans."""
        if self.engine.dialect.name != "postgresql" or self.stored < self._analyzed_at * 2:
            return
        self._analyzed_at = max(self.stored, 1000)
        async with self.engine.connect() as conn:
            await conn.execute(sqlalchemy.text("ANALYZE " + ", ".join(ANALYZED)))
            await conn.commit()

    def _maybe_crash(self) -> None:
        if self.kill_after_commit and random.random() < self.kill_after_commit:
            log.warning("fault injection: SIGKILL after DB commit, before the Kafka commit")
            os.kill(os.getpid(), signal.SIGKILL)
