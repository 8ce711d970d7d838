"""``GET /reports``: the operations report as a page — the period as local days in the agent's
time zone (the browser's, as for snoozes), a group and filters, a chart with its figures table
per figure, the totals, and a link to the same rows as CSV (the API's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from unifier.domain.ops_groups import GROUPS, Filter, Group
from unifier.domain.ops_report import Scope
from unifier.domain.ops_window import Window, local_days
from unifier.domain.snoozing import zone
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.report_routes import load, plain
from unifier.entrypoints.web import report_charts
from unifier.entrypoints.web.list_model import CHANNELS
from unifier.entrypoints.web.templating import render
from unifier.service.ops_report import Report

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
Text = Annotated[str | None, Query(max_length=320)]
GROUP_NAMES = dict(
    zip(GROUPS, ("Channel", "Team", "Agent", "Hour of day", "Weekday", "Day"), strict=True)
)
DEFAULT_DAYS = 7


def _period(first: date | None, last: date | None, tz: str | None) -> Window:
    """The days asked for; by default the last seven, today included, in ``tz``."""
    last = last or datetime.now(zone(tz)).date()
    return local_days(first or last - timedelta(days=DEFAULT_DAYS - 1), last, tz)


def _csv_url(who: Principal, rep: Report, tz: str, only: Filter) -> str:
    w = rep.scope.window
    params = {"from": w.start.isoformat(), "to": w.end.isoformat(), "group": rep.scope.group}
    params |= {"tz": tz} | {k: v for k, v in vars(only).items() if v is not None}
    return f"/api/tenants/{who.tenant}/reports/operations.csv?{urlencode(params)}"


def _label(rep: Report, key: str) -> str:
    """A row's name on the page: a channel's as the inbox names it, a team's or agent's."""
    if rep.scope.group == "channel" and key in CHANNELS:
        return CHANNELS[key][0]
    return rep.label(key)


def _model(who: Principal, rep: Report, tz: str, asked: dict[str, Any]) -> dict[str, Any]:
    labelled = [(_label(rep, r.key), r) for r in rep.rows]
    return {
        "asked": asked,
        "report": rep,
        "total": plain(rep, rep.total),
        "charts": report_charts.charts(labelled, rep.total),
        "figures": report_charts.FIGURES,
        "text_of": report_charts.text_of,
        "csv_url": _csv_url(who, rep, tz, rep.scope.only),
        "groups": GROUP_NAMES,
        "channels": {k: v[0] for k, v in CHANNELS.items()},
    }


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
async def report_page(
    request: Request,
    who: Who,
    first: Annotated[date | None, Query()] = None,
    last: Annotated[date | None, Query()] = None,
    tz: Annotated[str | None, Query(max_length=64)] = None,
    group: Group = "channel",
    channel: Text = None,
    team: Text = None,
    agent: Text = None,
) -> HTMLResponse:
    only = Filter(channel or None, team or None, agent or None)
    asked = {"first": first, "last": last, "tz": tz or "", "group": group, "only": only}
    try:
        w = _period(first, last, tz)
    except ValueError as exc:
        return render(
            "report.html", who, 422, asked=asked, error=str(exc), report=None, groups=GROUP_NAMES
        )
    rep = await load(request, who.tenant, Scope(group, w, only))
    asked |= {"first": w.start.astimezone(w.tz).date(), "last": _last_day(w)}
    return render("report.html", who, error="", **_model(who, rep, tz or "UTC", asked))


def _last_day(w: Window) -> date:
    return (w.end - timedelta(microseconds=1)).astimezone(w.tz).date()
