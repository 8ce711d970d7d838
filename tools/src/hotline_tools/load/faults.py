"""The fault driver: kill -9 a component of a running stack on a schedule, then restart it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from hotline_tools.load.clock import RunClock


@dataclass(frozen=True)
class Fault:
    target: str  # a service name, "broker" or "postgres"
    every: float  # seconds between kills
    down: float = 0.0  # seconds before the restart
    first_at: float | None = None  # default: one interval after the start


@dataclass
class FaultLog:
    clock: RunClock  # the load run's: marks share the time axis of its records and samples
    marks: list[dict[str, object]] = field(default_factory=list)

    def mark(self, what: str, target: str) -> None:
        self.marks.append({"t": self.clock.now(), "what": what, "target": target})


async def drive(
    fault: Fault,
    kill: Callable[[str], None],
    restart: Callable[[str], None],
    until: float,
    log: FaultLog,
) -> None:
    """Kill ``fault.target`` every ``fault.every`` seconds until ``until`` (on ``log.clock``)."""
    now = log.clock.now
    next_at = now() + (fault.first_at if fault.first_at is not None else fault.every)
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - now()))
        log.mark("kill -9", fault.target)
        await asyncio.to_thread(kill, fault.target)
        await asyncio.sleep(fault.down)
        await asyncio.to_thread(restart, fault.target)
        log.mark("restarted", fault.target)
        next_at += fault.every
