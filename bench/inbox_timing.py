"""Timing for make bench-inbox: percentiles of repeated operations, the unifier served as a
subprocess (``python -m unifier``) and read over HTTP by agents signed in at ``/login``
(``bench.inbox_auth``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from hotline_tools.devstack.broker import free_port

ROOT = Path(__file__).resolve().parent.parent


def percentiles(ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of the samples (milliseconds), nearest rank."""
    s = sorted(ms)

    def at(p: float) -> float:
        return round(s[min(len(s) - 1, max(0, round(p * len(s)) - 1))], 2)

    return {"n": len(s), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(s[-1], 2)}


async def repeat(fn: Callable[[int], Awaitable[Any]], reps: int, warm: int = 3) -> dict[str, float]:
    """Run fn(i) ``warm`` times untimed, then ``reps`` times one after another; the latencies."""
    for i in range(warm):
        await fn(i)
    ms = []
    for i in range(reps):
        t0 = time.perf_counter()
        await fn(i)
        ms.append((time.perf_counter() - t0) * 1000)
    return percentiles(ms)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextmanager
def served(dsn: str, bootstrap: str, tenant: str, consume: bool) -> Iterator[tuple[str, int]]:
    """The unifier on a free port: (base URL, its pid)."""
    port = free_port()
    env = os.environ | {
        "HOTLINE_DATABASE_URL": dsn,
        "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
        "HOTLINE_PORT": str(port),
        "HOTLINE_HOST": "127.0.0.1",
        "HOTLINE_CONSUME": "true" if consume else "false",
        "HOTLINE_GROUP_ID": f"bench-inbox-{port}",
        "HOTLINE_INSTANCE_ID": f"bench-inbox-{port}",
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen([sys.executable, "-m", "unifier"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_ready(base, proc))
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


async def _ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600  # the first start migrates a 10,000,000-message store
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the unifier exited"
            try:
                if (await client.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError("the unifier did not become ready")
