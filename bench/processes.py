"""Each process's CPU, and its time spent waiting for a core, over a window of a run.

On two shared cores an ack's tail is mostly time its edge was runnable but not running. The
kernel counts both per thread in /proc/<pid>/task/<tid>/schedstat: ns on a CPU, ns runnable on
a run queue, and how many times the thread was put on a CPU. Summed over a process's threads and
divided by the window, they give its CPU and its run-queue wait in % of one core, and the mean
wait before each run. The outbox relay is found as the unifier's child process."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from hotline_tools.devstack.stack import Stack

PROC = Path("/proc")


@dataclass(frozen=True)
class Usage:
    run_ns: int
    wait_ns: int
    runs: int


def usage(pid: int, proc: Path = PROC) -> Usage | None:
    """The process's threads, summed; None once it is gone (or without schedstat)."""
    run = wait = runs = 0
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return None
    for task in tasks:
        try:
            r, w, n = (int(v) for v in (task / "schedstat").read_text().split()[:3])
        except (OSError, ValueError):
            continue  # a thread that ended between the listing and the read
        run, wait, runs = run + r, wait + w, runs + n
    return Usage(run, wait, runs)


def children(pid: int, proc: Path = PROC) -> list[int]:
    try:
        text = (proc / str(pid) / "task" / str(pid) / "children").read_text()
    except OSError:
        return []
    return [int(v) for v in text.split()]


def named_pids(stack: Stack) -> dict[str, int]:
    """The generator (this process), the broker, each service, and the unifier's relay."""
    pids = {"generator": os.getpid()}
    if stack.broker is not None and stack.broker.proc is not None:
        pids["broker"] = stack.broker.proc.pid
    for name, service in stack.services.items():
        if service.proc is not None:
            pids[name] = service.proc.pid
    relay = children(pids["unifier"]) if "unifier" in pids else []
    if relay:
        pids["relay"] = relay[0]
    return pids


def shares(
    before: dict[str, Usage | None], after: dict[str, Usage | None], seconds: float
) -> dict[str, dict[str, float]]:
    """Per process: CPU and run-queue wait in % of one core, and the mean wait per run in µs.
    A process missing at either end (restarted by a drill) is left out."""
    out = {}
    for name, a in before.items():
        b = after.get(name)
        if a is None or b is None or seconds <= 0:
            continue
        run, wait, runs = b.run_ns - a.run_ns, b.wait_ns - a.wait_ns, b.runs - a.runs
        out[name] = {
            "cpu_pct": round(run / seconds / 1e7, 1),
            "runqueue_wait_pct": round(wait / seconds / 1e7, 1),
            "wait_per_run_us": round(wait / max(1, runs) / 1e3),
        }
    return out


async def window(stack: Stack, start_after: float, length: float) -> dict[str, object]:
    """Counters read ``start_after`` seconds into the load and again ``length`` seconds later."""
    await asyncio.sleep(start_after)
    pids = named_pids(stack)
    before = {name: usage(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    await asyncio.sleep(length)
    seconds = time.monotonic() - t0
    after = {name: usage(pid) for name, pid in pids.items()}
    return {
        "from_s": start_after,
        "seconds": round(seconds, 1),
        "processes": shares(before, after, seconds),
    }
