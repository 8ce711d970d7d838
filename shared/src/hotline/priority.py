"""CPU priority of a service process on a shared host (``HOTLINE_CPU_NICE``).

What it does: a webhook is acknowledged only after Kafka acks its event, so the ingest edges
and the broker are latency-bound, while a consumer such as the unifier is throughput-bound.
Where they share cores, a positive nice lets the consumer yield them. Linux orders ``nice``
only among processes of one *autogroup* (one per session, when
``kernel.sched_autogroup_enabled`` is on, as on most distributions), and our services run in
their own sessions, so a session leader sets its autogroup's nice, which orders it against
the other sessions; on a host without autogroups the process's own nice counts, and it is set
too.

What it costs: the consumer falls behind whenever the host is busy and catches up in bursts,
so the time from receipt to a stored conversation grows (``bench/profiling.md`` has the
measurements). Nothing sets it by default (``Stack(nice=...)`` and ``BENCH_UNIFIER_NICE`` do
for a run). In Kubernetes, CPU requests do this job; leave the setting at 0 there.
"""

from __future__ import annotations

import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")


def lower(nice: int, autogroup: Path = AUTOGROUP) -> None:
    """Lower this process's CPU priority by ``nice`` (0–19; 0 leaves it as it is)."""
    if not 0 <= nice <= 19:
        raise ValueError(f"cpu nice must be within 0..19 (only lowered), not {nice}")
    if nice == 0:
        return
    os.setpriority(os.PRIO_PROCESS, 0, nice)
    if os.getsid(0) == os.getpid() and autogroup.exists():
        autogroup.write_text(f"{nice}\n")
