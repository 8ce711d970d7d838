"""A stored calendar's iCal import: an admin sends an iCalendar file (RFC 5545) and its events
close the calendar as in a calendar file (:mod:`hotline.calendars.ical`: all-day events their
dates, timed ones their hours, repeating ones each occurrence up to ten years after the import).
The file is kept as sent and the closures read from it beside the calendar's spec, so the clocks
never parse it; a new import replaces the previous one. A bad file is a 422 and nothing
changed; a calendar whose timezone changes re-reads its file (floating times are its clock)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.ical import Closures, horizon, read_ical
from hotline.calendars.week import CalendarError
from unifier.service.commands import CommandError
from unifier.store import sla_config_rows as rows

MAX_ICAL_BYTES = 1_048_576


def closures_of(data: bytes, timezone: str, name: str, today: date) -> Closures:
    """The closures of an iCal file on a calendar of ``timezone`` (422 names what is wrong)."""
    if not data.strip():
        raise CommandError(400, "empty_ical", "send the iCalendar file as the request body")
    try:
        data.decode("utf-8")
        return read_ical(data, ZoneInfo(timezone), f"{name}.ics", until=horizon(today))
    except UnicodeDecodeError:
        raise CommandError(422, "bad_ical", f"{name}.ics: not UTF-8 text") from None
    except CalendarError as exc:
        raise CommandError(422, "bad_ical", str(exc)) from None


def encode(closures: Closures) -> str:
    return json.dumps(
        {
            "dates": sorted(d.isoformat() for d in closures.dates),
            "spans": [[a.isoformat(), b.isoformat()] for a, b in sorted(closures.spans)],
        }
    )


def decode(text: str) -> Closures:
    raw = json.loads(text)
    return Closures(
        {date.fromisoformat(d) for d in raw["dates"]},
        [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in raw["spans"]],
    )


async def import_ical(
    conn: AsyncConnection, tenant: str, name: str, data: bytes, now: datetime
) -> dict[str, Any]:
    """Reads ``data`` into the calendar's closures, replacing an earlier import."""
    spec = await _spec(conn, tenant, name)
    closures = closures_of(data, spec["timezone"], name, now.date())
    await rows.put_ical(conn, tenant, name, data.decode("utf-8"), encode(closures), now)
    return {
        "calendar": name,
        "closed_dates": len(closures.dates),
        "closed_spans": len(closures.spans),
        "repeats_until": horizon(now.date()).isoformat(),
    }


async def source(conn: AsyncConnection, tenant: str, name: str) -> str:
    text = await rows.ical(conn, tenant, name)
    if text is None:
        raise CommandError(404, "not_found", f"calendar {name} has no iCal import")
    return text


async def remove(conn: AsyncConnection, tenant: str, name: str, now: datetime) -> None:
    await source(conn, tenant, name)
    await rows.put_ical(conn, tenant, name, None, None, now)


async def reread(conn: AsyncConnection, tenant: str, name: str, timezone: str) -> None:
    """After the calendar's spec changed: its import read again on ``timezone``."""
    text = await rows.ical(conn, tenant, name)
    if text is not None:
        now = datetime.now(UTC)
        closures = closures_of(text.encode(), timezone, name, now.date())
        await rows.put_ical(conn, tenant, name, text, encode(closures), now)


async def _spec(conn: AsyncConnection, tenant: str, name: str) -> dict[str, Any]:
    text = (await rows.calendars(conn, tenant)).get(name)
    if text is None:
        raise CommandError(404, "not_found", f"calendar {name}: PUT it first")
    spec: dict[str, Any] = json.loads(text)
    return spec
