"""The event loop our own long-running processes run on: uvloop, as uvicorn picks for the
services' HTTP processes.

What it does: the unifier's consumer, its outbox relay and the load generator spend much of
their CPU in the loop and its transports (sockets, pipes, timers), which uvloop runs in C
(the A/B on the unifier's drain is in ``bench/profiling.md``). What it costs: a compiled
dependency (uvicorn picks the same loop for the HTTP services), and a loop that differs from
asyncio's own in a few corners (fewer debug-mode checks)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")
TERMINATED = 128 + signal.SIGTERM  # the exit status of a process stopped by SIGTERM


def run(main: Coroutine[Any, Any, T], *, stop_on_term: bool = False) -> T:
    """``asyncio.run`` on a uvloop loop. With ``stop_on_term`` a SIGTERM cancels ``main``, so
    its ``finally`` blocks run (a benchmark stops the stack it started) rather than the process
    dying with its children left running; the process then exits with status 143."""
    if not stop_on_term:
        return uvloop.run(main)
    termed: list[bool] = []
    try:
        return uvloop.run(_cancelled_on_term(main, termed))
    except asyncio.CancelledError:
        if termed:
            raise SystemExit(TERMINATED) from None
        raise


async def _cancelled_on_term(main: Coroutine[Any, Any, T], termed: list[bool]) -> T:
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None

    def cancel() -> None:
        termed.append(True)
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, cancel)
    try:
        return await main
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
