"""The seasonal-naive baseline: each interval as it was one season (a week) before. Always
computed beside the model: a forecast that cannot beat it is not worth its model."""

from __future__ import annotations

import numpy as np

from insights.forecast.series import Values


def seasonal_naive(history: Values, season: int, horizon: int) -> Values:
    """The last ``season`` values repeated over ``horizon`` (needs a history without gaps)."""
    if len(history) < season:
        raise ValueError(f"seasonal naive needs {season} intervals of history, not {len(history)}")
    last = history[-season:]
    return np.tile(last, -(-horizon // season))[:horizon].astype(np.float64)
