"""Agent API: the operations report over a window, as JSON and as CSV (the same rows)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.domain.ops_groups import Filter, Group
from unifier.domain.ops_report import Row, Scope
from unifier.domain.ops_window import Window, window
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.service import ops_report
from unifier.service.ops_report import Report

router = APIRouter(prefix="/api/tenants/{tenant}/reports", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]
From = Annotated[datetime, Query(alias="from", description="start, inclusive (ISO 8601, offset)")]
To = Annotated[datetime, Query(alias="to", description="end, exclusive")]
Tz = Annotated[
    str | None, Query(max_length=64, description="IANA zone of the hour, weekday, day; UTC")
]
Only = Annotated[str | None, Query(max_length=320)]
COLUMNS = ["key", "label", *(f.name for f in fields(Row) if f.name[0] not in "_k")]
FORMULA_START = ("=", "+", "-", "@")


def checked_window(start: datetime, end: datetime, tz: str | None) -> Window:
    try:
        return window(start, end, tz)
    except ValueError as exc:
        raise Rejected(422, "bad_window", str(exc)) from None


async def load(request: Request, tenant: str, scope: Scope) -> Report:
    async def read(conn: AsyncConnection) -> Report:
        return await ops_report.operations(conn, tenant, scope)

    return await calls.read(request, read)


def plain(report: Report, row: Row) -> dict[str, Any]:
    label = "total" if row is report.total else report.label(row.key)
    return {name: label if name == "label" else getattr(row, name) for name in COLUMNS}


@dataclass
class ReportAsk:
    """The query both report routes take: the window, the group and the filters."""

    start: From
    end: To
    group: Group = "channel"
    tz: Tz = None
    channel: Only = None
    team: Only = None
    agent: Only = None

    def window(self) -> Window:
        return checked_window(self.start, self.end, self.tz)

    def only(self) -> Filter:
        return Filter(self.channel, self.team, self.agent)


Ask = Annotated[ReportAsk, Depends()]


async def _report(request: Request, tenant: str, q: ReportAsk) -> Report:
    return await load(request, tenant, Scope(q.group, q.window(), q.only()))


@router.get("/operations")
async def operations(request: Request, tenant: str, who: Who, q: Ask) -> dict[str, Any]:
    """First response, resolution, reopen rate, backlog, abandonment, missed calls, callbacks
    owed, SLA attainment and CSAT of the conversations opened in [from, to), by ``group``
    (channel, team, agent, hour, weekday, day), only those of ``channel``/``team``/``agent``
    when given. A figure with nothing to measure (no answer, no ended clock) is null."""
    rep = await _report(request, tenant, q)
    w = rep.scope.window
    return {
        "from": w.start.isoformat(),
        "to": w.end.isoformat(),
        "group": q.group,
        "tz": q.tz or "UTC",
        "filter": {"channel": q.channel, "team": q.team, "agent": q.agent},
        "rows": [plain(rep, r) for r in rep.rows],
        "total": plain(rep, rep.total),
    }


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting = + - @ gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def as_csv(rep: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in [*rep.rows, rep.total]:
        writer.writerow([safe_cell(v) for v in plain(rep, row).values()])
    return out.getvalue()


def csv_response(rep: Report) -> Response:
    w = rep.scope.window
    name = f"operations-{rep.scope.group}-{w.start.date()}-{w.end.date()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(as_csv(rep), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/operations.csv")
async def operations_csv(request: Request, tenant: str, who: Who, q: Ask) -> Response:
    """The same rows as ``/operations`` (then the total, keyed "total"), a header row first."""
    return csv_response(await _report(request, tenant, q))
