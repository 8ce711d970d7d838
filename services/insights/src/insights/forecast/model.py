"""The model: MSTL (daily and weekly seasons by STL, Bandara et al. 2021) with AutoETS on the
trend and remainder, from statsforecast; the only module that imports it (lazily: the import
takes seconds, and the ``hotline`` CLI loads every command's module at start).

It is fitted on the square root of the counts (arrivals are about Poisson: the root steadies
their variance, so a quiet night and a busy morning weigh alike) and squared back, which
keeps forecasts and interval bounds non-negative; the point forecast is then the median.
The rolling-origin backtest in bench/insights.md chose it over the untransformed fit and an
AutoARIMA trend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from insights.forecast.series import Values


@dataclass(frozen=True)
class Prediction:
    mean: Values
    lower: dict[int, Values]  # by level (%): the prediction interval's lower bound
    upper: dict[int, Values]


def usable_seasons(length: int, seasons: Sequence[int]) -> list[int]:
    """The seasons with at least two whole periods in a history of ``length``."""
    return [s for s in seasons if length >= 2 * s]


def mstl_ets(
    history: Values, seasons: Sequence[int], horizon: int, levels: Sequence[int]
) -> Prediction:
    """The product's model: MSTL with AutoETS, on the square root."""
    return mstl(history, seasons, horizon, levels)


def mstl(
    history: Values,
    seasons: Sequence[int],
    horizon: int,
    levels: Sequence[int],
    trend: Literal["ets", "arima"] = "ets",
    root: bool = True,
) -> Prediction:
    """MSTL with ``trend`` forecasting its trend and remainder; ``root``: on the square root.
    The variants are the backtest's (bench/forecast_bench.py)."""
    from statsforecast.models import MSTL, AutoARIMA, AutoETS

    usable = usable_seasons(len(history), seasons)
    if not usable:
        raise ValueError(f"the model needs two periods of {min(seasons)} intervals of history")
    inner = AutoETS(model="ZZN") if trend == "ets" else AutoARIMA(seasonal=False)
    model = MSTL(season_length=usable, trend_forecaster=inner)
    y = np.maximum(history, 0.0)
    model.fit(np.sqrt(y) if root else y)
    out: dict[str, Values] = model.predict(h=horizon, level=list(levels))
    back = _squared if root else _clipped
    return Prediction(
        mean=back(out["mean"]),
        lower={lv: back(out[f"lo-{lv}"]) for lv in levels},
        upper={lv: back(out[f"hi-{lv}"]) for lv in levels},
    )


def _squared(root: Values) -> Values:
    return np.square(_clipped(root))


def _clipped(values: Values) -> Values:
    return np.maximum(np.asarray(values, dtype=np.float64), 0.0)
