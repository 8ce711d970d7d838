"""Calendar files: TOML (``.toml``) or JSON (``.json``), one calendar each (format: package
docstring of :mod:`hotline.calendars`)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Container
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import msgspec

from hotline.calendars.calendar import Calendar
from hotline.calendars.ical import Closures, horizon, read_ical
from hotline.calendars.week import CalendarError, parse_periods, parse_week


class CalendarFile(msgspec.Struct, forbid_unknown_fields=True):
    timezone: str
    week: dict[str, list[str]]
    country: str | None = None
    subdivision: str | None = None
    closed: list[date] = []
    open: dict[date, list[str]] = {}
    ical: str | list[str] = []


def load_calendar(path: Path, today: date | None = None) -> Calendar:
    """The calendar of a file; CalendarError names what is wrong in it. Repeating iCal events
    are expanded up to ``horizon(today)`` (today: the local date)."""
    until = horizon(today or date.today())
    spec = _read(path)
    tz = _zone(spec.timezone)
    closures = Closures()
    for name in [spec.ical] if isinstance(spec.ical, str) else spec.ical:
        ics = path.parent / name
        try:
            found = read_ical(ics.read_bytes(), tz, str(ics), until=until)
        except OSError as exc:
            raise CalendarError(f"{path}: cannot read iCal file {ics} ({exc.strerror})") from exc
        closures.dates |= found.dates
        closures.spans += found.spans
    return calendar_of(spec, closures)


def calendar_of(spec: CalendarFile, closures: Closures | None = None) -> Calendar:
    """The calendar of a spec (a file's keys; ``closures``: its iCal files' closures)."""
    closures = closures or Closures()
    tz = _zone(spec.timezone)
    return Calendar(
        tz,
        parse_week(spec.week),
        holidays=_holidays(spec.country, spec.subdivision),
        closed_dates=frozenset(spec.closed) | closures.dates,
        open_dates={d: parse_periods(p, f"open.{d}") for d, p in spec.open.items()},
        closed_spans=closures.spans,
    )


def spec_of(raw: Any, where: str = "calendar") -> CalendarFile:
    """A calendar spec from decoded JSON/TOML, checked: the calendar it gives is built once."""
    try:
        spec = msgspec.convert(raw, CalendarFile)
    except msgspec.ValidationError as exc:
        raise CalendarError(f"{where}: {exc}") from exc
    calendar_of(spec)
    return spec


def _read(path: Path) -> CalendarFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"cannot read calendar file {path} ({exc.strerror})") from exc
    try:
        raw: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        return msgspec.convert(raw, CalendarFile)
    except (ValueError, msgspec.ValidationError) as exc:  # JSON/TOML errors are ValueErrors
        raise CalendarError(f"{path}: {exc}") from exc


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(
            f"timezone {name!r}: not an IANA timezone (e.g. Europe/Berlin)"
        ) from exc


def _holidays(country: str | None, subdivision: str | None) -> Container[date]:
    if country is None:
        if subdivision is not None:
            raise CalendarError("subdivision without country: give both, e.g. DE and BY")
        return frozenset()
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise CalendarError(f"holidays of country {country!r}: {exc}") from exc
