"""The model's forecast beside the seasonal-naive baseline, on a short synthetic series (one
fit each: statsforecast's import and fit take seconds)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from insights.forecast.forecaster import Options, forecast
from insights.forecast.peaks import daily_peaks
from insights.forecast.series import Series
from tests.unit.insights.synthetic import HOUR, START, arrivals, expected

WEEKS = 3


@pytest.fixture(scope="module")
def history() -> Series:
    return Series(START, HOUR, arrivals(7 * WEEKS))


def test_the_forecast_follows_both_seasons_better_than_seasonal_naive(history: Series) -> None:
    fc = forecast(history, Options(horizon=7 * 24))
    truth = expected(7, start_day=7 * WEEKS)
    assert fc.start == START + timedelta(weeks=WEEKS)
    model_error = np.mean(np.abs(fc.mean - truth))
    naive_error = np.mean(np.abs(fc.baseline - truth))
    assert model_error < 0.8 * naive_error  # the naive copies last week's noise
    inside = (truth >= fc.lower[95]) & (truth <= fc.upper[95])
    assert inside.mean() > 0.9
    assert (fc.lower[80] >= fc.lower[95]).all() and (fc.mean >= 0).all()
    peaks = daily_peaks(fc)
    assert {p.at.hour for p in peaks[:5]} <= {9, 10, 11}  # weekdays peak at 10:00 (28, 32, 26)
    assert peaks[0].arrivals > 3 * peaks[5].arrivals  # Monday against Saturday


def test_holidays_are_learned_from_the_history_and_applied_ahead(history: Series) -> None:
    """A Wednesday holiday in the history ran at a fifth of a Wednesday: next week's holiday
    Wednesday is forecast at about a fifth too; without the holidays it is an ordinary day."""
    values = history.values.copy()
    values[9 * 24 : 10 * 24] = np.round(values[9 * 24 : 10 * 24] / 5)  # Wed 13 March
    quiet = Series(START, HOUR, values)
    days = frozenset({date(2024, 3, 13), date(2024, 3, 27)})
    with_days = forecast(quiet, Options(horizon=3 * 24, holidays=days))
    without = forecast(Series(START, HOUR, history.values), Options(horizon=3 * 24))
    wednesday = slice(2 * 24, 3 * 24)
    ratio = with_days.mean[wednesday].sum() / without.mean[wednesday].sum()
    assert 0.12 < ratio < 0.3
    assert with_days.holiday[wednesday].all() and not with_days.holiday[:48].any()
    assert with_days.mean[:48].sum() == pytest.approx(without.mean[:48].sum(), rel=0.1)


def test_too_short_a_history_is_refused() -> None:
    with pytest.raises(ValueError, match="at least two days"):
        forecast(Series(START, HOUR, arrivals(1)), Options(horizon=24))
