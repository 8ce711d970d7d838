"""Business calendars: when a team is open, and business-time arithmetic for SLA clocks.

A :class:`Calendar` has an IANA timezone, several working periods per weekday (lunch breaks;
a period may cross midnight), public holidays from the ``holidays`` package by country and
subdivision (observed days as the package gives them, e.g. US Independence Day on a Saturday is
observed on the Friday), custom closed dates, custom extra-open dates, and closures imported from
iCal files. ``add(start, duration)`` is the due time, ``between(a, b)`` the business time,
``is_open(t)`` and ``next_open(t)`` what their names say; they take aware datetimes and walk
period by period. Rules: periods in :mod:`~hotline.calendars.week`, DST in
:mod:`~hotline.calendars.wallclock`, iCal in :mod:`~hotline.calendars.ical`, arithmetic in
:mod:`~hotline.calendars.calendar`.

A calendar file (TOML, or the same keys in JSON with a ``.json`` name)::

    timezone = "Europe/Berlin"
    country = "DE"                      # public holidays (optional)
    subdivision = "BY"                  # state/region of the country (optional)
    closed = [2026-12-24, 2026-12-31]   # closed dates besides the holidays
    ical = "closures.ics"               # or a list; relative to this file

    [week]                              # a day not named is closed
    mon = ["09:00-12:30", "13:30-17:00"]
    tue = ["09:00-12:30", "13:30-17:00"]
    fri = ["09:00-15:00", "22:00-02:00"]  # the second period ends Saturday 02:00

    [open]                              # extra-open dates: these periods instead of the day's
    2026-12-27 = ["10:00-14:00"]        # (holidays and closed dates ignored that date)
"""

from hotline.calendars.calendar import Calendar
from hotline.calendars.week import CalendarError, Period, parse_period, parse_week

__all__ = ["Calendar", "CalendarError", "Period", "parse_period", "parse_week"]
