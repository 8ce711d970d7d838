"""Calendar files (TOML and JSON) and the iCal closures they import: read into the same
calendar, closing what they say; a bad file is a CalendarError that names the problem."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hotline.calendars import CalendarError
from hotline.calendars.durations import parse_duration
from hotline.calendars.files import load_calendar
from tests.unit.calendars.samples import at

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//hotline tests//EN
BEGIN:VEVENT
UID:inventory
SUMMARY:Inventory (all day, two days)
DTSTART;VALUE=DATE:20260309
DTEND;VALUE=DATE:20260311
END:VEVENT
BEGIN:VEVENT
UID:meeting
SUMMARY:Staff meeting
DTSTART;TZID=Europe/Berlin:20260312T100000
DTEND;TZID=Europe/Berlin:20260312T120000
END:VEVENT
BEGIN:VEVENT
UID:drill
SUMMARY:Fire drill (UTC)
DTSTART:20260313T080000Z
DURATION:PT1H
END:VEVENT
BEGIN:VEVENT
UID:training
SUMMARY:Training (floating time)
DTSTART:20260316T090000
DTEND:20260316T170000
END:VEVENT
BEGIN:VEVENT
UID:called-off
SUMMARY:Called off
STATUS:CANCELLED
DTSTART;VALUE=DATE:20260317
END:VEVENT
END:VCALENDAR
"""

TOML = """
timezone = "Europe/Berlin"
country = "DE"
subdivision = "BY"
closed = [2026-12-23]
ical = "closures.ics"

[week]
mon = ["09:00-12:30", "13:30-17:00"]
tue = ["09:00-12:30", "13:30-17:00"]
wed = ["09:00-12:30", "13:30-17:00"]
thu = ["09:00-12:30", "13:30-17:00"]
fri = ["09:00-12:30", "13:30-17:00"]

[open]
2026-12-27 = ["10:00-14:00"]
"""

# (case, start, duration, due) on the TOML calendar above with its iCal closures
CASES = [
    ("all-day-event", "2026-03-06T16:30+01:00", "1h", "2026-03-11T09:30:00+01:00"),
    ("timed-event-tzid", "2026-03-12T09:30+01:00", "1h", "2026-03-12T12:30:00+01:00"),
    ("timed-event-utc", "2026-03-13T08:00+01:00", "1h", "2026-03-13T11:00:00+01:00"),
    ("floating-and-cancelled", "2026-03-13T16:30+01:00", "1h", "2026-03-17T09:30:00+01:00"),
    ("closed-date", "2026-12-22T16:30+01:00", "1h", "2026-12-24T09:30:00+01:00"),
    ("holidays-then-open-date", "2026-12-24T16:30+01:00", "1h", "2026-12-27T10:30:00+01:00"),
    ("bavarian-holiday", "2026-01-05T16:30+01:00", "1h", "2026-01-07T09:30:00+01:00"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["toml", "json"])
def calendar_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    write(tmp_path, "closures.ics", ICS)
    toml = write(tmp_path, "team.toml", TOML)
    if request.param == "toml":
        return toml
    import tomllib

    doc = tomllib.loads(TOML)
    doc["closed"] = [d.isoformat() for d in doc["closed"]]
    return write(tmp_path, "team.json", json.dumps(doc))


@pytest.mark.parametrize(
    ("start", "target", "due"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_file_calendars(calendar_file: Path, start: str, target: str, due: str) -> None:
    business = load_calendar(calendar_file)
    assert business.add(at(start), parse_duration(target, days=False)).isoformat() == due


def test_a_repeating_event_closes_each_week_up_to_the_horizon(tmp_path: Path) -> None:
    weekly = ICS.replace("UID:meeting\n", "UID:meeting\nRRULE:FREQ=WEEKLY\n")
    write(tmp_path, "closures.ics", weekly)
    business = load_calendar(write(tmp_path, "team.toml", TOML), today=date(2026, 3, 1))
    hour = parse_duration("1h", days=False)
    week_later = business.add(at("2026-03-19T09:30+01:00"), hour)
    assert week_later.isoformat() == "2026-03-19T12:30:00+01:00"
    last = business.add(at("2036-02-28T09:30+01:00"), hour)  # the horizon: 2036-03-01
    after = business.add(at("2036-03-06T09:30+01:00"), hour)
    assert (last.isoformat(), after.isoformat()) == (
        "2036-02-28T12:30:00+01:00",
        "2036-03-06T10:30:00+01:00",
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("Europe/Berlin", "Europe/Nowhere"), "not an IANA timezone"),
        (('country = "DE"', 'country = "ZZ"'), "holidays of country 'ZZ'"),
        (('subdivision = "BY"', 'subdivision = "XX"'), "does not have subdivision XX"),
        (('country = "DE"\n', ""), "subdivision without country"),
        (("closures.ics", "missing.ics"), "cannot read iCal file"),
        (("mon = ", "monday = "), "unknown day 'monday'"),
        (("timezone =", "opening = 1\ntimezone ="), "unknown field"),
        (('["10:00-14:00"]', '["10:00-24:30"]'), "not a time of day"),
        (("closed = [2026-12-23]", "closed = [2026-13-23]"), "team.toml"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, change: tuple[str, str], error: str) -> None:
    write(tmp_path, "closures.ics", ICS)
    path = write(tmp_path, "team.toml", TOML.replace(*change))
    with pytest.raises(CalendarError, match=error):
        load_calendar(path)


def test_a_missing_file_and_a_bad_ical_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="cannot read calendar file"):
        load_calendar(tmp_path / "none.toml")
    write(tmp_path, "closures.ics", "not a calendar")
    with pytest.raises(CalendarError, match="not an iCalendar file"):
        load_calendar(write(tmp_path, "team.toml", TOML))
