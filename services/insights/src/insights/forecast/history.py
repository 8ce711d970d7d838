"""Preparing a history for a model: an artefact tail cut off, missing intervals filled.

An export can end in an *artefact tail*: weeks where only stragglers appear (the service-desk
corpus has 274 incidents in the eight months after its 93 dense days, because the log held
only incidents closed within the extraction window). Those days are missing, not quiet: a
model fed them as zeros forecasts a collapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from insights.forecast.series import Series, Values

SPARSE_SHARE = 0.05  # a day below 5% of a busy day (the 90th percentile) is sparse
MIN_TAIL_DAYS = 7  # a trailing run of sparse days this long is an artefact tail


@dataclass(frozen=True)
class Trimmed:
    series: Series
    dropped_days: int  # days of artefact tail cut off


def daily_totals(series: Series) -> Values:
    """Arrivals per whole day from the series' start (a partial last day is left out)."""
    per_day = series.per_day()
    days = len(series) // per_day
    grid = series.values[: days * per_day].reshape(days, per_day)
    return np.asarray(np.nansum(grid, axis=1), dtype=np.float64)


def trim_tail(series: Series) -> Trimmed:
    """The series without trailing missing intervals and without an artefact tail."""
    observed = np.flatnonzero(~np.isnan(series.values))
    if observed.size == 0:
        raise ValueError("every interval is missing")
    kept = series.head(int(observed[-1]) + 1)
    totals = daily_totals(kept)
    if totals.size == 0:
        return Trimmed(kept, 0)
    run = _trailing_run(totals < SPARSE_SHARE * float(np.percentile(totals, 90)))
    if run < MIN_TAIL_DAYS or run == len(totals):
        return Trimmed(kept, 0)
    days = len(totals) - run
    return Trimmed(kept.head(days * kept.per_day()), run)


def _trailing_run(flags: npt.NDArray[np.bool_]) -> int:
    run = 0
    for flag in flags[::-1]:
        if not flag:
            break
        run += 1
    return run


def fill_missing(values: Values, week: int, day: int) -> Values:
    """Missing intervals take the same interval of the nearest week that has it, else the mean
    of that time of day, else zero: a model needs a value everywhere."""
    filled = values.copy()
    for i in np.flatnonzero(np.isnan(values)):
        filled[i] = _nearest_seasonal(values, int(i), week, day)
    return filled


def _nearest_seasonal(values: Values, i: int, week: int, day: int) -> float:
    for k in range(1, len(values) // week + 2):
        for j in (i - k * week, i + k * week):
            if 0 <= j < len(values) and not np.isnan(values[j]):
                return float(values[j])
    same_time = values[i % day :: day]
    return float(np.nanmean(same_time)) if np.any(~np.isnan(same_time)) else 0.0
