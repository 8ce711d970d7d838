"""Rolling-origin backtest: from each origin (a midnight) the model forecasts the next days
from the history before it; errors are scored per day ahead as MASE (scaled by the origin's
in-sample weekly seasonal-naive MAE) for the model and the seasonal-naive baseline, with the
share of actual intervals inside each prediction interval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from insights.forecast.accuracy import mae, naive_scale
from insights.forecast.forecaster import Forecast, Options, forecast
from insights.forecast.history import fill_missing
from insights.forecast.series import Series


@dataclass(frozen=True)
class HorizonScore:
    day: int  # 1: the first day after the origin
    origins: int  # origins whose day this was inside the data
    mase: float  # the model's
    mase_baseline: float  # seasonal naive's
    coverage: dict[int, float]  # level (%) -> share of actual intervals inside


def daily_origins(series: Series, first_day: int) -> list[int]:
    """Every midnight from day ``first_day`` (0: the series' first) to the last whole day."""
    per_day = series.per_day()
    return list(range(first_day * per_day, len(series) - per_day + 1, per_day))


def backtest(
    series: Series, origins: Sequence[int], days: int, options: Options
) -> list[HorizonScore]:
    per_day = series.per_day()
    rows: list[list[tuple[float, float, dict[int, float]]]] = [[] for _ in range(days)]
    for origin in origins:
        history = series.head(origin)
        horizon = min(days * per_day, len(series) - origin) // per_day * per_day
        fc = forecast(history, replace(options, horizon=horizon))
        scale = naive_scale(fill_missing(history.values, 7 * per_day, per_day), 7 * per_day)
        for d in range(horizon // per_day):
            rows[d].append(_day_score(series, origin, d, fc, scale))
    return [_aggregate(d + 1, r) for d, r in enumerate(rows) if r]


def _day_score(
    series: Series, origin: int, d: int, fc: Forecast, scale: float
) -> tuple[float, float, dict[int, float]]:
    n = series.per_day()
    got = slice(d * n, (d + 1) * n)
    actual = series.values[origin + d * n : origin + (d + 1) * n]
    seen = ~np.isnan(actual)  # a missing interval is neither inside nor outside
    cover = {
        lv: float(np.mean(((actual >= fc.lower[lv][got]) & (actual <= fc.upper[lv][got]))[seen]))
        for lv in fc.lower
    }
    return mae(actual, fc.mean[got]) / scale, mae(actual, fc.baseline[got]) / scale, cover


def _aggregate(day: int, rows: list[tuple[float, float, dict[int, float]]]) -> HorizonScore:
    levels = rows[0][2].keys()
    return HorizonScore(
        day=day,
        origins=len(rows),
        mase=float(np.mean([r[0] for r in rows])),
        mase_baseline=float(np.mean([r[1] for r in rows])),
        coverage={lv: float(np.mean([r[2][lv] for r in rows])) for lv in levels},
    )
