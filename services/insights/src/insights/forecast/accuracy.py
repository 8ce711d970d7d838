"""Forecast accuracy: MASE, the mean absolute error scaled by the in-sample MAE of the
seasonal-naive forecast (Hyndman & Koehler, 2006). Below 1: better than that naive method was
on the history; a model's MASE beside the baseline's shows what the model adds."""

from __future__ import annotations

import numpy as np

from insights.forecast.series import Values


def mae(actual: Values, forecast: Values) -> float:
    return float(np.nanmean(np.abs(actual - forecast)))


def naive_scale(history: Values, season: int) -> float:
    """The in-sample MAE of the seasonal-naive forecast one season ahead."""
    if len(history) <= season:
        raise ValueError(f"MASE needs more than {season} intervals of history")
    scale = float(np.nanmean(np.abs(history[season:] - history[:-season])))
    if not scale > 0:
        raise ValueError("the history repeats itself exactly: MASE is undefined")
    return scale


def mase(actual: Values, forecast: Values, history: Values, season: int) -> float:
    return mae(actual, forecast) / naive_scale(history, season)
