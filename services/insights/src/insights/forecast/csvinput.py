"""A history a team brings as CSV, with a header row. The first column is a time (ISO 8601,
e.g. ``2024-03-04 09:15`` or ``2024-03-04T09:15:00+01:00``):

* one column: one row per contact, its arrival time;
* more columns: counts per interval, the first column the interval's start and the count in
  the second column (or the one named by ``column``); an empty count is a missing interval.

Times with an offset are converted to ``zone``; times without one are taken as its local
time already. Anything else is refused with the line it was found on.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from insights.forecast.series import Series, from_counts, from_timestamps


class InputError(ValueError):
    """The file cannot be read as a history; the message says where and why."""


@dataclass(frozen=True)
class CsvSpec:
    step: timedelta
    column: str | None = None  # the count column (default: the second)
    zone: str = "UTC"


def read_history(path: Path, spec: CsvSpec) -> Series:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            return _parse(csv.reader(f), spec)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    except csv.Error as exc:
        raise InputError(f"{path}: not CSV: {exc}") from exc


def _parse(reader: Iterator[list[str]], spec: CsvSpec) -> Series:
    header = [h.strip() for h in next(reader, [])]
    if not header or not header[0]:
        raise InputError("the file is empty or has no header row")
    zone = ZoneInfo(spec.zone)
    if len(header) == 1 and spec.column is None:
        stamps = (_time(row, line, zone) for line, row in _rows(reader, 1))
        return _series(lambda: from_timestamps(stamps, spec.step))
    at = _column_index(header, spec.column)
    rows = ((_time(row, line, zone), _count(row, at, line)) for line, row in _rows(reader, at + 1))
    return _series(lambda: from_counts(rows, spec.step))


def _series(build: Callable[[], Series]) -> Series:
    try:
        return build()
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def _rows(reader: Iterator[list[str]], width: int) -> Iterator[tuple[int, list[str]]]:
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) < width:
            raise InputError(f"line {line}: {len(row)} columns, expected at least {width}")
        yield line, row


def _column_index(header: list[str], column: str | None) -> int:
    if column is None:
        return 1
    if column not in header[1:]:
        raise InputError(f"no count column {column!r}; the columns are {', '.join(header)}")
    return header.index(column, 1)


def _time(row: list[str], line: int, zone: ZoneInfo) -> datetime:
    cell = row[0].strip()
    try:
        when = datetime.fromisoformat(cell)
    except ValueError:
        raise InputError(f"line {line}: {cell[:40]!r} is not an ISO 8601 time") from None
    return when.astimezone(zone).replace(tzinfo=None) if when.tzinfo else when


def _count(row: list[str], at: int, line: int) -> float:
    cell = row[at].strip()
    if not cell:
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        raise InputError(f"line {line}: count {cell[:40]!r} is not a number") from None
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"line {line}: count {cell[:40]!r} is not a count (>= 0)")
    return value
