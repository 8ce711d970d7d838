"""An arrival series: counts of contacts per fixed interval, on a regular grid.

``values`` are floats so a missing interval is NaN (an export's gap, or an artefact tail):
missing is not zero demand. Times are local wall-clock times (naive): seasonality follows the
team's day, not UTC.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

Values = npt.NDArray[np.float64]
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Series:
    start: datetime  # start of the first interval
    step: timedelta  # the interval: divides a day (15 min, 1 h, ...)
    values: Values  # arrivals per interval; NaN = missing

    def __len__(self) -> int:
        return len(self.values)

    def time(self, index: int) -> datetime:
        return self.start + index * self.step

    @property
    def end(self) -> datetime:
        """The start of the interval after the last one."""
        return self.time(len(self))

    def per_day(self) -> int:
        return DAY // self.step

    def seasons(self) -> tuple[int, int]:
        """Intervals in a day and in a week: the two seasonal periods."""
        return DAY // self.step, WEEK // self.step

    def dates(self) -> list[date]:
        return [self.time(i).date() for i in range(len(self))]

    def head(self, n: int) -> Series:
        return Series(self.start, self.step, self.values[:n])

    def window(self, first: datetime, end: datetime) -> Series:
        """The intervals from ``first`` (included) to ``end`` (excluded), on this grid."""
        a, b = self.index_of(first), self.index_of(end)
        return Series(self.time(a), self.step, self.values[a:b])

    def index_of(self, when: datetime) -> int:
        return max(0, min(len(self), -(-(when - self.start) // self.step)))


def check_step(step: timedelta) -> None:
    if step <= timedelta(0) or DAY % step:
        raise ValueError(f"the interval must divide a day evenly, not {step}")


def floor(when: datetime, step: timedelta) -> datetime:
    """The start of ``when``'s interval (intervals start at midnight)."""
    midnight = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((when - midnight) // step) * step


def from_timestamps(stamps: Iterable[datetime], step: timedelta) -> Series:
    """One timestamp per contact: counted per interval from the first contact's, zeros between
    them (a contact log without a row in an interval saw no contact then)."""
    check_step(step)
    slots = sorted(floor(s, step) for s in stamps)
    if not slots:
        raise ValueError("no timestamps")
    start = slots[0]
    counts = np.zeros((slots[-1] - start) // step + 1)
    for slot in slots:
        counts[(slot - start) // step] += 1
    return Series(start, step, counts)


def _check_rows_fit(first: datetime, times: Iterable[datetime], step: timedelta) -> None:
    """Rows coarser than the interval would leave intervals between them empty."""
    spacing = 0
    for t in times:
        spacing = math.gcd(spacing, (t - first) // timedelta(seconds=1))
    if spacing > step.total_seconds():
        raise ValueError(
            f"the rows are {timedelta(seconds=spacing)} apart, coarser than the interval"
            f" {step}: choose an interval of at least {timedelta(seconds=spacing)}"
        )


def from_counts(rows: Iterable[tuple[datetime, float]], step: timedelta) -> Series:
    """Counts per interval (finer rows are summed into ``step``); intervals without a row are
    missing, not zero (an export may leave out a day)."""
    check_step(step)
    raw = sorted(rows)
    if not raw:
        raise ValueError("no rows")
    _check_rows_fit(raw[0][0], (t for t, _ in raw), step)
    pairs = [(floor(t, step), v) for t, v in raw]
    start = pairs[0][0]
    values = np.full((pairs[-1][0] - start) // step + 1, np.nan)
    for slot, count in pairs:
        i = (slot - start) // step
        values[i] = count if np.isnan(values[i]) else values[i] + count
    return Series(start, step, values)
