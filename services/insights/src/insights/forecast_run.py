"""What ``hotline forecast`` does once its options are read: the history, the holidays, the
outlook, printed; a history that cannot be used is a one-line error and exit status 2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import holidays
import typer
from rich.console import Console

from insights.forecast.csvinput import CsvSpec, InputError, read_history
from insights.forecast.forecaster import Options
from insights.forecast.series import Series
from insights.report import as_json, render
from insights.run import outlook
from insights.staffing.targets import Channel, Target


@dataclass(frozen=True)
class Request:
    path: Path
    step: timedelta
    days: int
    column: str | None
    zone: str
    channel: Channel
    aht: float
    service_level: float
    answer_time: float
    max_occupancy: float
    shrinkage: float
    patience: float | None
    holidays: frozenset[date]
    country: str | None
    as_json: bool


def run(r: Request) -> None:
    try:
        history = read_history(r.path, CsvSpec(r.step, r.column, r.zone))
        target = Target(
            r.aht, r.service_level, r.answer_time, r.max_occupancy, r.shrinkage, r.patience
        )
        days = r.holidays | _country_days(r.country, history, r.days)
        options = Options(horizon=r.days * history.per_day(), holidays=days)
        result = outlook(history, options, target, r.channel)
    except (InputError, ValueError, ZoneInfoNotFoundError, NotImplementedError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if r.as_json:
        typer.echo(json.dumps(as_json(result), indent=1))
    else:
        render(result, Console(width=120), curve_intervals=history.per_day())


def _country_days(country: str | None, history: Series, days: int) -> frozenset[date]:
    if not country:
        return frozenset()
    last = history.end + timedelta(days=days)
    years = range(history.start.year, last.year + 1)
    return frozenset(holidays.country_holidays(country.upper(), years=years).keys())
