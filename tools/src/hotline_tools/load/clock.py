"""One clock for a load run: epoch seconds that advance with ``CLOCK_MONOTONIC``.

A run's own durations (how late a send started, how long its ack took, where a fault falls on
the time axis) must not move when the host's wall clock is stepped: NTP, or a virtual machine
restored from a snapshot. A soak on 2026-12-05 had its wall clock stepped 7.5 s forward 78 s
in; measured on ``time.time()``, every later ack looked 7.5 s slow while the services answered
in milliseconds. The readings are still epoch seconds, to be compared with Kafka's timestamps;
``drift`` says how far the wall clock has moved from the run's clock since its start."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RunClock:
    wall: float  # time.time() at the start
    mono: float  # time.monotonic() at the same moment

    @classmethod
    def start(cls) -> RunClock:
        return cls(time.time(), time.monotonic())

    def now(self) -> float:
        return self.wall + (time.monotonic() - self.mono)

    def drift(self) -> float:
        """Seconds the wall clock has been stepped (forward > 0) since the start."""
        return time.time() - self.now()


def wall_to_run(points: Sequence[tuple[float, float]]) -> Callable[[float], float]:
    """From (run time, drift) points read as the run went (one a second), the run time of a
    wall-clock reading taken elsewhere (a Kafka timestamp): less the drift in force then.
    Right to within a point's spacing around a step; a backward step leaves that second's
    points out of order, which ``bisect`` reads as the nearest of them."""
    if not points:
        return lambda wall: wall
    walls = [t + d for t, d in points]
    drifts = [d for _, d in points]

    def convert(wall: float) -> float:  # before the first point: its drift
        return wall - drifts[max(bisect.bisect_right(walls, wall) - 1, 0)]

    return convert
