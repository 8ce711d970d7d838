"""``between``, ``is_open`` and ``next_open`` as tables; what the arithmetic refuses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.calendars import Calendar, CalendarError, parse_period, parse_week
from hotline.calendars.durations import format_duration
from tests.unit.calendars.samples import BERLIN, CALENDARS, at

# (case, calendar, a, b, business time)
BETWEEN = [
    ("chatwoot-friday", "office", "2026-03-06T16:30+01:00", "2026-03-09T09:30+01:00", "1h"),
    ("reversed", "office", "2026-03-09T09:30+01:00", "2026-03-06T16:30+01:00", "-1h"),
    ("same-instant", "office", "2026-03-03T10:00+01:00", "2026-03-03T10:00+01:00", "0s"),
    ("all-closed", "office", "2026-03-07T00:00+01:00", "2026-03-09T09:00+01:00", "0s"),
    ("a-day-with-lunch", "lunch", "2026-03-03T08:00+01:00", "2026-03-03T18:00+01:00", "7h"),
    ("night-day", "night", "2026-03-02T12:00+01:00", "2026-03-03T12:00+01:00", "8h"),
    ("bavaria-week", "bavaria", "2026-01-05T00:00+01:00", "2026-01-10T00:00+01:00", "32h"),
    ("us-july-week", "us", "2026-06-29T00:00-04:00", "2026-07-04T00:00-04:00", "32h"),
    ("berlin-spring-day", "berlin-24h", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", "23h"),
    ("berlin-fall-day", "berlin-24h", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", "25h"),
    ("berlin-fall-1-3", "berlin-1-3", "2026-10-25T00:00+02:00", "2026-10-25T04:00+01:00", "3h"),
    ("ny-spring-day", "newyork-24h", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", "23h"),
    # Lord Howe, 2026-10-04: 02:00 -> 02:30; 02:15 is skipped, so that period starts at 02:30
    ("half-hour-dst", "lord-howe-1-3", "2026-10-04T00:00+10:30", "2026-10-04T04:00+11:00", "1h30m"),
    ("half-hour-gap", "lord-howe-215", "2026-10-04T00:00+10:30", "2026-10-04T04:00+11:00", "30m"),
    ("utc-inputs", "office", "2026-03-03T08:00+00:00", "2026-03-03T10:00+00:00", "2h"),
]


@pytest.mark.parametrize(
    ("calendar", "a", "b", "expected"), [c[1:] for c in BETWEEN], ids=[c[0] for c in BETWEEN]
)
def test_between(calendar: str, a: str, b: str, expected: str) -> None:
    assert format_duration(CALENDARS[calendar].between(at(a), at(b))) == expected


# (case, calendar, instant, open?, next open)
OPEN = [
    ("in-hours", "office", "2026-03-03T10:00+01:00", True, "2026-03-03T10:00:00+01:00"),
    ("at-opening", "office", "2026-03-03T09:00+01:00", True, "2026-03-03T09:00:00+01:00"),
    ("at-closing", "office", "2026-03-03T17:00+01:00", False, "2026-03-04T09:00:00+01:00"),
    ("weekend", "office", "2026-03-07T12:00+01:00", False, "2026-03-09T09:00:00+01:00"),
    ("lunch", "lunch", "2026-03-03T13:00+01:00", False, "2026-03-03T13:30:00+01:00"),
    ("after-midnight", "monday-night", "2026-03-03T02:00+01:00", True, "2026-03-03T02:00:00+01:00"),
    ("night-gap", "monday-night", "2026-03-03T07:00+01:00", False, "2026-03-09T22:00:00+01:00"),
    (
        "spring-last-minute",
        "berlin-1-3",
        "2026-03-29T01:59+01:00",
        True,
        "2026-03-29T01:59:00+01:00",
    ),
    (
        "spring-after-jump",
        "berlin-1-3",
        "2026-03-29T03:00+02:00",
        False,
        "2026-03-30T01:00:00+02:00",
    ),
    (
        "fall-repeated-hour",
        "berlin-1-3",
        "2026-10-25T02:30+01:00",
        True,
        "2026-10-25T02:30:00+01:00",
    ),
    ("holiday", "bavaria", "2026-01-06T10:00+01:00", False, "2026-01-07T09:00:00+01:00"),
    ("observed-holiday", "us", "2026-07-03T10:00-04:00", False, "2026-07-06T09:00:00-04:00"),
]


@pytest.mark.parametrize(
    ("calendar", "t", "is_open", "next_open"), [c[1:] for c in OPEN], ids=[c[0] for c in OPEN]
)
def test_open(calendar: str, t: str, is_open: bool, next_open: str) -> None:
    business = CALENDARS[calendar]
    assert business.is_open(at(t)) is is_open
    assert business.next_open(at(t)).isoformat() == next_open


def test_overlapping_periods_of_two_days_count_once() -> None:
    overlapping = Calendar(BERLIN, parse_week({"mon": ["20:00-08:00"], "tue": ["07:00-09:00"]}))
    a, b = at("2026-03-02T00:00+01:00"), at("2026-03-04T00:00+01:00")
    assert overlapping.between(a, b) == timedelta(hours=13)  # Mon 20:00 to Tue 09:00


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("9-17", "HH:MM-HH:MM"),
        ("09:00", "HH:MM-HH:MM"),
        ("25:00-26:00", "not a time of day"),
        ("09:60-10:00", "not a time of day"),
        ("09:00-24:30", "not a time of day"),
    ],
)
def test_bad_periods_are_refused(text: str, error: str) -> None:
    with pytest.raises(CalendarError, match=error):
        parse_period(text)


def test_overlapping_periods_and_unknown_days_are_refused() -> None:
    with pytest.raises(CalendarError, match="overlap"):
        parse_week({"mon": ["09:00-12:00", "11:00-13:00"]})
    with pytest.raises(CalendarError, match="unknown day 'monday'"):
        parse_week({"monday": ["09:00-12:00"]})


def test_naive_times_negative_durations_and_a_calendar_never_open_are_refused() -> None:
    office = CALENDARS["office"]
    with pytest.raises(CalendarError, match="no timezone"):
        office.add(datetime(2026, 3, 3, 10), timedelta(hours=1))
    with pytest.raises(CalendarError, match="negative"):
        office.add(at("2026-03-03T10:00+01:00"), timedelta(hours=-1))
    never = Calendar(BERLIN, parse_week({}))
    with pytest.raises(CalendarError, match="closed for"):
        never.add(at("2026-03-03T10:00+01:00"), timedelta(hours=1))
    assert never.between(at("2026-03-03T10:00+01:00"), at("2030-03-03T10:00+01:00")) == timedelta()
