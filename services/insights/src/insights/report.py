"""``hotline forecast``'s output: a summary by day, the next peaks and the staffing curve of
the first day as tables, or the whole outlook per interval as JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from insights.run import Outlook


def render(o: Outlook, console: Console, curve_intervals: int) -> None:
    h = o.history
    console.print(
        f"history {h.start:%Y-%m-%d %H:%M} to {h.end:%Y-%m-%d %H:%M}, {len(h)} intervals of"
        f" {_step(h.step.total_seconds())}"
        + (
            f"; the last {o.dropped_days} days were an artefact tail (missing)"
            if o.dropped_days
            else ""
        )
    )
    console.print(_by_day(o))
    console.print(_peaks(o))
    console.print(_curve(o, curve_intervals))


def _step(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def _by_day(o: Outlook) -> Table:
    fc = o.forecast
    table = Table("day", "forecast", "seasonal naive", "peak", "agents (max)", title="Forecast")
    days = sorted({fc.time(i).date() for i in range(len(fc.mean))})
    for day in days:
        idx = [i for i in range(len(fc.mean)) if fc.time(i).date() == day]
        peak = max(idx, key=lambda i: fc.mean[i])
        mark = " (holiday)" if fc.holiday[idx[0]] else ""
        table.add_row(
            f"{day:%a %Y-%m-%d}{mark}",
            f"{sum(fc.mean[i] for i in idx):.0f}",
            f"{sum(fc.baseline[i] for i in idx):.0f}",
            f"{fc.time(peak):%H:%M} ({fc.mean[peak]:.1f})",
            str(max(o.needs[i].scheduled for i in idx)),
        )
    return table


def _peaks(o: Outlook) -> Table:
    level = max(o.forecast.upper, default=None)
    table = Table(
        "peak", "arrivals", f"up to ({level}%)", title="Next peaks (busiest interval a day)"
    )
    for p in o.peaks:
        table.add_row(f"{p.at:%a %Y-%m-%d %H:%M}", f"{p.arrivals:.1f}", f"{p.upper:.1f}")
    return table


CURVE_COLUMNS = ("interval", "arrivals", "{level}% interval", "naive", "on line", "scheduled",
                 "service level")  # fmt: skip


def _curve(o: Outlook, count: int) -> Table:
    level = min(o.forecast.lower, default=None)
    heads = [c.format(level=level) for c in CURVE_COLUMNS]
    table = Table(*heads, title=f"Staffing curve (first {count} intervals)")
    for i in range(min(count, len(o.forecast.mean))):
        table.add_row(*_curve_row(o, i, level))
    return table


def _curve_row(o: Outlook, i: int, level: int | None) -> list[str]:
    fc, need = o.forecast, o.needs[i]
    band = "" if level is None else f"{fc.lower[level][i]:.1f}-{fc.upper[level][i]:.1f}"
    sl = "-" if need.service_level is None else f"{need.service_level:.1%}"
    return [f"{fc.time(i):%a %H:%M}", f"{fc.mean[i]:.1f}", band, f"{fc.baseline[i]:.0f}",
            str(need.on_line), str(need.scheduled), sl]  # fmt: skip


def as_json(o: Outlook) -> dict[str, Any]:
    fc = o.forecast
    return {
        "history": {
            "start": o.history.start.isoformat(),
            "end": o.history.end.isoformat(),
            "intervals": len(o.history),
            "dropped_days": o.dropped_days,
        },
        "step_seconds": fc.step.total_seconds(),
        "intervals": [_interval(o, i) for i in range(len(fc.mean))],
        "peaks": [
            {"at": p.at.isoformat(), "arrivals": p.arrivals, "upper": p.upper} for p in o.peaks
        ],
    }


def _interval(o: Outlook, i: int) -> dict[str, Any]:
    fc, need = o.forecast, o.needs[i]
    return {
        "start": fc.time(i).isoformat(),
        "arrivals": float(fc.mean[i]),
        "lower": {str(lv): float(v[i]) for lv, v in fc.lower.items()},
        "upper": {str(lv): float(v[i]) for lv, v in fc.upper.items()},
        "seasonal_naive": float(fc.baseline[i]),
        "holiday": bool(fc.holiday[i]),
        "agents_on_line": need.on_line,
        "agents_scheduled": need.scheduled,
        "service_level": need.service_level,
    }
