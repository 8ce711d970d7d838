"""A history as a team brings it: one time per contact, or counts per interval; anything else
refused with the line it is on."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from insights.forecast.csvinput import CsvSpec, InputError, read_history

QUARTER = CsvSpec(timedelta(minutes=15))
HOUR = CsvSpec(timedelta(hours=1))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_time_per_contact_is_counted_per_interval_with_zeros_between(tmp_path: Path) -> None:
    path = write(tmp_path, "created_at\n2024-03-04 09:01\n2024-03-04 09:14\n\n2024-03-04 09:50\n")
    series = read_history(path, QUARTER)
    assert series.start == datetime(2024, 3, 4, 9, 0)
    assert series.values.tolist() == [2.0, 0.0, 0.0, 1.0]


def test_times_with_an_offset_are_converted_to_the_local_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "t\n2024-03-04T08:05:00Z\n2024-03-04T10:20:00+01:00\n")
    series = read_history(path, CsvSpec(timedelta(hours=1), zone="Europe/Berlin"))
    assert series.start == datetime(2024, 3, 4, 9, 0)
    assert series.values.tolist() == [1.0, 1.0]


def test_counts_per_interval_missing_rows_and_empty_counts_are_missing(tmp_path: Path) -> None:
    text = "hour,calls,chats\n2024-03-04 09:00,5,1\n2024-03-04 10:00,,2\n2024-03-04 12:00,7,3\n"
    series = read_history(write(tmp_path, text), HOUR)
    assert series.values[0] == 5 and np.isnan(series.values[1:3]).all() and series.values[3] == 7
    chats = read_history(write(tmp_path, text), CsvSpec(timedelta(hours=1), column="chats"))
    assert chats.values[[0, 1, 3]].tolist() == [1.0, 2.0, 3.0]


def test_finer_rows_are_summed_and_coarser_rows_refused(tmp_path: Path) -> None:
    text = (
        "start,n\n2024-03-04 09:00,1\n2024-03-04 09:15,2\n2024-03-04 09:30,3\n2024-03-04 10:00,4\n"
    )
    assert read_history(write(tmp_path, text), HOUR).values.tolist() == [6.0, 4.0]
    hourly = "start,n\n2024-03-04 09:00,1\n2024-03-04 10:00,2\n"
    with pytest.raises(InputError, match="1:00:00 apart, coarser than the interval"):
        read_history(write(tmp_path, hourly), QUARTER)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty or has no header"),
        ("at\n", "no timestamps"),
        ("at\n2024-03-04 09:00\nyesterday\n", r"line 3: 'yesterday' is not an ISO 8601 time"),
        ("at,n\n2024-03-04 09:00,five\n", r"line 2: count 'five' is not a number"),
        ("at,n\n2024-03-04 09:00,-1\n", r"line 2: count '-1' is not a count"),
        ("at,n\n2024-03-04 09:00,nan\n", r"line 2: count 'nan' is not a count"),
        ("at,n,m\n2024-03-04 09:00\n", "line 2: 1 columns, expected at least 2"),
    ],
)
def test_bad_input_is_refused_with_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_history(write(tmp_path, text), HOUR)


def test_an_unknown_count_column_or_binary_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no count column 'calls'; the columns are at, n"):
        read_history(write(tmp_path, "at,n\n2024-03-04 09:00,1\n"), CsvSpec(HOUR.step, "calls"))
    path = tmp_path / "b.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        read_history(path, HOUR)
