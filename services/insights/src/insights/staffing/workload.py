"""Email (and other deferrable work): no queue model, a workload one. Hours of work arriving
in an interval over the productive hours one agent gives it; work that may wait up to a
response window is spread over that window, as a team plans a backlog."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

from insights.forecast.series import Values
from insights.staffing.targets import Target


def agents_for_work(
    arrivals: Values, step: timedelta, target: Target, window: timedelta | None = None
) -> list[int]:
    """Agents on line per interval: ``arrivals`` x AHT seconds of work, spread evenly over
    ``window`` (None: done in the interval it arrives), at the maximum occupancy."""
    work = np.asarray(arrivals, dtype=np.float64) * target.aht
    if window is not None and window > step:
        span = window // step
        work = np.convolve(work, np.full(span, 1 / span))[: len(work)]
    productive = step.total_seconds() * target.max_occupancy
    return [math.ceil(w / productive - 1e-9) for w in work]
