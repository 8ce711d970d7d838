"""The event loop our own long-running processes run on: uvloop, as uvicorn picks for the
services' HTTP processes. The outbox relay and the load generator spend most of their CPU in
the loop and its transports (sockets, pipes, timers); see bench/profiling.md, session 6."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a uvloop loop."""
    return uvloop.run(main)
