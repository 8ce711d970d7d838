"""When a snooze ends: the presets the page offers, in the agent's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Preset = Literal["1h", "tomorrow", "next_week"]
PRESETS: tuple[Preset, ...] = ("1h", "tomorrow", "next_week")
MORNING = time(9, 0)
LONGEST = timedelta(days=366)


class BadSnooze(ValueError):
    pass


def zone(name: str | None) -> ZoneInfo:
    """The agent's browser time zone (IANA name); UTC when not given."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise BadSnooze(f"unknown time zone {name!r}") from None


def preset_until(preset: str, now: datetime, tz: ZoneInfo) -> datetime:
    """1 h from now; tomorrow 9:00; next Monday 9:00 (local time, returned in UTC)."""
    if preset == "1h":
        return now + timedelta(hours=1)
    local = now.astimezone(tz).date()
    if preset == "tomorrow":
        day = local + timedelta(days=1)
    elif preset == "next_week":
        day = local + timedelta(days=7 - local.weekday())
    else:
        raise BadSnooze(f"unknown preset {preset!r}; one of {', '.join(PRESETS)}")
    return datetime.combine(day, MORNING, tz).astimezone(UTC)


def local_until(value: str, tz: ZoneInfo) -> datetime:
    """A ``datetime-local`` input's value ("2026-12-24T09:30"), in the agent's zone, as UTC;
    a value with its own offset keeps it."""
    try:
        given = datetime.fromisoformat(value)
    except ValueError:
        raise BadSnooze(f"{value!r} is not a date and time") from None
    if given.tzinfo is None:
        given = given.replace(tzinfo=tz)
    return given.astimezone(UTC)


def check_until(until: datetime, now: datetime) -> datetime:
    if until.tzinfo is None:
        raise BadSnooze("a snooze time needs a time zone")
    if until <= now:
        raise BadSnooze("a snooze must end in the future")
    if until - now > LONGEST:
        raise BadSnooze("a snooze ends within a year")
    return until.astimezone(UTC)
