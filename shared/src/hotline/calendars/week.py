"""Working periods: ``"09:00-12:30"`` on a weekday or a date; several a day (lunch breaks).

A period belongs to the date it starts on. Its end at or before its start means it ends on the
next day (``"22:00-06:00"``); ``"24:00"`` is the next midnight (``"00:00-24:00"``, all day).
When the date a period starts on is closed (a holiday, a closed date) the whole period is
closed, its hours after midnight too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 1440  # minutes
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """A calendar that cannot be built, or arithmetic it cannot do (a message for people)."""


@dataclass(frozen=True, order=True)
class Period:
    """Minutes after the start date's midnight; ``end`` may pass 1440 (the next day)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end % DAY if self.end > DAY else self.end)}"


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text)
    if match is None:
        raise CalendarError(f"period {text!r}: write it as HH:MM-HH:MM, e.g. 09:00-17:00")
    sh, sm, eh, em = (int(g) for g in match.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em):
        raise CalendarError(f"period {text!r}: not a time of day")
    start, end = sh * 60 + sm, eh * 60 + em
    return Period(start, end if end > start else end + DAY)


def parse_periods(texts: list[str], where: str) -> tuple[Period, ...]:
    """The periods of one day, in order; overlapping ones are refused."""
    periods = sorted(parse_period(t) for t in texts)
    for before, after in pairwise(periods):
        if after.start < before.end:
            raise CalendarError(f"{where}: periods {before} and {after} overlap")
    return tuple(periods)


def parse_week(week: dict[str, list[str]]) -> tuple[tuple[Period, ...], ...]:
    """Seven days of periods, Monday first; a day not named is closed."""
    unknown = sorted(set(week) - set(WEEKDAYS))
    if unknown:
        raise CalendarError(f"week: unknown day {unknown[0]!r} (use {', '.join(WEEKDAYS)})")
    return tuple(parse_periods(week.get(day, []), f"week.{day}") for day in WEEKDAYS)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
