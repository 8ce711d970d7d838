"""Business-time arithmetic on a calendar: open spans walked period by period, never by minute.

Business time is the elapsed real time inside open spans. A day's open spans are its periods
(by the rule of :mod:`hotline.calendars.week`) as UTC instants (by the DST rule of
:mod:`hotline.calendars.wallclock`), less the timed closures; a day's periods are its extra-open
date's if it has one, else none on a holiday or closed date, else its weekday's.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Container, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.calendars.wallclock import instant
from hotline.calendars.week import CalendarError, Period

Span = tuple[datetime, datetime]  # [start, end) in UTC
ZERO = timedelta(0)
CLOSED_LIMIT = 3 * 366  # days without an open span: the calendar is never open again
_CACHED_DAYS = 4096


class Calendar:
    """A timezone, the week's periods, closed and extra-open dates, and timed closures."""

    def __init__(
        self,
        timezone: ZoneInfo,
        week: tuple[tuple[Period, ...], ...],
        *,
        holidays: Container[date] = frozenset(),
        closed_dates: Container[date] = frozenset(),
        open_dates: Mapping[date, tuple[Period, ...]] | None = None,
        closed_spans: list[Span] | None = None,
    ) -> None:
        if len(week) != 7:
            raise CalendarError("a week has seven days of periods, Monday first")
        self.timezone = timezone
        self.week = week
        self.holidays = holidays
        self.closed_dates = closed_dates
        self.open_dates = dict(open_dates or {})
        self.closed_spans = _merged(closed_spans or [])
        self._closure_ends = [end for _, end in self.closed_spans]
        self._days: dict[date, tuple[Span, ...]] = {}

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The periods that start on ``day`` (before timed closures)."""
        if day in self.open_dates:
            return self.open_dates[day]
        if day in self.closed_dates or day in self.holidays:
            return ()
        return self.week[day.weekday()]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of business time after ``start``, in the calendar's timezone.
        A zero duration is ``start`` itself, open or not; a due time that uses up a period
        exactly is that period's end (Fri 16:00 + 1 h on 09:00-17:00 is Fri 17:00)."""
        _check_aware(start)
        if duration < ZERO:
            raise CalendarError("a negative duration has no due time")
        if duration == ZERO:
            return start.astimezone(self.timezone)
        left = duration
        for begin, end in self.spans(start):
            if end - begin >= left:
                return (begin + left).astimezone(self.timezone)
            left -= end - begin
        raise AssertionError("spans() ends only by raising")  # pragma: no cover

    def between(self, a: datetime, b: datetime) -> timedelta:
        """The business time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        _check_aware(a)
        _check_aware(b)
        if b < a:
            return -self.between(b, a)
        total = ZERO
        for begin, end in self.spans(a, until=b):
            total += min(end, b) - begin
        return total

    def is_open(self, t: datetime) -> bool:
        _check_aware(t)
        return self.next_open(t) == t

    def next_open(self, t: datetime) -> datetime:
        """``t`` when the calendar is open then, else the start of its next open span."""
        _check_aware(t)
        begin, _ = next(self.spans(t))
        return t if begin == t.astimezone(UTC) else begin.astimezone(self.timezone)

    def spans(self, t: datetime, until: datetime | None = None) -> Iterator[Span]:
        """The open spans after ``t`` in time order, the first clipped to start at ``t``; up to
        ``until`` when given, else without end (CalendarError after CLOSED_LIMIT closed days).
        Periods start on their own date, so none after ``until``'s date can start before it."""
        cursor = t.astimezone(UTC)
        day = t.astimezone(self.timezone).date() - timedelta(days=1)  # its periods may cross
        last = None if until is None else until.astimezone(self.timezone).date()
        closed_days = 0
        while last is None or day <= last:
            found = False
            for period_begin, end in self._day_spans(day):
                begin = max(period_begin, cursor)  # overlaps from the day before count once
                if until is not None and begin >= until:
                    return
                if end > begin:
                    found, cursor = True, end
                    yield begin, end
            closed_days = 0 if found else closed_days + 1
            if closed_days > CLOSED_LIMIT and until is None:
                raise CalendarError(f"the calendar is closed for {CLOSED_LIMIT} days after {t}")
            day += timedelta(days=1)

    def _day_spans(self, day: date) -> tuple[Span, ...]:
        spans = self._days.get(day)
        if spans is None:
            if len(self._days) >= _CACHED_DAYS:
                self._days.clear()
            spans = self._days[day] = tuple(self._open_spans(day))
        return spans

    def _open_spans(self, day: date) -> Iterator[Span]:
        for period in self.periods_on(day):
            begin = instant(day, period.start, self.timezone)
            yield from self._less_closures(begin, instant(day, period.end, self.timezone))

    def _less_closures(self, begin: datetime, end: datetime) -> Iterator[Span]:
        index = bisect_right(self._closure_ends, begin)
        for c_begin, c_end in self.closed_spans[index:]:
            if c_begin >= end:
                break
            if c_begin > begin:
                yield begin, c_begin
            begin = max(begin, c_end)
        if end > begin:
            yield begin, end


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for begin, end in sorted((b.astimezone(UTC), e.astimezone(UTC)) for b, e in spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > begin:
            merged.append((begin, end))
    return merged


def _check_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise CalendarError(f"{t} has no timezone: business time needs an aware datetime")
