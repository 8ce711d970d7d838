"""The auto-assigner: a loop that runs a round of auto-assignment after each committed batch
(woken by the runtime's on-commit hook) and at least every ``assign_poll_seconds`` (agents
come online and go offline without a batch).

One instance per database assigns at a time, as with the outbox relay
(``store/relay_lease.py``): on PostgreSQL a session advisory lock of its own key; the others
stand by and ask again. SQLite: the single instance.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.entrypoints.leased_loop import LeasedLoop
from unifier.service.auto_assignment import Timing, run_round
from unifier.settings import UnifierSettings
from unifier.store.relay_lease import RelayLease, loop_lease

log = logging.getLogger(__name__)
# per tenant, the agents whose live stream is open in this process
LocalOnline = Callable[[], Mapping[str, set[str]]]
# per tenant, the threads whose assignment changed (live updates, relay wake-up)
OnAssigned = Callable[[dict[str, list[str]]], None]


class Assigner(LeasedLoop):
    def __init__(
        self,
        engine: AsyncEngine,
        settings: UnifierSettings,
        local: LocalOnline,
        on_assigned: OnAssigned,
        lease: RelayLease | None = None,
    ) -> None:
        lease = lease or loop_lease(settings.database_url, "assigner")
        super().__init__(lease, "assigner", settings.assign_poll_seconds)
        self.engine, self.local, self.on_assigned = engine, local, on_assigned
        self.timing = Timing(settings.presence_online_seconds, settings.offline_grace_seconds)

    async def turn(self) -> bool:
        """A round; the next waits for a wake-up (a batch committed) or the poll."""
        await self._round()
        return False

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
