"""Closed days and hours from an iCalendar file (RFC 5545): each VEVENT closes the calendar.

An all-day event (``DTSTART;VALUE=DATE``) closes its dates, up to its DTEND (exclusive; one day
when it has none), like a holiday. A timed event closes the hours from DTSTART to DTEND (or
DTSTART + DURATION); a floating time (no TZID, no ``Z``) is read in the calendar's timezone.
Cancelled events close nothing. Recurring events (RRULE, RDATE) are refused, not half-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from hotline.calendars.wallclock import local_time
from hotline.calendars.week import CalendarError

Span = tuple[datetime, datetime]


@dataclass
class Closures:
    dates: set[date] = field(default_factory=set)
    spans: list[Span] = field(default_factory=list)


def read_ical(data: bytes, tz: ZoneInfo, source: str = "iCal") -> Closures:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarError(f"{source}: not an iCalendar file ({exc})") from exc
    closures = Closures()
    for event in calendar.walk("VEVENT"):
        _add_event(closures, event, tz, source)
    return closures


Event = icalendar.cal.Component


def _add_event(closures: Closures, event: Event, tz: ZoneInfo, source: str) -> None:
    name = f"{source}: event {str(event.get('SUMMARY', event.get('UID', '?')))!r}"
    if "RRULE" in event or "RDATE" in event:
        raise CalendarError(f"{name} repeats (RRULE/RDATE): list its dates one by one")
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return
    if "DTSTART" not in event:
        raise CalendarError(f"{name} has no DTSTART")
    start = event.decoded("DTSTART")
    end = _end(event, start)
    if isinstance(start, datetime):
        closures.spans.append(_timed(start, end, tz))
        return
    day, last = start, end.date() if isinstance(end, datetime) else end
    while day < last:
        closures.dates.add(day)
        day += timedelta(days=1)


def _end(event: Event, start: date) -> date:
    if "DTEND" in event:
        end = event.decoded("DTEND")
        if not isinstance(end, date):
            raise CalendarError(f"DTEND {end!r} is not a date or time")
        return end
    if "DURATION" in event:
        length = event.decoded("DURATION")
        if not isinstance(length, timedelta):
            raise CalendarError(f"DURATION {length!r} is not a duration")
        return start + length
    return start if isinstance(start, datetime) else start + timedelta(days=1)


def _timed(start: datetime, end: date, tz: ZoneInfo) -> Span:
    if not isinstance(end, datetime):
        end = datetime(end.year, end.month, end.day)
    return local_time(start, tz).astimezone(UTC), local_time(end, tz).astimezone(UTC)
