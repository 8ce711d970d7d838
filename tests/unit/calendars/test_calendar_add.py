"""``Calendar.add`` as a table: calendar, start, business duration, due time. Every instant is
written with its UTC offset; the due time must come back in the calendar's timezone, to the
second, and the business time from the start to it must be the duration asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.calendars.durations import parse_duration
from tests.unit.calendars.samples import CALENDARS, at

# (case, calendar, start, duration, due)
ADD = [
    # Chatwoot's bug: an hour from Friday 16:30 on 09:00-17:00 is Monday 09:30, not Fri 17:30
    ("chatwoot-friday", "office", "2026-03-06T16:30+01:00", "1h", "2026-03-09T09:30:00+01:00"),
    ("inside-a-period", "office", "2026-03-03T10:00+01:00", "2h", "2026-03-03T12:00:00+01:00"),
    ("before-opening", "office", "2026-03-03T07:00+01:00", "30m", "2026-03-03T09:30:00+01:00"),
    ("after-closing", "office", "2026-03-03T18:00+01:00", "1h", "2026-03-04T10:00:00+01:00"),
    ("ends-at-closing", "office", "2026-03-06T16:00+01:00", "1h", "2026-03-06T17:00:00+01:00"),
    ("starts-at-closing", "office", "2026-03-06T17:00+01:00", "1m", "2026-03-09T09:01:00+01:00"),
    ("zero-when-closed", "office", "2026-03-07T12:00+01:00", "0s", "2026-03-07T12:00:00+01:00"),
    ("zero-when-open", "office", "2026-03-03T10:00+01:00", "0s", "2026-03-03T10:00:00+01:00"),
    ("zero-in-utc", "office", "2026-03-07T11:00+00:00", "0s", "2026-03-07T12:00:00+01:00"),
    ("from-the-weekend", "office", "2026-03-07T12:00+01:00", "8h", "2026-03-09T17:00:00+01:00"),
    ("seconds", "office", "2026-03-03T16:59:30+01:00", "1m", "2026-03-04T09:00:30+01:00"),
    ("two-weeks", "office", "2026-03-02T09:00+01:00", "80h", "2026-03-13T17:00:00+01:00"),
    ("week-before-dst", "office", "2026-03-23T09:00+01:00", "40h", "2026-03-27T17:00:00+01:00"),
    ("over-dst-weekend", "office", "2026-03-23T09:00+01:00", "41h", "2026-03-30T10:00:00+02:00"),
    ("30-days-of-24h", "office", "2026-03-02T09:00+01:00", "720h", "2026-07-03T17:00:00+02:00"),
    # lunch breaks: 09:00-12:30, 13:30-17:00
    ("over-lunch", "lunch", "2026-03-03T12:00+01:00", "1h", "2026-03-03T14:00:00+01:00"),
    ("at-lunch-start", "lunch", "2026-03-03T12:30+01:00", "1m", "2026-03-03T13:31:00+01:00"),
    ("in-lunch", "lunch", "2026-03-03T13:00+01:00", "3h30m", "2026-03-03T17:00:00+01:00"),
    ("lunch-next-day", "lunch", "2026-03-03T16:00+01:00", "4h", "2026-03-04T12:00:00+01:00"),
    # periods crossing midnight: 22:00-06:00
    ("night-over-midnight", "night", "2026-03-02T23:00+01:00", "2h", "2026-03-03T01:00:00+01:00"),
    ("night-to-evening", "night", "2026-03-03T05:00+01:00", "2h", "2026-03-03T23:00:00+01:00"),
    ("night-from-noon", "night", "2026-03-03T12:00+01:00", "8h", "2026-03-04T06:00:00+01:00"),
    (
        "monday-night-tue",
        "monday-night",
        "2026-03-03T02:00+01:00",
        "1h",
        "2026-03-03T03:00:00+01:00",
    ),
    # a closed start date closes the period's hours after midnight; the next date does not
    (
        "closed-start-date",
        "monday-night-closed-0302",
        "2026-03-03T02:00+01:00",
        "1h",
        "2026-03-09T23:00:00+01:00",
    ),
    (
        "closed-next-date",
        "monday-night-closed-0303",
        "2026-03-03T02:00+01:00",
        "1h",
        "2026-03-03T03:00:00+01:00",
    ),
    # DST, Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET
    ("berlin-spring-1h", "berlin-1-3", "2026-03-29T01:00+01:00", "1h", "2026-03-29T03:00:00+02:00"),
    (
        "berlin-spring-over",
        "berlin-1-3",
        "2026-03-29T01:00+01:00",
        "1h1m",
        "2026-03-30T01:01:00+02:00",
    ),
    (
        "berlin-fall-repeat",
        "berlin-1-3",
        "2026-10-25T01:00+02:00",
        "2h30m",
        "2026-10-25T02:30:00+01:00",
    ),
    ("berlin-fall-3h", "berlin-1-3", "2026-10-25T01:00+02:00", "3h", "2026-10-25T03:00:00+01:00"),
    (
        "berlin-fall-over",
        "berlin-1-3",
        "2026-10-25T01:00+02:00",
        "3h1m",
        "2026-10-26T01:01:00+01:00",
    ),
    (
        "berlin-skipped-period",
        "berlin-2-230",
        "2026-03-28T02:30+01:00",
        "1m",
        "2026-03-30T02:01:00+02:00",
    ),
    (
        "berlin-repeated-first",
        "berlin-2-230",
        "2026-10-25T00:00+02:00",
        "30m",
        "2026-10-25T02:30:00+02:00",
    ),
    (
        "berlin-24h-spring",
        "berlin-24h",
        "2026-03-29T00:00+01:00",
        "23h",
        "2026-03-30T00:00:00+02:00",
    ),
    # DST, America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST
    ("ny-spring", "newyork-1-3", "2026-03-08T01:30-05:00", "30m", "2026-03-08T03:00:00-04:00"),
    ("ny-spring-over", "newyork-1-3", "2026-03-08T01:30-05:00", "31m", "2026-03-09T01:01:00-04:00"),
    (
        "ny-fall-repeat",
        "newyork-1-3",
        "2026-11-01T01:00-04:00",
        "1h30m",
        "2026-11-01T01:30:00-05:00",
    ),
    ("ny-fall-3h", "newyork-1-3", "2026-11-01T01:00-04:00", "3h", "2026-11-01T03:00:00-05:00"),
    ("ny-24h-fall", "newyork-24h", "2026-11-01T00:00-04:00", "25h", "2026-11-02T00:00:00-05:00"),
    # holidays: Bavaria has Epiphany (Jan 6), Berlin does not; Easter Friday and Monday
    ("bavaria-epiphany", "bavaria", "2026-01-05T16:30+01:00", "1h", "2026-01-07T09:30:00+01:00"),
    (
        "berlin-no-epiphany",
        "berlin-state",
        "2026-01-05T16:30+01:00",
        "1h",
        "2026-01-06T09:30:00+01:00",
    ),
    ("bavaria-easter", "bavaria", "2026-04-02T16:30+02:00", "1h", "2026-04-07T09:30:00+02:00"),
    # a holiday on a weekend: the US observes Sat 2026-07-04 on Fri 07-03; Germany moves nothing
    ("us-july-4-observed", "us", "2026-07-02T16:30-04:00", "1h", "2026-07-06T09:30:00-04:00"),
    ("us-thanksgiving", "us", "2026-11-25T16:30-05:00", "1h", "2026-11-27T09:30:00-05:00"),
    ("de-christmas-sat", "bavaria", "2027-12-24T16:30+01:00", "1h", "2027-12-27T09:30:00+01:00"),
    # custom closed and extra-open dates (an open date wins over the weekend and a holiday)
    (
        "closed-monday",
        "office-closed-0309",
        "2026-03-06T16:30+01:00",
        "1h",
        "2026-03-10T09:30:00+01:00",
    ),
    (
        "open-saturday",
        "office-open-sat-0307",
        "2026-03-06T16:30+01:00",
        "1h",
        "2026-03-07T10:30:00+01:00",
    ),
    (
        "open-on-holiday",
        "bavaria-open-0106",
        "2026-01-05T16:30+01:00",
        "1h",
        "2026-01-06T09:30:00+01:00",
    ),
]


@pytest.mark.parametrize(
    ("calendar", "start", "target", "due"), [c[1:] for c in ADD], ids=[c[0] for c in ADD]
)
def test_add(calendar: str, start: str, target: str, due: str) -> None:
    business = CALENDARS[calendar]
    duration = parse_duration(target, days=False)
    result = business.add(at(start), duration)
    assert result.isoformat() == due
    assert result.tzinfo is business.timezone
    assert business.between(at(start), result) == duration


def test_the_table_is_big_enough() -> None:
    assert len(ADD) >= 40
    assert len({c[0] for c in ADD}) == len(ADD)


def test_adding_twice_is_adding_the_sum() -> None:
    business = CALENDARS["lunch"]
    start = at("2026-03-06T11:00+01:00")
    for first in (timedelta(minutes=m) for m in (0, 30, 90, 330, 500)):
        rest = timedelta(hours=9) - first
        assert business.add(business.add(start, first), rest) == business.add(start, first + rest)
