"""CPU priority of a service process on a shared host (``HOTLINE_CPU_NICE``).

A webhook is acknowledged only after Kafka acks its event, so the ingest edges and the broker
are latency-bound, while a consumer such as the unifier is throughput-bound. Where they share
cores, a positive nice lets the consumer yield them. Measured on two cores at 3,000 msg/s
(bench/profiling.md, session 8): faster acks in 60 s runs, but in 10-minute soaks the unifier
lagged and caught up in bursts, so nothing sets it by default (`Stack(nice=...)`,
`BENCH_UNIFIER_NICE` do for a run).

Linux orders ``nice`` only among processes of one *autogroup* (one per session, when
``kernel.sched_autogroup_enabled`` is on, as on most distributions). Our services run in their
own sessions, so a plain nice changed nothing measurable; a session leader sets its
autogroup's nice instead, which orders it against the other sessions. On a host without
autogroups the process's own nice is what counts, and it is set too. In Kubernetes, CPU
requests do this job; leave the setting at 0 there.
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


def realtime(pid: int, priority: int, proc: Path = Path("/proc")) -> int:
    """Put every thread of ``pid`` in the SCHED_RR class at ``priority`` (1–99); threads it
    starts later inherit it. Returns how many threads were set. Needs root (or
    CAP_SYS_NICE / an RLIMIT_RTPRIO): a benchmark's ack path (``BENCH_ACK_PATH_RT``), where a
    woken edge or broker thread then takes a core from the unifier at once instead of after a
    time slice. Realtime threads run before every ordinary one, so whatever they leave is all
    the rest of the host gets (bench/profiling.md, session 10)."""
    if not 1 <= priority <= 99:
        raise ValueError(f"a realtime priority is within 1..99, not {priority}")
    param = os.sched_param(priority)
    count = 0
    for task in sorted((proc / str(pid) / "task").iterdir()):
        try:
            os.sched_setscheduler(int(task.name), os.SCHED_RR, param)
        except ProcessLookupError:  # the thread ended meanwhile
            continue
        count += 1
    return count
