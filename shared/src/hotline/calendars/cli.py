"""``hotline sla``: due times and business time on a calendar file, without a broker."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer

from hotline.calendars.calendar import Calendar
from hotline.calendars.durations import format_duration, parse_duration
from hotline.calendars.wallclock import local_time
from hotline.calendars.week import CalendarError

app = typer.Typer(
    help="SLA clocks: due times and business time on a business calendar file.",
    no_args_is_help=True,
)
CalendarOption = Annotated[
    Path, typer.Option("--calendar", help="calendar file (.toml or .json), see README")
]
_STAMP = "ISO 8601 (e.g. 2026-03-06T16:30+01:00); without an offset, the calendar's wall clock"


@app.command()
def due(
    calendar: CalendarOption,
    start: Annotated[str, typer.Option("--from", help=f"when the clock starts: {_STAMP}")],
    target: Annotated[str, typer.Option(help="business time: 8h, 30m, 1h30m, 90s")],
    calendar_time: Annotated[
        bool, typer.Option("--calendar-time", help="count elapsed time, not business time; d = 24h")
    ] = False,
) -> None:
    """Print the due time of a target started at --from: in the calendar's timezone, then UTC."""
    try:
        business = _load(calendar)
        begin = _timestamp(start, business.timezone)
        duration = parse_duration(target, days=calendar_time)
        when = begin + duration if calendar_time else business.add(begin, duration)
    except CalendarError as exc:
        _fail(exc)
    typer.echo(f"{when.astimezone(business.timezone).isoformat()} {business.timezone.key}")
    typer.echo(f"{when.astimezone(UTC).isoformat()} UTC")


@app.command()
def between(
    calendar: CalendarOption,
    a: Annotated[str, typer.Argument(help=f"from: {_STAMP}")],
    b: Annotated[str, typer.Argument(help="to, same form; before A gives a negative time")],
) -> None:
    """Print the business time from A to B, e.g. ``9h30m``, then the same in seconds."""
    try:
        business = _load(calendar)
        span = business.between(_timestamp(a, business.timezone), _timestamp(b, business.timezone))
    except CalendarError as exc:
        _fail(exc)
    typer.echo(f"{format_duration(span)} ({int(span.total_seconds())} s)")


def _load(path: Path) -> Calendar:
    from hotline.calendars.files import load_calendar  # holidays and icalendar: only when used

    return load_calendar(path)


def _timestamp(text: str, tz: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CalendarError(f"timestamp {text!r}: write {_STAMP}") from exc
    return local_time(parsed, tz)


def _fail(exc: CalendarError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)
