"""Wall-clock times of a calendar's timezone as instants (UTC), across DST changes.

A period boundary is a wall-clock time on a local date. Two of them are special on the days the
clocks change:

- a time the clock skips (spring forward, e.g. 02:30 in Europe/Berlin on the last Sunday of
  March) is the instant the clock jumps forward: 02:00-03:00 is empty, 01:00-03:00 lasts 1 h;
- a time the clock repeats (fall back) is its first occurrence (``fold=0``): 01:00-03:00 on the
  last Sunday of October in Europe/Berlin lasts 3 h, 02:00-02:30 is the first half hour of the
  repeated hour.

Business time is elapsed real time, so every length here is measured between instants in UTC
(aware datetimes of one tzinfo subtract by wall clock, which is wrong across a change).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` minutes after midnight of ``day`` on the wall clock of ``tz``
    (1440 is the next midnight), by the rule of the module docstring."""
    return resolve(datetime(day.year, day.month, day.day) + timedelta(minutes=minute), tz)


def resolve(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time of ``tz``, by the rule of the module docstring."""
    utc = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: a repeated time's first occurrence
    if utc.astimezone(tz).replace(tzinfo=None) == wall:
        return utc
    return _gap_end(wall, tz)


def _gap_end(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant whose wall clock is at or after ``wall``, a time the clock skipped: the
    transition lies between the readings of ``wall`` under the offsets before and after it."""
    readings = [wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    low, high = int(min(readings).timestamp()), int(max(readings).timestamp()) + 1
    while low < high:  # transitions fall on whole seconds
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def local_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime as is; a naive one read on the wall clock of ``tz`` (same rule)."""
    return moment if moment.tzinfo is not None else resolve(moment, tz).astimezone(tz)
