"""Agent API: the operations report over a window, as JSON and as CSV (the same rows)."""

from __future__ import annotations

import csv
import io
from dataclasses import fields
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.domain import ops_report
from unifier.domain.ops_report import Group, Row, Window
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.store import ops_rows

router = APIRouter(prefix="/api/tenants/{tenant}/reports", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]
From = Annotated[datetime, Query(alias="from", description="start, inclusive (ISO 8601, offset)")]
To = Annotated[datetime, Query(alias="to", description="end, exclusive")]
Tz = Annotated[str | None, Query(description="IANA zone of the hour and day buckets; UTC")]
COLUMNS = [f.name for f in fields(Row) if not f.name.startswith("_")]
FORMULA_START = ("=", "+", "-", "@")


def _window(start: datetime, end: datetime, tz: str | None) -> Window:
    try:
        return ops_report.window(start, end, tz)
    except ValueError as exc:
        raise Rejected(422, "bad_window", str(exc)) from None


async def _rows(request: Request, tenant: str, group: Group, w: Window) -> tuple[list[Row], Row]:
    async def load(conn: AsyncConnection) -> tuple[list[Row], Row]:
        convs = await ops_rows.conversations(conn, tenant, w.start, w.end)
        missed = await ops_rows.missed_calls(conn, tenant, w.start, w.end)
        return ops_report.report(convs, missed, group, w)

    return await calls.read(request, load)


def _plain(row: Row) -> dict[str, Any]:
    return {name: getattr(row, name) for name in COLUMNS}


@router.get("/operations")
async def operations(
    request: Request,
    tenant: str,
    who: Who,
    start: From,
    end: To,
    group: Group = "channel",
    tz: Tz = None,
) -> dict[str, Any]:
    """First response, resolution, reopen rate, backlog, abandonment, missed calls and
    callbacks owed of the conversations opened in [from, to), by ``group``."""
    w = _window(start, end, tz)
    rows, total = await _rows(request, tenant, group, w)
    return {
        "from": w.start.isoformat(),
        "to": w.end.isoformat(),
        "group": group,
        "tz": tz or "UTC",
        "rows": [_plain(r) for r in rows],
        "total": _plain(total),
    }


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting = + - @ gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@router.get("/operations.csv")
async def operations_csv(
    request: Request,
    tenant: str,
    who: Who,
    start: From,
    end: To,
    group: Group = "channel",
    tz: Tz = None,
) -> Response:
    """The same rows as ``/operations`` (then the total, keyed "total"), a header row first."""
    w = _window(start, end, tz)
    rows, total = await _rows(request, tenant, group, w)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in [*rows, total]:
        writer.writerow([safe_cell(v) for v in _plain(row).values()])
    name = f"operations-{group}-{w.start.date()}-{w.end.date()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
