"""The SLA file (TOML, or the same keys in JSON with a ``.json`` name), applied at the
unifier's start like the channel-accounts file::

    [[tenants]]
    tenant = "acme"
    [tenants.calendars.default]         # the tenant's calendar; others by name
    timezone = "Europe/Berlin"
    country = "DE"
    week = { mon = ["09:00-17:00"], tue = ["09:00-17:00"] }
    ical = "holidays.ics"               # imported (relative to this file; optional)
    [tenants.teams]                     # a team's own calendar
    support-fr = "paris"
    [[tenants.policies]]                # in order: the first match wins
    name = "vip"
    priorities = ["urgent", "high"]
    first_response = "30m"
    resolution = "8h"

Each tenant named gets its policies replaced by the file's list, its calendars added or
updated, its teams' calendars set; tenants not named are left alone. A calendar's ``ical`` file is
imported as through the API (:mod:`unifier.service.sla_ical`; without the key, an import made
through the API stays). One transaction: a bad file changes nothing and is an ``SlaFileError``
naming what is wrong."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service import sla_admin, sla_ical
from unifier.service.commands import CommandError


class SlaFileError(Exception):
    pass


def parsed(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise SlaFileError(f"{path}: cannot read it: {exc}") from None
    entries = doc.get("tenants") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SlaFileError(f"{path}: expected a list 'tenants' of tables/objects")
    return entries


async def load(conn: AsyncConnection, path: Path) -> list[str]:
    """Apply the file; the tenants it configured."""
    done = []
    for entry in parsed(path):
        tenant = entry.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise SlaFileError(f"{path}: each tenants entry needs a 'tenant'")
        try:
            await _tenant(conn, tenant, entry, path.parent)
        except CommandError as exc:
            raise SlaFileError(f"{path}: tenant {tenant}: {exc.detail}") from None
        done.append(tenant)
    return done


async def _tenant(conn: AsyncConnection, tenant: str, entry: dict[str, Any], base: Path) -> None:
    unknown = set(entry) - {"tenant", "calendars", "teams", "policies"}
    if unknown:
        raise CommandError(422, "bad_file", f"unknown keys {sorted(unknown)}")
    for name, spec in dict(entry.get("calendars", {})).items():
        ical = spec.pop("ical", None) if isinstance(spec, dict) else None
        await sla_admin.put_calendar(conn, tenant, name, spec)
        if ical is not None:
            await sla_ical.import_ical(conn, tenant, name, _ics(base, ical), datetime.now(UTC))
    for team, calendar in dict(entry.get("teams", {})).items():
        await sla_admin.set_team_calendar(conn, tenant, team, calendar)
    await sla_admin.set_policies(conn, tenant, list(entry.get("policies", [])))


def _ics(base: Path, name: Any) -> bytes:
    if not isinstance(name, str):
        raise CommandError(422, "bad_file", f"ical = {name!r}: one file name")
    try:
        return (base / name).read_bytes()
    except OSError as exc:
        raise CommandError(
            422, "bad_file", f"cannot read iCal file {name} ({exc.strerror})"
        ) from None
