"""The seasonal-naive baseline and MASE, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from insights.forecast.accuracy import mase, naive_scale
from insights.forecast.baseline import seasonal_naive


def test_seasonal_naive_repeats_the_last_season() -> None:
    history = np.array([9.0, 9, 1, 2, 3])
    assert seasonal_naive(history, 3, 7).tolist() == [1, 2, 3, 1, 2, 3, 1]
    with pytest.raises(ValueError, match="needs 3 intervals"):
        seasonal_naive(history[:2], 3, 1)


def test_mase_scales_by_the_in_sample_naive_error() -> None:
    """History 1 2 3 | 2 2 5 with season 3: naive errors 1, 0, 2 -> scale 1. A forecast off by
    1.5 on average has MASE 1.5; one off by 0.5, 0.5."""
    history = np.array([1.0, 2, 3, 2, 2, 5])
    assert naive_scale(history, 3) == pytest.approx(1.0)
    actual = np.array([3.0, 3.0])
    assert mase(actual, np.array([1.5, 4.5]), history, 3) == pytest.approx(1.5)
    assert mase(actual, np.array([3.5, 2.5]), history, 3) == pytest.approx(0.5)


def test_mase_is_undefined_on_a_history_that_repeats_exactly() -> None:
    with pytest.raises(ValueError, match="undefined"):
        naive_scale(np.array([1.0, 2, 1, 2]), 2)
