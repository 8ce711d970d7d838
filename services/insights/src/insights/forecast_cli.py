"""``hotline forecast --from-csv FILE``: the forecast, the next peaks and the staffing curve
of a history a team brings (one row per contact, or counts per interval: see
``insights.forecast.csvinput``), so a new installation is useful on day one.

insights registers it under the ``hotline.commands`` entry point ``forecast`` (its
pyproject). The model's library is imported only when the command runs.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from insights.staffing.targets import Channel

_STEP = re.compile(r"^(\d+)\s*(m|min|h)$")


def parse_interval(text: str) -> timedelta:
    """``15m``, ``30min``, ``1h``: an interval that divides a day."""
    match = _STEP.match(text.strip().lower())
    if not match:
        raise typer.BadParameter(f"{text!r}: write it as 15m, 30m or 1h")
    n, unit = int(match[1]), match[2]
    step = timedelta(hours=n) if unit == "h" else timedelta(minutes=n)
    if step <= timedelta(0) or timedelta(days=1) % step:
        raise typer.BadParameter(f"{text!r} does not divide a day evenly")
    return step


def forecast(
    from_csv: Annotated[
        Path,
        typer.Option(
            "--from-csv",
            exists=True,
            dir_okay=False,
            readable=True,
            help="history: one time per contact, or interval,count rows",
        ),
    ],
    interval: Annotated[str, typer.Option(help="forecast interval: 15m, 30m, 1h")] = "15m",
    horizon: Annotated[int, typer.Option(min=1, max=14, help="days ahead")] = 7,
    column: Annotated[str | None, typer.Option(help="the count column (default: 2nd)")] = None,
    timezone: Annotated[str, typer.Option(help="local zone of times with an offset")] = "UTC",
    channel: Annotated[Channel, typer.Option(help="phone/chat: Erlang; email: workload")] = (
        "phone"
    ),
    aht: Annotated[float, typer.Option(min=1, help="average handling time, seconds")] = 180.0,
    service_level: Annotated[float, typer.Option("--sl", help="share answered in time")] = 0.8,
    answer_time: Annotated[float, typer.Option(min=0, help="target answer, seconds")] = 20.0,
    max_occupancy: Annotated[float, typer.Option(help="agents' maximum occupancy")] = 0.85,
    shrinkage: Annotated[float, typer.Option(help="share of paid time not on line")] = 0.3,
    patience: Annotated[
        float | None, typer.Option(help="callers' mean patience, seconds: Erlang A")
    ] = None,
    holiday: Annotated[
        list[str] | None, typer.Option(help="a holiday (YYYY-MM-DD), repeatable")
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="public holidays of (ISO 3166), e.g. BR")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="every interval as JSON")] = False,
) -> None:
    """Forecast arrivals (MSTL beside seasonal naive) and the agents they need."""
    from insights.forecast_run import Request, run

    request = Request(
        from_csv,
        parse_interval(interval),
        horizon,
        column,
        timezone,
        channel,
        aht,
        service_level,
        answer_time,
        max_occupancy,
        shrinkage,
        patience,
        _dates(holiday or []),
        country,
        as_json,
    )
    run(request)


def _dates(texts: list[str]) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(t) for t in texts)
    except ValueError as exc:
        raise typer.BadParameter(f"--holiday: {exc}") from None
