"""A forecast of one series: the model's point forecast and prediction intervals, the
seasonal-naive baseline beside it, holidays cleaned from the history and scaled ahead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from insights.forecast import special_days
from insights.forecast.baseline import seasonal_naive
from insights.forecast.history import fill_missing
from insights.forecast.model import Prediction, mstl_ets
from insights.forecast.series import Series, Values

Model = Callable[[Values, Sequence[int], int, Sequence[int]], Prediction]


@dataclass(frozen=True)
class Options:
    horizon: int  # intervals ahead
    holidays: frozenset[date] = frozenset()
    levels: tuple[int, ...] = (80, 95)
    model: Model = field(default=mstl_ets, compare=False)


@dataclass(frozen=True)
class Forecast:
    start: datetime  # the first forecast interval
    step: timedelta
    mean: Values
    lower: dict[int, Values]
    upper: dict[int, Values]
    baseline: Values  # seasonal naive
    holiday: special_days.Mask  # forecast intervals on a holiday

    def time(self, index: int) -> datetime:
        return self.start + index * self.step


def forecast(history: Series, options: Options) -> Forecast:
    day, week = history.seasons()
    if len(history) < 2 * day:
        raise ValueError("a forecast needs at least two days of history")
    values = fill_missing(history.values, week, day)
    past = special_days.mask(history, options.holidays)
    ahead = special_days.future_mask(history, options.horizon, options.holidays)
    learned = special_days.cleaned(values, past, week)
    pred = options.model(learned, (day, week), options.horizon, options.levels)
    factor = np.where(ahead, special_days.ratio(values, past, week), 1.0)
    return Forecast(
        start=history.end,
        step=history.step,
        mean=pred.mean * factor,
        lower={lv: v * factor for lv, v in pred.lower.items()},
        upper={lv: v * factor for lv, v in pred.upper.items()},
        baseline=seasonal_naive(values, week if len(values) >= week else day, options.horizon),
        holiday=ahead,
    )
