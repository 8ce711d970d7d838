"""The SLA file's calendars may name an iCal file (relative to the SLA file): applied at start
it is imported into the stored calendar like ``PUT …/sla/calendars/{name}/ical``, and the
clocks count on it; a bad or missing iCal file stops the load and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.service import sla_admin
from unifier.service.sla_config import load_config
from unifier.service.sla_file import SlaFileError, load
from unifier.store import sla_config_rows

SLA = """
[[tenants]]
tenant = "acme"
[tenants.calendars.default]
timezone = "Europe/Paris"
week = { mon = ["09:00-17:00"], tue = ["09:00-17:00"] }
ical = "{ics}"
[[tenants.policies]]
name = "std"
first_response = "1h"
"""
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hotline tests//EN\r\nBEGIN:VEVENT\r\n"
    "UID:armistice\r\nSUMMARY:Armistice\r\nDTSTART;VALUE=DATE:20201109\r\n"
    "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
MONDAY_9 = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # 09:00 in Paris, the closed Monday


def files(tmp_path: Path, ics: str, name: str = "holidays.ics") -> Path:
    (tmp_path / "holidays.ics").write_text(ics, encoding="utf-8")
    sla = tmp_path / "sla.toml"
    sla.write_text(SLA.replace("{ics}", name), encoding="utf-8")
    return sla


async def test_the_file_imports_its_ical(engine: AsyncEngine, tmp_path: Path) -> None:
    async with engine.begin() as conn:
        assert await load(conn, files(tmp_path, ICS)) == ["acme"]
    async with engine.connect() as conn:
        assert await sla_config_rows.ical(conn, "acme", "default") == ICS
        business = (await load_config(conn, "acme")).time_of(None)
        due = business.add(MONDAY_9, timedelta(hours=1))
        assert due == datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris


@pytest.mark.parametrize(
    ("ics", "name", "error"),
    [
        ("not a calendar", "holidays.ics", "not an iCalendar file"),
        (ICS.replace("YEARLY", "MINUTELY"), "holidays.ics", "daily at most"),
        (ICS, "missing.ics", "cannot read iCal file missing.ics"),
    ],
)
async def test_a_bad_ical_changes_nothing(
    engine: AsyncEngine, tmp_path: Path, ics: str, name: str, error: str
) -> None:
    with pytest.raises(SlaFileError, match=error):
        async with engine.begin() as conn:
            await load(conn, files(tmp_path, ics, name))
    async with engine.connect() as conn:
        assert await sla_admin.calendars(conn, "acme") == {}
        assert await sla_admin.policies(conn, "acme") == []
