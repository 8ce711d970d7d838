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
    from statsforecast.models import MSTL, AutoETS

    usable = usable_seasons(len(history), seasons)
    if not usable:
        raise ValueError(f"the model needs two periods of {min(seasons)} intervals of history")
    model = MSTL(season_length=usable, trend_forecaster=AutoETS(model="ZZN"))
    model.fit(np.sqrt(np.maximum(history, 0.0)))
    out: dict[str, Values] = model.predict(h=horizon, level=list(levels))
    return Prediction(
        mean=_squared(out["mean"]),
        lower={lv: _squared(out[f"lo-{lv}"]) for lv in levels},
        upper={lv: _squared(out[f"hi-{lv}"]) for lv in levels},
    )


def _squared(root: Values) -> Values:
    return np.square(np.maximum(np.asarray(root, dtype=np.float64), 0.0))
