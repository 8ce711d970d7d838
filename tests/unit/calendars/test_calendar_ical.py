"""iCal closures (``hotline.calendars.ical``), table-tested on iCalendar text: each case is one
VEVENT (or a series with its changed occurrences) and the dates and UTC hours it closes on a
calendar of the given timezone; bad files are CalendarErrors naming the problem."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.calendars.ical import MAX_OCCURRENCES, horizon, read_ical
from hotline.calendars.week import CalendarError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UNTIL = date(2029, 1, 1)

OUTLOOK_ZONE = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
"""


def ics(*events: str, zones: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    head = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//hotline tests//EN\n"
    text = f"{head}{zones}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def days(*texts: str) -> set[date]:
    return {date.fromisoformat(t) for t in texts}


# (case, events, calendar timezone, closed dates, closed UTC spans)
CASES: list[tuple[str, list[str], ZoneInfo, set[date], list[tuple[str, str]]]] = [
    (
        "all-day-no-dtend",
        ["UID:a\nSUMMARY:Founders day\nDTSTART;VALUE=DATE:20260605"],
        BERLIN,
        days("2026-06-05"),
        [],
    ),
    (
        "multi-day-dtend-exclusive",
        ["UID:b\nDTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261228"],
        BERLIN,
        days("2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27"),
        [],
    ),
    (
        "all-day-by-duration",
        ["UID:c\nDTSTART;VALUE=DATE:20260302\nDURATION:P2D"],
        BERLIN,
        days("2026-03-02", "2026-03-03"),
        [],
    ),
    (
        "yearly-open-ended-to-the-horizon",
        ["UID:d\nSUMMARY:Inventory\nDTSTART;VALUE=DATE:20251231\nRRULE:FREQ=YEARLY"],
        BERLIN,
        days("2025-12-31", "2026-12-31", "2027-12-31", "2028-12-31"),
        [],
    ),
    (
        "yearly-count-with-exdate",
        [
            "UID:e\nDTSTART;VALUE=DATE:20260501\nDTEND;VALUE=DATE:20260503\n"
            "RRULE:FREQ=YEARLY;COUNT=3\nEXDATE;VALUE=DATE:20270501"
        ],
        BERLIN,
        days("2026-05-01", "2026-05-02", "2028-05-01", "2028-05-02"),
        [],
    ),
    (
        "yearly-by-rule-thanksgiving",
        ["UID:f\nDTSTART;VALUE=DATE:20261126\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=2"],
        NEW_YORK,
        days("2026-11-26", "2027-11-25"),
        [],
    ),
    (
        "rdate-extra-dates",
        ["UID:g\nDTSTART;VALUE=DATE:20260102\nRDATE;VALUE=DATE:20260320,20260710"],
        BERLIN,
        days("2026-01-02", "2026-03-20", "2026-07-10"),
        [],
    ),
    (
        "timed-tzid",
        [
            "UID:h\nDTSTART;TZID=Europe/Berlin:20260312T100000\nDTEND;TZID=Europe/Berlin:20260312T120000"
        ],
        NEW_YORK,
        set(),
        [("2026-03-12T09:00", "2026-03-12T11:00")],
    ),
    (
        "timed-utc-with-duration",
        ["UID:i\nDTSTART:20260313T080000Z\nDURATION:PT90M"],
        BERLIN,
        set(),
        [("2026-03-13T08:00", "2026-03-13T09:30")],
    ),
    (
        "timed-floating-on-the-calendar-clock",
        ["UID:j\nDTSTART:20260316T090000\nDTEND:20260316T170000"],
        NEW_YORK,
        set(),
        [("2026-03-16T13:00", "2026-03-16T21:00")],
    ),
    (
        "weekly-across-spring-forward",
        [
            "UID:k\nSUMMARY:Staff meeting\nDTSTART;TZID=Europe/Berlin:20260324T100000\n"
            "DTEND;TZID=Europe/Berlin:20260324T110000\nRRULE:FREQ=WEEKLY;COUNT=2"
        ],
        NEW_YORK,
        set(),
        [("2026-03-24T09:00", "2026-03-24T10:00"), ("2026-03-31T08:00", "2026-03-31T09:00")],
    ),
    (
        "outlook-vtimezone-across-fall-back",
        [
            "UID:l\nDTSTART;TZID=W. Europe Standard Time:20261020T140000\n"
            "DTEND;TZID=W. Europe Standard Time:20261020T150000\nRRULE:FREQ=WEEKLY;COUNT=2"
        ],
        BERLIN,
        set(),
        [("2026-10-20T12:00", "2026-10-20T13:00"), ("2026-10-27T13:00", "2026-10-27T14:00")],
    ),
    (
        "changed-and-cancelled-occurrences",
        [
            "UID:m\nDTSTART:20260105T120000Z\nDTEND:20260105T130000Z\nRRULE:FREQ=WEEKLY;COUNT=3",
            "UID:m\nRECURRENCE-ID:20260112T120000Z\nDTSTART:20260112T150000Z\nDTEND:20260112T160000Z",
            "UID:m\nRECURRENCE-ID:20260119T120000Z\nSTATUS:CANCELLED\n"
            "DTSTART:20260119T120000Z\nDTEND:20260119T130000Z",
        ],
        BERLIN,
        set(),
        [("2026-01-05T12:00", "2026-01-05T13:00"), ("2026-01-12T15:00", "2026-01-12T16:00")],
    ),
    (
        "cancelled-event",
        ["UID:n\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20260317"],
        BERLIN,
        set(),
        [],
    ),
]


@pytest.mark.parametrize(
    ("events", "tz", "dates", "spans"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_events_close_their_dates_and_hours(
    events: list[str], tz: ZoneInfo, dates: set[date], spans: list[tuple[str, str]]
) -> None:
    zones = OUTLOOK_ZONE if any("W. Europe" in e for e in events) else ""
    found = read_ical(ics(*events, zones=zones), tz, until=UNTIL)
    assert found.dates == dates
    assert sorted(found.spans) == [(utc(a), utc(b)) for a, b in spans]


BAD = [
    ("not-a-calendar", b"hello", "not an iCalendar file"),
    ("no-dtstart", ics("UID:x\nSUMMARY:Nothing"), "'Nothing' has no DTSTART"),
    ("hourly", ics("UID:x\nDTSTART:20260101T000000Z\nRRULE:FREQ=HOURLY"), "daily at most"),
    (
        "too-many",
        ics("UID:x\nDTSTART;VALUE=DATE:19900101\nRRULE:FREQ=DAILY"),
        f"more than {MAX_OCCURRENCES}",
    ),
]


@pytest.mark.parametrize(("data", "error"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_files_are_refused(data: bytes, error: str) -> None:
    with pytest.raises(CalendarError, match=error):
        read_ical(data, BERLIN, until=UNTIL)


@pytest.mark.parametrize(
    ("today", "until"),
    [(date(2026, 12, 7), date(2036, 12, 7)), (date(2028, 2, 29), date(2038, 2, 28))],
)
def test_the_horizon_is_ten_years(today: date, until: date) -> None:
    assert horizon(today) == until
