"""The next peaks: each forecast day's busiest interval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from insights.forecast.forecaster import Forecast


@dataclass(frozen=True)
class Peak:
    at: datetime  # the interval's start
    arrivals: float  # the point forecast
    upper: float  # the widest interval's upper bound


def daily_peaks(fc: Forecast) -> list[Peak]:
    """One peak a calendar day, in time order (a partial first or last day included)."""
    widest = fc.upper[max(fc.upper)] if fc.upper else fc.mean
    days = [fc.time(i).date() for i in range(len(fc.mean))]
    peaks = []
    for day in sorted(set(days)):
        idx = [i for i, d in enumerate(days) if d == day]
        best = idx[int(np.argmax(fc.mean[idx]))]
        peaks.append(Peak(fc.time(best), float(fc.mean[best]), float(widest[best])))
    return peaks
