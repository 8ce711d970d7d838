"""The fault driver: kill -9 a component of a running stack on a schedule, then restart it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fault:
    target: str  # a service name, "broker" or "postgres"
    every: float  # seconds between kills
    down: float = 0.0  # seconds before the restart
    first_at: float | None = None  # default: one interval after the start


@dataclass
class FaultLog:
    marks: list[dict[str, object]] = field(default_factory=list)

    def mark(self, what: str, target: str) -> None:
        self.marks.append({"t": time.time(), "what": what, "target": target})


async def drive(
    fault: Fault,
    kill: Callable[[str], None],
    restart: Callable[[str], None],
    until: float,
    log: FaultLog,
) -> None:
    """Kill ``fault.target`` every ``fault.every`` seconds until ``until`` (epoch seconds)."""
    next_at = time.time() + (fault.first_at if fault.first_at is not None else fault.every)
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.time()))
        log.mark("kill -9", fault.target)
        await asyncio.to_thread(kill, fault.target)
        await asyncio.sleep(fault.down)
        await asyncio.to_thread(restart, fault.target)
        log.mark("restarted", fault.target)
        next_at += fault.every
