"""The host's CPU over a run: how busy all cores were and how much the hypervisor stole.

On a shared VM the same run can score very differently from hour to hour; the steal share
(time a virtual CPU was ready but the host ran something else) says how much of a tail was the
machine's, not ours. Read from the first line of /proc/stat (all CPUs, in clock ticks)."""

from __future__ import annotations

from pathlib import Path

STAT = Path("/proc/stat")
# user nice system idle iowait irq softirq steal
IDLE, IOWAIT, STEAL = 3, 4, 7


def ticks(stat: Path = STAT) -> list[int]:
    """The all-CPU counters, or none on a host without /proc/stat."""
    if not stat.exists():
        return []
    first = stat.read_text().split("\n", 1)[0].split()
    return [int(v) for v in first[1:9]]


def shares(before: list[int], after: list[int]) -> dict[str, float | None]:
    """Busy and steal as shares of all CPU time between two readings."""
    if len(before) < 8 or len(after) < 8:
        return {"busy": None, "steal": None}
    delta = [a - b for a, b in zip(after, before, strict=True)]
    total = sum(delta)
    if total <= 0:
        return {"busy": None, "steal": None}
    idle = delta[IDLE] + delta[IOWAIT]
    return {"busy": round(1 - idle / total, 4), "steal": round(delta[STEAL] / total, 4)}
