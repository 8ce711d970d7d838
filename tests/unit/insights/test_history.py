"""Preparing a history: an artefact tail and gaps are missing data, never zero demand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from insights.forecast.csvinput import CsvSpec, read_history
from insights.forecast.history import fill_missing, trim_tail
from insights.forecast.series import Series

HOUR = timedelta(hours=1)


def busy_days(days: int) -> np.ndarray:
    return np.tile(np.r_[np.zeros(8), np.full(10, 20.0), np.zeros(6)], days)


def test_a_trailing_run_of_near_empty_days_is_cut_off_as_an_artefact_tail() -> None:
    values = np.r_[busy_days(21), np.tile(np.r_[1.0, np.zeros(23)], 10)]
    trimmed = trim_tail(Series(datetime(2024, 1, 1), HOUR, values))
    assert (trimmed.dropped_days, len(trimmed.series)) == (10, 21 * 24)


def test_a_short_quiet_spell_and_a_quiet_history_are_kept() -> None:
    """Five empty days (a closure) are no artefact; nor is a history that is all quiet."""
    short = np.r_[busy_days(21), np.zeros(5 * 24)]
    assert trim_tail(Series(datetime(2024, 1, 1), HOUR, short)).dropped_days == 0
    quiet = np.zeros(30 * 24)
    quiet[5] = 1
    assert trim_tail(Series(datetime(2024, 1, 1), HOUR, quiet)).dropped_days == 0


def test_trailing_missing_intervals_are_dropped() -> None:
    values = np.r_[busy_days(8), np.full(30, np.nan)]
    assert len(trim_tail(Series(datetime(2024, 1, 1), HOUR, values)).series) == 8 * 24


def test_a_gap_takes_the_same_interval_of_the_nearest_week() -> None:
    values = np.arange(3 * 7 * 24, dtype=float)
    values[200] = np.nan
    values[:3] = np.nan  # no week before: the week after
    filled = fill_missing(values, 168, 24)
    assert filled[200] == 200 - 168 and filled[:3].tolist() == [168.0, 169.0, 170.0]


def test_the_service_desk_corpus_tail_is_found_where_its_source_says(corpora: Path) -> None:
    """SOURCE.md: dense from 2016-02-29 to 2016-05-31, then only stragglers to 2017-02-16."""
    path = corpora / "contact-volume" / "hourly_incidents_opened.csv"
    series = read_history(path, CsvSpec(HOUR, column="incidents_opened"))
    trimmed = trim_tail(series)
    assert trimmed.series.end == datetime(2016, 6, 1)
    assert trimmed.dropped_days == (datetime(2017, 2, 17) - datetime(2016, 6, 1)).days
    assert np.nansum(trimmed.series.values) == 24_644  # the 93 dense days' incidents
