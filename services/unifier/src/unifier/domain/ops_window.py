"""The operations report's window: an instant range [start, end) and the time zone its hours,
weekdays and days are read in — the agent's zone, parsed as the snooze presets parse it
(:func:`unifier.domain.snoozing.zone`), so a report and a snooze agree on what "Monday" is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from unifier.domain.snoozing import zone

MAX_DAYS = 366


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    tz: tzinfo


def window(start: datetime, end: datetime, tz: str | None) -> Window:
    """The report's window (its instants in UTC, so their difference is elapsed time);
    ValueError names what is wrong (aware times, from < to, at most 366 days, a known IANA
    time zone)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("from and to need a UTC offset")
    if start >= end:
        raise ValueError("from must be before to")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end - start > timedelta(days=MAX_DAYS):
        raise ValueError(f"the window is longer than {MAX_DAYS} days")
    return Window(start, end, zone(tz))


def local_days(first: date, last: date, tz: str | None) -> Window:
    """The days ``first`` to ``last`` (both included) of the zone ``tz``: from the local
    midnight starting ``first`` to the one ending ``last`` (23 or 25 hours on a DST change)."""
    if first > last:
        raise ValueError("the first day must not be after the last")
    zone_ = zone(tz)
    start = datetime.combine(first, time(0), zone_).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), zone_).astimezone(UTC)
    return window(start, end, tz)
