"""The auto-assigner: a loop that runs a round of auto-assignment after each committed batch
(woken by the runtime's on-commit hook) and at least every ``assign_poll_seconds`` (agents
come online and go offline without a batch).

One instance per database assigns at a time, as with the outbox relay
(``store/relay_lease.py``): on PostgreSQL a session advisory lock of its own key; the others
stand by and ask again. SQLite: the single instance.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.service.auto_assignment import Timing, run_round
from unifier.settings import UnifierSettings
from unifier.store.relay_lease import Holding, RelayLease, loop_lease

log = logging.getLogger(__name__)
# per tenant, the agents whose live stream is open in this process
LocalOnline = Callable[[], Mapping[str, set[str]]]
# per tenant, the threads whose assignment changed (live updates, relay wake-up)
OnAssigned = Callable[[dict[str, list[str]]], None]


class Assigner:
    def __init__(
        self,
        engine: AsyncEngine,
        settings: UnifierSettings,
        local: LocalOnline,
        on_assigned: OnAssigned,
        lease: RelayLease | None = None,
    ) -> None:
        self.engine, self.local, self.on_assigned = engine, local, on_assigned
        self.poll_s = settings.assign_poll_seconds
        self.timing = Timing(settings.presence_online_seconds, settings.offline_grace_seconds)
        self.lease = lease or loop_lease(settings.database_url, "assigner")
        self.holding = Holding(self.lease, "assigner")
        self.kick = asyncio.Event()

    def wake(self) -> None:
        """A batch committed: new threads may wait for an agent."""
        self.kick.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                if await self._own():
                    await self._round()
                await self._pause(stop)
        finally:
            await self.lease.release()

    async def _own(self) -> bool:
        return await self.holding.check()

    @property
    def owned(self) -> bool:
        return self.holding.owned

    async def _round(self) -> None:
        now = datetime.now(UTC)
        try:
            async with self.engine.begin() as conn:
                changed = await run_round(conn, now, self.local(), self.timing)
        except (sa.exc.DBAPIError, OSError) as exc:
            log.error("auto-assignment round failed", extra={"error": repr(exc)})
            return
        except Exception:  # a bug must not end the loop: the next round tries again
            log.exception("auto-assignment round failed")
            return
        if changed:
            by_tenant: dict[str, list[str]] = {}
            for tenant, tid in changed:
                by_tenant.setdefault(tenant, []).append(tid)
            self.on_assigned(by_tenant)

    async def _pause(self, stop: asyncio.Event) -> None:
        wait = self.poll_s if self.owned else self.lease.retry_s
        waits = [asyncio.create_task(self.kick.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waits, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        for task in waits:
            task.cancel()
        self.kick.clear()
