"""Holidays (days given by the caller, e.g. a business calendar's from the ``holidays``
package): cleaned out of the history a model learns from, then scaled in the forecast by how
much lower a holiday ran than the same weekday a week before."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import numpy.typing as npt

from insights.forecast.series import Series, Values

Mask = npt.NDArray[np.bool_]


def mask(series: Series, days: Collection[date]) -> Mask:
    """Which intervals fall on one of ``days``."""
    return np.array([d in days for d in series.dates()], dtype=bool)


def future_mask(series: Series, horizon: int, days: Collection[date]) -> Mask:
    return np.array([series.time(len(series) + i).date() in days for i in range(horizon)])


def cleaned(values: Values, holiday: Mask, week: int) -> Values:
    """Holiday intervals replaced by the same interval a week before (or after) that is no
    holiday: the model learns an ordinary week."""
    out = values.copy()
    for i in np.flatnonzero(holiday):
        for j in (i - week, i + week, i - 2 * week, i + 2 * week):
            if 0 <= j < len(values) and not holiday[j]:
                out[i] = values[j]
                break
    return out


def ratio(values: Values, holiday: Mask, week: int) -> float:
    """Holiday arrivals over the same intervals' a week before (no holiday then); 1.0 when
    the history holds no such pair."""
    idx = np.flatnonzero(holiday)
    idx = idx[idx >= week]
    idx = idx[~holiday[idx - week]]
    before = float(np.sum(values[idx - week]))
    return float(np.sum(values[idx])) / before if before > 0 else 1.0
