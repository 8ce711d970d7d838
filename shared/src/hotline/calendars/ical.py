"""Closed days and hours from an iCalendar file (RFC 5545): each VEVENT closes the calendar.

An all-day event (``DTSTART;VALUE=DATE``) closes its dates, up to its DTEND (exclusive; one day
when it has none), like a holiday. A timed event closes the hours from DTSTART to DTEND (or
DTSTART + DURATION); a floating time (no TZID, no ``Z``) is read in the calendar's timezone.
Cancelled events close nothing. A repeating event (RRULE, RDATE; EXDATE and changed
occurrences as RFC 5545 says) closes each occurrence that starts before ``until``: a calendar
holds dates, so an open-ended rule is expanded over a horizon (``horizon(today)``: ten years),
and more than ``MAX_OCCURRENCES`` closures in one file are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from hotline.calendars.wallclock import local_time
from hotline.calendars.week import CalendarError

Span = tuple[datetime, datetime]
RECURRENCE_YEARS = 10
MAX_OCCURRENCES = 10_000
_EARLIEST = date(1900, 1, 1)
_TOO_FINE = {"SECONDLY", "MINUTELY", "HOURLY"}


@dataclass
class Closures:
    dates: set[date] = field(default_factory=set)
    spans: list[Span] = field(default_factory=list)


def horizon(today: date) -> date:
    """Where open-ended repeating events stop being expanded: ``RECURRENCE_YEARS`` ahead."""
    return today.replace(year=today.year + RECURRENCE_YEARS, day=min(today.day, 28))


def read_ical(data: bytes, tz: ZoneInfo, source: str = "iCal", *, until: date) -> Closures:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarError(f"{source}: not an iCalendar file ({exc})") from exc
    events = calendar.walk("VEVENT")
    series = {str(e.get("UID")) for e in events if "RRULE" in e or "RDATE" in e}
    closures = Closures()
    for event in events:
        if str(event.get("UID")) not in series:
            _add_event(closures, event, tz, source)
    for event in _occurrences(calendar, source, until) if series else ():
        if str(event.get("UID")) in series:
            _add_event(closures, event, tz, source)
    if len(closures.dates) + len(closures.spans) > MAX_OCCURRENCES:
        raise CalendarError(f"{source}: more than {MAX_OCCURRENCES} closed dates and hours")
    return closures


def _occurrences(calendar: icalendar.Calendar, source: str, until: date) -> Iterator[Event]:
    """Every occurrence starting before ``until``, in order (a rule finer than daily is
    refused: closures are days and hours, and expanding it would take too long)."""
    for rule in (r for e in calendar.walk("VEVENT") for r in _rules(e)):
        if str(rule.get("FREQ", ["?"])[0]).upper() in _TOO_FINE:
            raise CalendarError(f"{source}: a rule repeats {rule['FREQ'][0]}: daily at most")
    try:
        found = recurring_ical_events.of(calendar).after(_EARLIEST)
        for count, event in enumerate(found):
            if _day(event.decoded("DTSTART")) >= until:
                return
            if count >= MAX_OCCURRENCES:
                raise CalendarError(f"{source}: more than {MAX_OCCURRENCES} occurrences")
            yield event
    except CalendarError:
        raise
    except (ValueError, TypeError, recurring_ical_events.InvalidCalendar) as exc:
        raise CalendarError(f"{source}: cannot expand its repeating events ({exc})") from exc


def _rules(event: Event) -> list[icalendar.vRecur]:
    found = event.get("RRULE", [])
    return list(found) if isinstance(found, list) else [found]


def _day(moment: date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


Event = icalendar.cal.Component


def _add_event(closures: Closures, event: Event, tz: ZoneInfo, source: str) -> None:
    name = f"{source}: event {str(event.get('SUMMARY', event.get('UID', '?')))!r}"
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
