"""The calendars of the business-time tables, built in code (files have their own tests)."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime
from zoneinfo import ZoneInfo

from holidays import country_holidays

from hotline.calendars import Calendar, Period, parse_week
from hotline.calendars.week import parse_periods

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # DST moves its clocks by half an hour
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WORKDAYS, "sat", "sun")


def week(days: tuple[str, ...], *periods: str) -> dict[str, list[str]]:
    return {day: list(periods) for day in days}


def office(
    tz: ZoneInfo = BERLIN,
    *,
    holidays: Container[date] = frozenset(),
    closed_dates: Container[date] = frozenset(),
    open_dates: dict[date, tuple[Period, ...]] | None = None,
) -> Calendar:
    """Monday to Friday 09:00-17:00."""
    return Calendar(
        tz,
        parse_week(week(WORKDAYS, "09:00-17:00")),
        holidays=holidays,
        closed_dates=closed_dates,
        open_dates=open_dates,
    )


def opened(day: str, *periods: str) -> dict[date, tuple[Period, ...]]:
    return {date.fromisoformat(day): parse_periods(list(periods), day)}


CALENDARS: dict[str, Calendar] = {
    "office": office(),
    "lunch": Calendar(BERLIN, parse_week(week(WORKDAYS, "09:00-12:30", "13:30-17:00"))),
    "night": Calendar(BERLIN, parse_week(week(ALL_DAYS, "22:00-06:00"))),
    "monday-night": Calendar(BERLIN, parse_week({"mon": ["22:00-06:00"]})),
    "monday-night-closed-0302": Calendar(
        BERLIN, parse_week({"mon": ["22:00-06:00"]}), closed_dates={date(2026, 3, 2)}
    ),
    "monday-night-closed-0303": Calendar(
        BERLIN, parse_week({"mon": ["22:00-06:00"]}), closed_dates={date(2026, 3, 3)}
    ),
    "berlin-1-3": Calendar(BERLIN, parse_week(week(ALL_DAYS, "01:00-03:00"))),
    "berlin-2-230": Calendar(BERLIN, parse_week(week(ALL_DAYS, "02:00-02:30"))),
    "berlin-24h": Calendar(BERLIN, parse_week(week(ALL_DAYS, "00:00-24:00"))),
    "newyork-1-3": Calendar(NEW_YORK, parse_week(week(ALL_DAYS, "01:00-03:00"))),
    "newyork-24h": Calendar(NEW_YORK, parse_week(week(ALL_DAYS, "00:00-24:00"))),
    "lord-howe-1-3": Calendar(LORD_HOWE, parse_week(week(ALL_DAYS, "01:00-03:00"))),
    "lord-howe-215": Calendar(LORD_HOWE, parse_week(week(ALL_DAYS, "02:15-03:00"))),
    "bavaria": office(holidays=country_holidays("DE", subdiv="BY")),
    "berlin-state": office(holidays=country_holidays("DE", subdiv="BE")),
    "us": office(NEW_YORK, holidays=country_holidays("US")),
    "office-closed-0309": office(closed_dates={date(2026, 3, 9)}),
    "office-open-sat-0307": office(open_dates=opened("2026-03-07", "10:00-14:00")),
    "bavaria-open-0106": office(
        holidays=country_holidays("DE", subdiv="BY"),
        open_dates=opened("2026-01-06", "09:00-12:00"),
    ),
}


def at(text: str) -> datetime:
    """An instant written with its offset (ISO 8601): the tables say exactly which one."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment
