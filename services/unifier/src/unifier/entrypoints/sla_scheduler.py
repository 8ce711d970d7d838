"""The SLA scheduler: a loop that recomputes the conversations whose next warning or due time
(``threads.sla_next_at``, set by every recompute) has come, and stores what follows: the
clocks, the badge, the warning and breach events in the outbox, the next look. It runs at
least every ``sla_poll_seconds``, and at the earliest next look it knew of after its last round;
nothing wakes it after a batch (the batch recomputed its own threads), so a look a batch brought
forward waits at most the poll.

A round takes at most ``sla_batch`` threads, earliest first, from the partial index on
``sla_next_at`` (never a scan of the open threads), per tenant in one transaction whose events
are handed on as soon as it commits; a full round is followed by another at once, and so is a
round after which a look came due while it ran (the loop sleeps only until the next due time).
Bounded rounds keep the earliest events from waiting on many later ones' work. Nothing is held
in memory between rounds: a kill -9 loses no breach (the next instance finds the same threads
due) and duplicates none (a clock row records what it emitted, in the transaction that wrote
the event).

One instance per database schedules at a time (``store/relay_lease.py``, its own key).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.entrypoints.leased_loop import LeasedLoop
from unifier.service import sla_refresh
from unifier.settings import UnifierSettings
from unifier.store import sla_config_rows, sla_due_rows
from unifier.store.relay_lease import RelayLease, loop_lease

log = logging.getLogger(__name__)
RETRY_S = 0.02  # the pause before looking again at a thread still due after its round
OnEvents = Callable[[dict[str, list[str]]], None]  # per tenant, threads whose events went out


class SlaScheduler(LeasedLoop):
    def __init__(
        self,
        engine: AsyncEngine,
        settings: UnifierSettings,
        on_events: OnEvents,
        gate: asyncio.Lock | None = None,
        lease: RelayLease | None = None,
    ) -> None:
        super().__init__(
            lease or loop_lease(settings.database_url, "sla"), "sla", settings.sla_poll_seconds
        )
        self.engine, self.on_events, self.gate = engine, on_events, gate
        self.batch = settings.sla_batch
        self.emitted = 0
        self.next_at: datetime | None = None  # the earliest look due after the last round
        self.round_at: datetime | None = None  # the last round's moment

    async def turn(self) -> bool:
        """One batch of due threads; True when it was full (more may be due)."""
        try:
            return await self.round(datetime.now(UTC))
        except (sa.exc.DBAPIError, OSError) as exc:
            log.error("SLA round failed", extra={"error": repr(exc)})
        except Exception:  # a bug must not end the loop: the next round tries again
            log.exception("SLA round failed")
        self.next_at = None  # the next try after the poll, not at once
        return False

    async def round(self, now: datetime) -> bool:
        async with self._gate(), self.engine.begin() as conn:
            due = await sla_due_rows.due_threads(conn, now, self.batch)
        by_tenant: dict[str, list[str]] = defaultdict(list)
        for tenant, tid in due:
            by_tenant[tenant].append(tid)
        for tenant, tids in by_tenant.items():  # in the order of their earliest due thread
            async with self._gate(), self.engine.begin() as conn:
                events = await self._tenant(conn, tenant, tids, now)
            if events:  # committed: the relay may publish them while the next tenant runs
                self.on_events({tenant: sorted({e.conversation for e in events})})
                self.emitted += len(events)
        async with self.engine.connect() as conn:
            self.next_at = await sla_due_rows.earliest_next(conn)
        self.round_at = now
        return len(due) >= self.batch

    async def _tenant(self, conn: Any, tenant: str, tids: list[str], now: datetime) -> list[Any]:
        if not await sla_config_rows.policies(conn, tenant):
            await sla_due_rows.forget_next(conn, tenant, tids)
            return []
        return await sla_refresh.refresh(conn, tenant, tids, now)

    def _gate(self) -> AbstractAsyncContextManager[Any]:
        return self.gate if self.gate is not None else nullcontext()

    def wait_s(self) -> float:
        """The poll, or sooner when the earliest due look comes first (none at all when it came
        due while the last round ran)."""
        wait = super().wait_s()
        if self.owned and self.next_at is not None:
            wait = min(wait, self._until_next())
        return wait

    def _until_next(self) -> float:
        """Seconds until the earliest next look. One that came due while the last round ran
        starts the next round at once; one already due at the round's own moment (a thread
        its recompute left due) waits ``RETRY_S``, so such a thread cannot spin the loop."""
        assert self.next_at is not None
        if self.round_at is not None and self.next_at <= self.round_at:
            return RETRY_S
        return max((self.next_at - datetime.now(UTC)).total_seconds(), 0.0)
